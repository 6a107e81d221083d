/// How far apart two names are, for "did you mean" suggestions (a misspelled model, command or value).
public enum EditDistance {
  /// The number of one-character edits between two names: insertions, deletions, substitutions, and swaps
  /// of two neighbours (`modle` is one edit from `model`), over Unicode scalars.
  public static func between(_ a: String, _ b: String) -> Int {
    between(Array(a.unicodeScalars), Array(b.unicodeScalars))
  }

  static func between(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var beforePrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          current[j] = min(current[j], beforePrevious[j - 2] + 1)
        }
      }
      (beforePrevious, previous, current) = (previous, current, beforePrevious)
    }
    return previous[b.count]
  }

  /// The candidate nearest to `word` (case ignored) when it is close enough to be what was meant: at most
  /// a third of the word's characters apart (one edit for words under six characters), and not `word`
  /// itself. Ties go to the candidate listed first.
  public static func nearest(to word: String, among candidates: [String]) -> String? {
    let wanted = Array(word.lowercased().unicodeScalars)
    guard !wanted.isEmpty else { return nil }
    let limit = max(1, wanted.count / 3)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
      let scalars = Array(candidate.lowercased().unicodeScalars)
      guard abs(scalars.count - wanted.count) <= limit else { continue }
      let distance = between(wanted, scalars)
      if distance < best?.distance ?? Int.max { best = (candidate, distance) }
    }
    guard let best, best.distance > 0, best.distance <= limit else { return nil }
    return best.name
  }
}
