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
  static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int { EditDistance.between(a, b) }
}
