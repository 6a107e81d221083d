import Foundation

/// A checkpoint: a commit whose tree is the whole work tree as it was on disk (its first parent is HEAD
/// of that moment; its last parent a commit of the index, as `git stash` records it), kept under
/// `refs/octo/checkpoints/<worktree>/…`, with this metadata in its `refs/notes/octo/checkpoints` note.
public struct Checkpoint: Equatable, Sendable {
  /// The checkpoint commit.
  public let id: Oid
  /// The ref keeping it reachable.
  public let ref: String
  public var at: Date
  public var message: String
  public var agent: String?
  public var session: String?
  /// HEAD when it was taken; `nil` on an unborn branch.
  public var head: Oid?
  public var branch: String?
  /// The worktree it was taken in (`main`, or `worktrees/<name>`).
  public var worktree: String
  /// Files that differed from HEAD (tracked or staged), and files that were untracked.
  public var changed: Int
  public var untracked: Int
  /// The commit of the staged state; `nil` when the index had unresolved conflicts.
  public var index: Oid?

  /// The notes ref holding checkpoint metadata.
  public static let notesRef = "refs/notes/octo/checkpoints"
  /// Where checkpoint refs live.
  public static let refPrefix = "refs/octo/checkpoints/"

  /// The metadata as a canonical JSON line.
  public var line: String {
    var members: [String: JSONValue] = [
      "v": .int(1), "id": .string(id.hex), "at": .string(Timestamp.format(at)), "message": .string(message),
      "worktree": .string(worktree), "changed": .int(changed), "untracked": .int(untracked),
    ]
    for (key, value) in [
      ("agent", agent), ("session", session), ("head", head?.hex), ("branch", branch), ("index", index?.hex),
    ] {
      if let value { members[key] = .string(value) }
    }
    return CanonicalJSON.string(.object(members))
  }

  /// Reads the metadata note of checkpoint `id` (kept under `ref`).
  init(id: Oid, ref: String, note: String) throws {
    let value = try CanonicalJSON.parse(note.split(separator: "\n").first.map(String.init) ?? "")
    self.id = id
    self.ref = ref
    at = value["at"]?.stringValue.flatMap(Timestamp.parse) ?? Date(timeIntervalSince1970: 0)
    message = value["message"]?.stringValue ?? ""
    agent = value["agent"]?.stringValue
    session = value["session"]?.stringValue
    head = value["head"]?.stringValue.flatMap(Oid.init(hex:))
    branch = value["branch"]?.stringValue
    worktree = value["worktree"]?.stringValue ?? "main"
    changed = value["changed"]?.intValue ?? 0
    untracked = value["untracked"]?.intValue ?? 0
    index = value["index"]?.stringValue.flatMap(Oid.init(hex:))
  }

  init(
    id: Oid, ref: String, at: Date, message: String, agent: String?, session: String?, head: Oid?, branch: String?,
    worktree: String, changed: Int, untracked: Int, index: Oid?
  ) {
    self.id = id
    self.ref = ref
    self.at = at
    self.message = message
    self.agent = agent
    self.session = session
    self.head = head
    self.branch = branch
    self.worktree = worktree
    self.changed = changed
    self.untracked = untracked
    self.index = index
  }

  /// As JSON for `--json` output.
  public var json: JSONValue {
    guard case .object(var members) = (try? CanonicalJSON.parse(line)) ?? .null else { return .null }
    members["ref"] = .string(ref)
    return .object(members)
  }
}
