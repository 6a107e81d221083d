import Foundation

extension Repository {
  /// Removes the notes on each of `targets` from `ref` in one notes commit (one tree written, one ref
  /// update), where ``updateNote(on:ref:author:maxAttempts:_:)`` would write a commit per note: pruning
  /// hundreds of checkpoints took 2 ms per note that way. Targets without a note are skipped, a target given
  /// twice counts once; returns how many targets had a note.
  ///
  /// The notes tree may be flat or fanned out (`ab/cdef…`, as git writes it once it holds many notes), or
  /// both at once for one target (a tool other than git may write that): every note readers read on it
  /// (``notePaths(of:inNotesTree:)``) is removed. Published with compare-and-swap on `ref`: when another
  /// writer moved it meanwhile, the notes are looked for again in its new tree, up to `maxAttempts` times.
  @discardableResult
  public func removeNotes(on targets: [Oid], ref: String, author: Signature, maxAttempts: Int = 50) throws -> Int {
    var seen = Set<Oid>()
    let targets = targets.filter { seen.insert($0).inserted }
    guard !targets.isEmpty else { return 0 }
    var attempt = 0
    while true {
      attempt += 1
      guard let tip = try reference(ref)?.target else { return 0 }
      let tree = try commit(tip).tree
      var removals: [TreeUpdate] = []
      var removed = 0
      for target in targets {
        let paths = try notePaths(of: target, inNotesTree: tree)
        if !paths.isEmpty { removed += 1 }
        removals += paths.map { .remove(path: $0.path) }
      }
      guard !removals.isEmpty else { return 0 }
      let notesCommit = try createCommit(
        tree: try updateTree(tree, with: removals), parents: [tip],
        message: "Notes removed by octo-git (\(removed))\n", author: author)
      let message = "octo-git: \(removed) notes removed"
      if try publishNotes(ref, at: notesCommit, expecting: tip, message: message, attempt: attempt, of: maxAttempts) {
        return removed
      }
    }
  }
}
