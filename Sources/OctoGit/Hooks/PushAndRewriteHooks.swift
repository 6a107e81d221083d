import Foundation

/// `octo-git hook pre-push`: pushes the octo notes along with the user's push. It never fails or holds up
/// the push: the whole notes sync (fetch, merge, push) shares one time limit, and any problem, running out
/// of time included, is one line on stderr.
///
/// git gives the hook the remote's name, or the URL when the push names no configured remote: notes are
/// synced only with a configured remote (see ``GitCLI/checkRemote(_:in:)``).
public enum PrePushHook {
  /// The time the notes sync may take, in seconds.
  public static let timeLimit: TimeInterval = 15

  /// Syncs the notes with `remote` unless the push itself sends octo's notes refs (`pushedRefs`, the lines git
  /// gives the hook: `<local ref> <local id> <remote ref> <remote id>`): pushing them first would make the
  /// user's own push of those refs fail.
  public static func run(
    directory: String, remote: String, pushedRefs: String = "",
    environment: [String: String] = ProcessInfo.processInfo.environment, timeout: TimeInterval = timeLimit
  ) -> [String] {
    if environment["OCTO_GIT_HOOKS"] == "0" || environment["OCTO_GIT_INTERNAL"] == "1" { return [] }
    let pushesNotes = pushedRefs.split(whereSeparator: \.isNewline).contains { line in
      let fields = line.split(separator: " ")
      return fields.count >= 3 && fields[2].hasPrefix("refs/notes/octo/")
    }
    // Nothing to push alongside a push that sends nothing.
    if pushesNotes || PushCommandLine.isDryRun(environment: environment) { return [] }
    do {
      let repository = try Repository.open(at: directory)
      if try repository.config().bool("octo.pushNotes") == false { return [] }
      // A push to a URL: not repeated in the message (it may carry a token).
      if (try? GitCLI.checkRemote(remote, in: repository)) == nil {
        return [
          "octo-git: notes not pushed: the push names no configured remote; sync them with"
            + " octo-git notes sync --remote NAME (your push goes on)"
        ]
      }
      _ = try NotesSync.sync(repository, remote: remote, timeout: timeout)
      return []
    } catch {
      // One line, whatever the error holds.
      let reason = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
      return ["octo-git: notes not pushed: \(reason) (your push goes on)"]
    }
  }
}

/// `octo-git hook post-rewrite`: after `commit --amend` or `rebase`, checks that each rewritten commit
/// carries the usage of the commit it replaces, and copies what is missing (git copies notes itself only
/// when `notes.rewriteRef` is set). Lines are merged by event id, so nothing is ever counted twice.
///
/// git before 2.56 reports a commit that a rebase dropped (its change was already upstream) as rewritten
/// into the commit made just before, and copies its notes there. When several commits map to one new
/// commit and one of them has the new commit's very change (same patch id) while the others do not, the
/// others were dropped, not squashed; a commit reported as rewritten into the commit the rebase started
/// from was dropped too. Their usage is taken back off the new commit (it stays on the dropped commit's
/// own note, still counted once).
///
/// When a rebase ends (`kind` "rebase"), the usage recorded while it stood goes onto the commits a person
/// made during it (``RebaseCommits``): the post-commit hook stands down while a rebase replays commits.
public enum PostRewriteHook {
  public static func run(
    directory: String, input: String, kind: String = "amend",
    environment: [String: String] = ProcessInfo.processInfo.environment
  )
    -> [String]
  {
    if environment["OCTO_GIT_HOOKS"] == "0" { return [] }
    let pairs = input.split(separator: "\n").compactMap { line -> (Oid, Oid)? in
      let fields = line.split(separator: " ")
      guard fields.count >= 2, let old = Oid(hex: String(fields[0])), let new = Oid(hex: String(fields[1])) else {
        return nil
      }
      return (old, new)
    }
    let messages = carryNotes(directory: directory, pairs: pairs)
    guard kind == "rebase" else { return messages }
    return messages + attachPendingAtRebaseEnd(directory: directory, rewritten: pairs, environment: environment)
  }

  /// Makes each rewritten commit carry its old commit's usage (see ``PostRewriteHook``).
  static func carryNotes(directory: String, pairs: [(Oid, Oid)]) -> [String] {
    if pairs.isEmpty { return [] }
    do {
      let repository = try Repository.open(at: directory)
      guard try repository.reference(UsageNote.ref) != nil else { return [] }
      let signature = repository.signatureOrOctoGit()
      // git's own copy of the notes, just made, may have cut off a note another work tree attached meanwhile.
      // Whatever goes wrong there, the notes are still carried below.
      _ = try? OverwrittenNotes.restore(in: repository, ref: UsageNote.ref, author: signature)
      var dropped = try droppedCommits(pairs, in: repository)
      // A rebase that drops its first commit (skipped, or its change already upstream) reports it as
      // rewritten into the commit the rebase started from: someone else's commit, which nothing is ever
      // rewritten into. git has copied the note there; its lines are taken back off.
      if let onto = WorktreeLocation(repository).rebaseOnto {
        for (old, new) in pairs where new == onto { dropped.insert(old) }
      }
      dropped.formUnion(try keptUnderNewCommits(pairs, in: repository))
      for (old, new) in pairs {
        guard let oldNote = try repository.note(on: old, ref: UsageNote.ref) else { continue }
        let events = UsageNote.events(in: oldNote).events
        if dropped.contains(old) {
          let kept = try pairs.filter { $0.1 == new && !dropped.contains($0.0) }
            .compactMap { try repository.note(on: $0.0, ref: UsageNote.ref) }
            .flatMap { UsageNote.events(in: $0).events.map(\.id) }
          let wrong = Set(events.map(\.id)).subtracting(kept)
          try repository.updateNote(on: new, ref: UsageNote.ref, author: signature) { existing in
            let lines = UsageNote.lines(of: existing ?? "").filter { line in
              guard let event = try? UsageEvent(line: line) else { return true }
              return !wrong.contains(event.id)
            }
            return lines.isEmpty ? nil : lines.joined(separator: "\n") + "\n"
          }
          continue
        }
        try repository.updateNote(on: new, ref: UsageNote.ref, author: signature) {
          UsageNote.merging($0, addingLinesOf: oldNote)
        }
      }
      return []
    } catch {
      return ["octo-git: post-rewrite: \(error)"]
    }
  }

  /// Attaches the usage recorded while the rebase now ending (and any before it that rewrote nothing) stood
  /// to the commits a person made then (``RebaseCommits/charge(in:repository:ledger:rewritten:)``).
  static func attachPendingAtRebaseEnd(
    directory: String, rewritten: [(Oid, Oid)], environment: [String: String]
  ) -> [String] {
    guard let location = WorktreeLocation.find(from: directory, environment: environment),
      location.rebaseStartMilliseconds != nil, RebaseCommits.anyNoted(location)
    else { return [] }
    guard location.isMarkedPending else {
      RebaseCommits.forget(location)
      return []
    }
    return PostCommitHook.attaching(in: directory, hook: "post-rewrite", done: "the rebase") { repository, ledger in
      try RebaseCommits.charge(in: location, repository: repository, ledger: ledger, rewritten: rewritten)
    }
  }

  /// Old commits a rebase kept as they were, then reported as rewritten into a commit made on top of them (at
  /// an `edit` stop, a new commit rather than an amend): still in the history with their usage, which the
  /// commit made on top did not spend. Looked for on HEAD's first-parent line, walked once as far as the
  /// rewrite reaches (not an ancestor test per pair: the hook's time); an old commit amended at the stop is
  /// on the line as what the amend made of it.
  static func keptUnderNewCommits(_ pairs: [(Oid, Oid)], in repository: Repository) throws -> Set<Oid> {
    var line: [Oid: Int] = [:]
    var walked = try repository.headCommit()
    for position in 0..<(pairs.count + 64) {
      guard let commit = walked else { break }
      line[commit] = position
      walked = try repository.commit(commit).parents.first
    }
    var kept = Set<Oid>()
    var amends: CommitReplacements?
    for (old, new) in pairs where old != new {
      guard let above = line[new] else { continue }
      var below = line[old]
      if below == nil {
        if amends == nil { amends = try CommitReplacements(repository, limit: 200, foldsToo: false) }
        below = amends.flatMap { line[$0.final(of: old, steps: 8)] }
      }
      if let below, below > above { kept.insert(old) }
    }
    return kept
  }

  /// Old commits reported as rewritten into a new commit whose change is another old commit's, not theirs.
  static func droppedCommits(_ pairs: [(Oid, Oid)], in repository: Repository) throws -> Set<Oid> {
    var dropped = Set<Oid>()
    for (new, olds) in Dictionary(grouping: pairs, by: { $0.1 }) where olds.count > 1 {
      let target = try repository.patchID(of: new)
      let matching = try olds.filter { try repository.patchID(of: $0.0) == target }
      if !matching.isEmpty {
        // A commit that changes nothing (`commit --allow-empty`) is squashed, never dropped as upstream.
        for (old, _) in olds where !matching.contains(where: { $0.0 == old }) {
          let commit = try repository.commit(old)
          let changesNothing = try commit.parents.first.map { try repository.commit($0).tree == commit.tree } ?? false
          if !changesNothing { dropped.insert(old) }
        }
      }
    }
    return dropped
  }
}
