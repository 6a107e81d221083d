import Foundation

/// What replaced each commit, as HEAD's reflog tells it (`commit (amend)`, and with `foldsToo` a rebase's
/// `(fixup)` and `(squash)`): read newest first, so a commit replaced twice (after a reset) counts the later
/// replacement. Used to follow a commit a person made during a rebase to what it became.
struct CommitReplacements {
  private var next: [Oid: Oid] = [:]

  init(_ repository: Repository, limit: Int, foldsToo: Bool) throws {
    for entry in try repository.reflog(of: "HEAD", limit: limit) where next[entry.old] == nil {
      let message = entry.message
      if message.hasPrefix("commit (amend)")
        || (foldsToo && (message.contains(" (fixup): ") || message.contains(" (squash): ")))
      {
        next[entry.old] = entry.new
      }
    }
  }

  /// Records that `new` replaced `old` (a rebase's rewritten pairs).
  mutating func add(_ old: Oid, replacedBy new: Oid) {
    if old != new { next[old] = new }
  }

  /// What `commit` finally became, following at most `steps` replacements.
  func final(of commit: Oid, steps: Int) -> Oid {
    var current = commit
    for _ in 0..<steps {
      guard let replacement = next[current] else { break }
      current = replacement
    }
    return current
  }
}
