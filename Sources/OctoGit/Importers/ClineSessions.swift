import Foundation

/// Reads the sessions of Cline built on its SDK (the CLI, and the VS Code extension since it moved to the
/// SDK; they no longer write `ui_messages.json`): `<data>/sessions/<session id>/`, where `<data>` is
/// `$CLINE_DATA_DIR`, else `$CLINE_DIR/data`, else `~/.cline/data`.
///
/// A session folder holds `<id>.json` (where it ran: `workspace_root`, else `cwd`; its latest `model`) and
/// one `*.messages.json` per agent that worked in it: `<id>.messages.json` for the lead, one file per
/// subagent or teammate beside it (their usage is written nowhere else). Each is one JSON object rewritten
/// whole as the session goes, whose `messages` array holds `{id, role, ts (ms), modelInfo{id, provider},
/// metrics{inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cost}}`: one model call's usage
/// per message that has `metrics`. `inputTokens` includes the cache reads and writes: `in` = input − reads
/// − writes, `cr` = reads, `cw5m` = writes, `out` = output; `cost` is USD. The `*.compaction.json` sidecar
/// repeats totals and is not read.
///
/// Id `cl:<message id>`: a forked session copies its source's messages with their ids, so a copy counts
/// once. Every file of a session folder counts under the folder's session id (a subagent's file names its
/// own). A task started before the SDK and resumed under it gets its whole old total stamped on its last
/// old message, before the user message Cline adds with its legacy-conversation warning; that total is
/// the old task's `ui_messages.json` (read by ``ClineTasks``) and is not counted again. A file that cannot
/// be read whole (Cline rewrites it in place, not atomically) gives nothing this time: it is read again
/// once it changes, and a part read could lack the warning that says what came before it.
enum ClineSessions {
  /// The text Cline appends, as a user message of its own, when it resumes a task from before the SDK.
  static let legacyWarning = "Warning: this is a legacy conversation"
  static let legacyNeedle: StaticString = "this is a legacy conversation"

  /// Cline's data folder from `environment`: `$CLINE_DATA_DIR`, else `$CLINE_DIR/data`, else `~/.cline/data`.
  static func dataFolder(environment: [String: String]) -> String {
    if let data = environment["CLINE_DATA_DIR"], !data.isEmpty { return data }
    if let cline = environment["CLINE_DIR"], !cline.isEmpty { return cline + "/data" }
    return Paths.home(environment) + "/.cline/data"
  }

  /// A session folder, with what its `<id>.json` says.
  struct Session: Sendable {
    let id: String
    let folder: String
    let cwd: String?
    let model: String?
    let startedAt: Date?

    /// What the reading of its messages depends on besides the file: the session's own record.
    var context: String { AgentFiles.stamp(folder + "/" + id + ".json") ?? "-" }
  }

  /// The sessions under `root/sessions` that hold messages, in id order.
  static func sessions(in root: String) -> [Session] {
    let folder = root + "/sessions"
    return AgentFiles.names(in: folder).filter { Paths.isFolder(folder + "/" + $0) }.map {
      session(id: $0, folder: folder + "/" + $0)
    }
  }

  /// The session whose messages file (or folder, or `<id>.json`) is `path`, for a file named by an agent's
  /// hook.
  static func session(at path: String) -> Session {
    let (folder, id) = place(of: path)
    return session(id: id, folder: folder)
  }

  /// The session folder and id of a path in it (a file of the folder, or the folder).
  private static func place(of path: String) -> (folder: String, id: String) {
    let folder = path.hasSuffix(".json") ? (path as NSString).deletingLastPathComponent : path
    return (folder, (folder as NSString).lastPathComponent)
  }

  /// The lead's messages file when `path` is a session folder or its `<id>.json`; `nil` otherwise.
  static func leadMessages(at path: String) -> String? {
    if path.hasSuffix(".messages.json") { return path }
    let (folder, id) = place(of: path)
    let lead = folder + "/" + id + ".messages.json"
    return AgentFiles.isFile(lead) ? lead : nil
  }

  private static func session(id: String, folder: String) -> Session {
    let record = AgentFiles.smallJSON(folder + "/" + id + ".json", limit: 4 << 20)
    return Session(
      id: id, folder: folder,
      cwd: AgentFields.text(record?["workspace_root"]) ?? AgentFields.text(record?["cwd"]),
      model: AgentFields.text(record?["model"]),
      startedAt: record?["started_at"]?.stringValue.flatMap { Timestamp.parse($0) })
  }

  /// The `*.messages.json` files of `session`, in name order.
  static func messageFiles(of session: Session) -> [String] {
    AgentFiles.names(in: session.folder).filter { $0.hasSuffix(".messages.json") }.map { session.folder + "/" + $0 }
      .filter(AgentFiles.isFile)
  }

  /// What is read of one message.
  private struct Message {
    var id: String?
    var ts: Int64?
    var model: String?
    var metrics: JSONValue?
    var role: String?
    /// Whether this is Cline's legacy-conversation warning: a user message whose text holds it.
    var warns = false
  }

  /// Reads one messages file of `session` into `scan`.
  static func read(_ path: String, session: Session, into scan: inout AgentScan) throws {
    var messages: [Message] = []
    let sessionID = session.id
    do {
      try JSONWalk.document(path) { parser in
        try JSONWalk.members(&parser, depth: 0) { parser, key in
          if JSONWalk.key(key, is: "messages") {
            try JSONWalk.elements(&parser, depth: 1) { parser in messages.append(try message(&parser)) }
          } else {
            try parser.skipValue(depth: 1)
          }
        }
      }
    } catch is RegularFile.Refusal {
      scan.unreadable += 1
      return
    } catch {
      // Caught while Cline rewrote it, or damaged: nothing this time (see above).
      scan.files += 1
      scan.malformed += 1
      return
    }
    scan.files += 1
    scan.records += messages.count
    // Cline's own rule: what precedes the first warning is the old task's.
    let firstNew = (messages.firstIndex { $0.warns }).map { $0 + 1 } ?? 0
    for (index, message) in messages.enumerated() where index >= firstNew {
      guard let metrics = message.metrics else { continue }
      do {
        guard case .object = metrics else { throw MalformedRecord() }
        let input = try AgentFields.tokens(metrics["inputTokens"])
        let output = try AgentFields.tokens(metrics["outputTokens"])
        let reads = try AgentFields.tokens(metrics["cacheReadTokens"])
        let writes = try AgentFields.tokens(metrics["cacheWriteTokens"])
        let tokens = try AgentFields.checked(
          TokenCounts(input: max(0, input - reads - writes), output: output, cacheWrite5m: writes, cacheRead: reads))
        guard tokens.total > 0 else { continue }
        let at = try message.ts.map { try AgentFields.milliseconds(.number(String($0))) } ?? session.startedAt
        guard let at else { throw MalformedRecord() }
        var request = AgentRequest(
          id: "cl:" + (message.id ?? "\(sessionID):\(message.ts ?? 0):\(index)"),
          agent: ClineTasks.Flavor.cline.rawValue,
          at: at, model: message.model ?? session.model ?? "unknown", tokens: tokens, cwd: session.cwd, branch: nil,
          session: sessionID)
        request.cost = try AgentFields.cost(metrics["cost"])
        scan.keep(request)
      } catch {
        scan.malformed += 1
      }
    }
  }

  /// One element of `messages`: its content is skipped, only looked at for Cline's legacy warning.
  private static func message(_ parser: inout CanonicalJSON.Parser) throws -> Message {
    var message = Message()
    guard parser.bytes[parser.position] == UInt8(ascii: "{") else {
      try parser.skipValue(depth: 2)
      return message
    }
    try JSONWalk.members(&parser, depth: 2) { parser, key in
      if JSONWalk.key(key, is: "id") {
        message.id = AgentFields.text(try parser.value(depth: 3))
      } else if JSONWalk.key(key, is: "role") {
        message.role = AgentFields.text(try parser.value(depth: 3))
      } else if JSONWalk.key(key, is: "ts") {
        let value = try parser.value(depth: 3)
        if let whole = value.intValue { message.ts = Int64(whole) }
      } else if JSONWalk.key(key, is: "modelInfo") {
        message.model = AgentFields.text(try parser.value(depth: 3)["id"])
      } else if JSONWalk.key(key, is: "metrics") {
        message.metrics = try parser.value(depth: 3)
      } else if JSONWalk.key(key, is: "content") {
        let start = parser.position
        try parser.skipValue(depth: 3)
        let content = UnsafeBufferPointer(rebasing: parser.bytes[start..<parser.position])
        // Read only when the text is there at all (a rare message): then its shape is checked.
        if JSONWalk.contains(content, legacyNeedle) {
          var inner = CanonicalJSON.Parser(bytes: content)
          message.warns = isWarning((try? inner.value(depth: 3)) ?? .null)
        }
      } else {
        try parser.skipValue(depth: 3)
      }
    }
    if message.role != "user" { message.warns = false }
    return message
  }

  /// Whether a user message's content carries Cline's warning, as Cline looks for it: in the text, or in a
  /// text block (a tool's result quoting the words is not).
  static func isWarning(_ content: JSONValue) -> Bool {
    if let text = content.stringValue { return text.contains(legacyWarning) }
    return (content.arrayValue ?? []).contains { block in
      block["type"]?.stringValue == "text" && block["text"]?.stringValue?.contains(legacyWarning) == true
    }
  }
}
