import Foundation

/// Puts back usage notes that git's own copying of notes cut off.
///
/// With `notes.rewriteRef` set (install sets it, so notes follow amend and rebase when octo-git's hook does
/// not run), git copies notes at the end of an amend or a rebase: it builds the new notes tree from the
/// notes it read when it began, then moves the ref (its parent the ref's value at that moment) without
/// checking that the ref did not move in between. A note another work tree's post-commit hook attached
/// meanwhile is then missing from the tree git wrote, and the pending events it recorded are gone from the
/// ledger. Only git's copies are looked at (their reflog message says so: a ref a user moved back, or a
/// forced fetch, is what the user asked for), each once (the newest one handled is kept in
/// `<common dir>/octo/notes-copy-seen`, so a note removed on purpose since stays removed) and only recent
/// ones (the post-rewrite hook of the process that copied runs right after it): notes the value a copy
/// replaced held and its tree lacks or holds otherwise are merged back, line by line (an event id keeps one
/// copy, so two hooks doing it at once add nothing twice).
enum OverwrittenNotes {
  /// How many of the ref's latest reflog entries are looked at.
  static let entriesLooked = 20
  /// How old a copy may be, in seconds, to be looked at.
  static let window: TimeInterval = 60

  /// Restores the notes of `ref` that git's latest copies cut off. Returns how many notes were merged back.
  /// An entry that cannot be read (a ref once moved to something other than a notes commit) is passed over.
  @discardableResult
  static func restore(in repository: Repository, ref: String, author: Signature, now: Date = Date()) throws -> Int {
    var restored = 0
    let seenFile = repository.commonDirectory + "/octo/notes-copy-seen"
    let seen = (try? String(contentsOfFile: seenFile, encoding: .utf8)).flatMap {
      Oid(hex: $0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    // Recorded once every copy looked at is handled: a failure (thrown) leaves them all for the next run,
    // whose merges add nothing twice.
    var newest: Oid?
    for entry in try repository.reflog(of: ref, limit: entriesLooked) {
      if now.timeIntervalSince(entry.committer.time) > window || entry.new == seen { break }
      guard !entry.old.isZero, entry.old != entry.new, isGitsCopy(entry.message),
        let replacedTree = try? repository.commit(entry.old).tree, let copyTree = try? repository.commit(entry.new).tree
      else { continue }
      if newest == nil { newest = entry.new }
      guard let changed = try? repository.changedPaths(from: copyTree, to: replacedTree, maxTrees: 10_000) else {
        continue  // not a few notes cut off by a copy
      }
      for path in changed where path.newID != nil {
        guard let annotated = Oid(hex: path.path.replacingOccurrences(of: "/", with: "")),
          let note = try repository.note(on: annotated, inNotesTree: replacedTree)
        else { continue }
        let text = try repository.text(of: note)
        let update = try repository.updateNote(on: annotated, ref: ref, author: author) {
          UsageNote.merging($0, addingLinesOf: text)
        }
        if update.changed { restored += 1 }
      }
    }
    if let newest { try? Data((newest.hex + "\n").utf8).write(to: URL(fileURLWithPath: seenFile), options: .atomic) }
    return restored
  }

  /// Whether a reflog message is git's notes copy on rewrite (`notes: Notes added by 'git commit --amend'`,
  /// `… 'git rebase'`, `… 'git notes copy'`).
  static func isGitsCopy(_ message: String) -> Bool {
    let copy = "Notes added by 'git "
    return message.hasPrefix("notes: " + copy) || message.hasPrefix(copy)
  }
}
