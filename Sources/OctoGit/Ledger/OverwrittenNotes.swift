import Foundation

/// Puts back usage notes that git's own copying of notes cut off the notes ref.
///
/// With `notes.rewriteRef` set (install sets it, so notes follow amend and rebase when octo-git's hook does
/// not run), git copies notes at the end of an amend or a rebase and moves the notes ref to its new notes
/// commit without checking that the ref is still where git read it. A note another work tree's post-commit
/// hook attached in between is then cut off: its notes commit survives only in the ref's reflog, and the
/// pending events it recorded are gone from the ledger. A reflog entry whose new notes commit does not
/// descend from the value it replaced says so; the notes that value added over the new commit's parent
/// are merged back, line by line (an event id keeps one copy, so running this again adds nothing).
enum OverwrittenNotes {
  /// How many of the ref's latest reflog entries are looked at (the post-rewrite hook of the process that
  /// overwrote runs right after it).
  static let entriesLooked = 20

  /// Restores the notes of `ref` cut off by its latest moves. Returns how many notes were merged back.
  @discardableResult
  static func restore(in repository: Repository, ref: String, author: Signature) throws -> Int {
    var restored = 0
    for entry in try repository.reflog(of: ref).prefix(entriesLooked) where !entry.old.isZero {
      guard repository.objectExists(entry.old), repository.objectExists(entry.new) else { continue }
      let parents = try repository.commit(entry.new).parents
      guard let base = parents.first, !parents.contains(entry.old) else { continue }
      // What the cut-off commit held beyond the commit the overwriting writer started from.
      let lostTree = try repository.commit(entry.old).tree
      let changed: [ChangedPath]
      do {
        changed = try repository.changedPaths(from: try repository.commit(base).tree, to: lostTree, maxTrees: 10_000)
      } catch is TreeComparisonLimit {
        continue  // not a few notes cut off by a copy: a ref replaced on purpose
      }
      for path in changed where path.newID != nil {
        guard let annotated = Oid(hex: path.path.replacingOccurrences(of: "/", with: "")),
          let note = try repository.note(on: annotated, inNotesTree: lostTree)
        else { continue }
        let text = try repository.text(of: note)
        let update = try repository.updateNote(on: annotated, ref: ref, author: author) {
          UsageNote.merging($0, addingLinesOf: text)
        }
        if update.changed { restored += 1 }
      }
    }
    return restored
  }
}
