import Foundation

/// `octo-git hook pre-push`: pushes the octo notes along with the user's push. It never fails or holds up
/// the push: time is bounded, and any problem is one line on stderr.
public enum PrePushHook {
  public static func run(directory: String, remote: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> [String]
  {
    if environment["OCTO_GIT_HOOKS"] == "0" || environment["OCTO_GIT_INTERNAL"] == "1" { return [] }
    do {
      let repository = try Repository.open(at: directory)
      if try repository.config().bool("octo.pushNotes") == false { return [] }
      _ = try NotesSync.sync(repository, remote: remote, timeout: 15)
      return []
    } catch {
      return ["octo-git: notes not pushed: \(error) (your push goes on)"]
    }
  }
}

/// `octo-git hook post-rewrite`: after `commit --amend` or `rebase`, checks that each rewritten commit
/// carries the usage of the commit it replaces, and copies what is missing (git copies notes itself only
/// when `notes.rewriteRef` is set). Lines are merged by event id, so nothing is ever counted twice.
public enum PostRewriteHook {
  public static func run(directory: String, input: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> [String]
  {
    if environment["OCTO_GIT_HOOKS"] == "0" { return [] }
    let pairs = input.split(separator: "\n").compactMap { line -> (Oid, Oid)? in
      let fields = line.split(separator: " ")
      guard fields.count >= 2, let old = Oid(hex: String(fields[0])), let new = Oid(hex: String(fields[1])) else { return nil }
      return (old, new)
    }
    if pairs.isEmpty { return [] }
    do {
      let repository = try Repository.open(at: directory)
      guard try repository.reference(UsageNote.ref) != nil else { return [] }
      let signature = repository.configuredSignature() ?? Signature(name: "octo-git", email: "octo-git@localhost")
      for (old, new) in pairs {
        guard let oldNote = try repository.note(on: old, ref: UsageNote.ref) else { continue }
        let events = UsageNote.events(in: oldNote).events
        try repository.updateNote(on: new, ref: UsageNote.ref, author: signature) { UsageNote.merging($0, adding: events) }
      }
      return []
    } catch {
      return ["octo-git: post-rewrite: \(error)"]
    }
  }
}
