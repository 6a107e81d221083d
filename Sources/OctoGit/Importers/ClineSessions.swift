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
/// once. A task started before the SDK and resumed under it gets its whole old total stamped on its last
/// old message (before the message carrying Cline's legacy-conversation warning); that total is the old
/// task's `ui_messages.json` (read by ``ClineTasks``) and is not counted again.
enum ClineSessions {
  /// The text Cline appends when it resumes a task from before the SDK.
  static let legacyWarning: StaticString = "this is a legacy conversation"

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

  /// The session whose messages file (or folder) is `path`, for a file named by an agent's hook.
  static func session(at path: String) -> Session {
    let folder = path.hasSuffix(".json") ? (path as NSString).deletingLastPathComponent : path
    return session(id: (folder as NSString).lastPathComponent, folder: folder)
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
    var warns = false
  }

  /// Reads one messages file of `session` into `scan`.
  static func read(_ path: String, session: Session, into scan: inout AgentScan) throws {
    var messages: [Message] = []
    var sessionID = session.id
    do {
      try JSONWalk.withFile(path) { bytes in
        var parser = CanonicalJSON.Parser(bytes: bytes)
        parser.skipSpace()
        try JSONWalk.members(&parser, depth: 0) { parser, key in
          if JSONWalk.key(key, is: "sessionId") {
            if let id = AgentFields.text(try parser.value(depth: 1)) { sessionID = id }
          } else if JSONWalk.key(key, is: "messages") {
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
      // A file caught while Cline rewrote it: what was read before the damage counts; the rest, next time.
      scan.malformed += 1
    }
    scan.files += 1
    scan.records += messages.count
    let firstNew = (messages.lastIndex { $0.warns }).map { $0 + 1 } ?? 0
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
        message.warns = JSONWalk.contains(
          UnsafeBufferPointer(rebasing: parser.bytes[start..<parser.position]), legacyWarning)
      } else {
        try parser.skipValue(depth: 3)
      }
    }
    return message
  }
}
