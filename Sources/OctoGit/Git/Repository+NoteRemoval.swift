import Foundation

extension Repository {
  /// Removes the notes on each of `targets` from `ref` in one notes commit (one tree written, one ref
  /// update), where ``updateNote(on:ref:author:maxAttempts:_:)`` would write a commit per note: pruning
  /// hundreds of checkpoints took 2 ms per note that way. Targets without a note are skipped, a target given
  /// twice counts once; returns how many targets had a note.
  ///
  /// The notes tree may be flat or fanned out (`ab/cdef…`, as git writes it once it holds many notes), or
  /// both at once for one target (a tool other than git may write that): every depth is looked at, and
  /// every copy removed. Published with compare-and-swap on `ref`: when another writer moved it meanwhile,
  /// the notes are looked for again in its new tree, up to `maxAttempts` times.
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
        let paths = try notePaths(of: target, in: tree)
        if !paths.isEmpty { removed += 1 }
        removals += paths.map { .remove(path: $0) }
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

  /// Where notes on `target` lie in the notes tree `tree`: its 40 hexadecimal digits, split into two-digit
  /// folders as deep as the tree is fanned out, at every depth where a note is found.
  private func notePaths(of target: Oid, in tree: Oid) throws -> [String] {
    var paths: [String] = []
    var folders = ""
    var rest = Substring(target.hex)
    while rest.count > 2 {
      let path = folders + rest
      if let entry = try treeEntry(in: tree, path: path), entry.mode != .tree { paths.append(path) }
      let folder = folders + rest.prefix(2)
      guard let next = try treeEntry(in: tree, path: folder), next.mode == .tree else { break }
      folders = folder + "/"
      rest = rest.dropFirst(2)
    }
    return paths
  }
}
