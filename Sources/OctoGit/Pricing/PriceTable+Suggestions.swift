extension PriceTable {
  /// The priced model whose name is nearest to `model` (a misspelling such as `claude-sonet-4-5`), when one
  /// is close enough to be what was meant: at most a third of the name's characters apart.
  public func nearestModel(to model: String) -> String? {
    let wanted = Array(ModelName.normalise(model).lowercased().unicodeScalars)
    guard !wanted.isEmpty else { return nil }
    var best: (name: String, distance: Int)?
    for name in models.keys {
      let candidate = Array(name.lowercased().unicodeScalars)
      guard abs(candidate.count - wanted.count) <= max(2, wanted.count / 3) else { continue }
      let distance = Self.editDistance(wanted, candidate)
      if distance < best?.distance ?? Int.max || (distance == best?.distance && name < best!.name) {
        best = (name, distance)
      }
    }
    guard let best, best.distance > 0, best.distance <= max(2, wanted.count / 3) else { return nil }
    return best.name
  }

  /// Levenshtein distance: insertions, deletions and substitutions of one character each.
  static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...max(1, a.count) where !a.isEmpty {
      current[0] = i
      for j in 1...max(1, b.count) where !b.isEmpty {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      swap(&previous, &current)
    }
    return a.isEmpty ? b.count : b.isEmpty ? a.count : previous[b.count]
  }
}
