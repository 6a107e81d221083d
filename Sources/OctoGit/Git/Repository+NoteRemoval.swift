import CGit2
import Foundation

extension Repository {
  /// Removes the notes on each of `targets` from `ref` in one notes commit (one tree written, one ref
  /// update), where ``updateNote(on:ref:author:maxAttempts:_:)`` would write a commit per note: pruning
  /// hundreds of checkpoints took 2 ms per note that way. Targets without a note are skipped; returns how
  /// many notes were removed.
  ///
  /// The notes tree may be flat or fanned out (`ab/cdef…`, as git writes it once it holds many notes); each
  /// note is looked for at every depth. Published with compare-and-swap on `ref`: when another writer moved
  /// it meanwhile, the notes are looked for again in its new tree, up to `maxAttempts` times.
  @discardableResult
  public func removeNotes(on targets: [Oid], ref: String, author: Signature, maxAttempts: Int = 50) throws -> Int {
    guard !targets.isEmpty else { return 0 }
    var attempt = 0
    while true {
      attempt += 1
      guard let tip = try reference(ref)?.target else { return 0 }
      let tree = try commit(tip).tree
      var removals: [TreeUpdate] = []
      for target in targets {
        if let path = try notePath(of: target, in: tree) { removals.append(.remove(path: path)) }
      }
      guard !removals.isEmpty else { return 0 }
      let notesCommit = try createCommit(
        tree: try updateTree(tree, with: removals), parents: [tip],
        message: "Notes removed by octo-git (\(removals.count))\n", author: author)
      do {
        try updateReference(ref, to: notesCommit, expecting: tip, message: "octo-git: \(removals.count) notes removed")
        return removals.count
      } catch let error as GitError where error.isConcurrentUpdate && attempt < maxAttempts {
        if error.code == GIT_ELOCKED.rawValue { removeStaleLock(of: ref) }
        Self.backOff(attempt: attempt)
      }
    }
  }

  /// Where the note on `target` lies in the notes tree `tree`: its 40 hexadecimal digits, split into
  /// two-digit folders as deep as the tree is fanned out; `nil` when there is no note.
  private func notePath(of target: Oid, in tree: Oid) throws -> String? {
    let hex = target.hex
    var folders = ""
    var rest = Substring(hex)
    while rest.count > 2 {
      let path = folders + rest
      if let entry = try treeEntry(in: tree, path: path), entry.mode != .tree { return path }
      let folder = folders + rest.prefix(2)
      guard let next = try treeEntry(in: tree, path: folder), next.mode == .tree else { return nil }
      folders = folder + "/"
      rest = rest.dropFirst(2)
    }
    return nil
  }
}
