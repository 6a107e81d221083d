import Foundation
import GRDB

@testable import OctoGit

/// The agents' importers, each given the input as the one file (or database row) it expects.
extension FuzzTargets {
  /// A scratch folder laid out as the agents lay out their data, created once: readers that look at where a
  /// file is (its folder names the session or the task) get the input as the one file they expect there.
  static let tree: String = {
    _ = cleanUpAtExit
    let root = scratch + ".d"
    for folder in [
      "gemini/tmp/fuzz/chats", "copilot/session-state/0b9c4a52-7a1e-4c3b-9d2f-1a2b3c4d5e01",
      "opencode/storage/message/ses_1",
      "cline/tasks/1893492000000", "cline/sessions/s1", "qwen/projects/-repo/chats", "state",
    ] {
      try? FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
    }
    return root
  }()

  static let geminiLines = tree + "/gemini/tmp/fuzz/chats/session-2030-01-01T10-00-fuzz.jsonl"
  static let geminiWhole = tree + "/gemini/tmp/fuzz/chats/session-2030-01-01T10-00-fuzz.json"
  /// Recordings whose `projectHash` is all zeros belong to /repo.
  static let geminiHashes = [String(repeating: "0", count: 64): "/repo"]
  static let copilotEvents = tree + "/copilot/session-state/0b9c4a52-7a1e-4c3b-9d2f-1a2b3c4d5e01/events.jsonl"
  static let openCodeMessage = tree + "/opencode/storage/message/ses_1/msg_fuzz.json"
  static let clineTask = tree + "/cline/tasks/1893492000000"
  static let clineSession = tree + "/cline/sessions/s1/s1.messages.json"
  static let qwenChat = tree + "/qwen/projects/-repo/chats/qs-fuzz.jsonl"
  static let savedImportState = tree + "/state/agent-imports.json"

  /// OpenCode's database with its `message` and `session` tables, and a connection that rewrites the one
  /// row; `nil` when it cannot be made.
  static let openCode: (path: String, writer: DatabaseQueue)? = {
    let path = tree + "/opencode/opencode.db"
    do {
      let writer = try DatabaseQueue(path: path)
      try writer.inDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
      try writer.write { db in
        try db.execute(
          sql: """
            CREATE TABLE IF NOT EXISTS session (id TEXT PRIMARY KEY, directory TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS message (
              id TEXT PRIMARY KEY, session_id TEXT, time_created INTEGER, time_updated INTEGER, data TEXT NOT NULL)
            """)
      }
      return (path, writer)
    } catch {
      return nil
    }
  }()

  /// The database's `message` table made to hold one row: id `id`, no session, no creation time, and
  /// `data` the input's bytes as text (as they are: SQLite does not check text). Returns the database.
  static func openCodeRow(id: String, data: UnsafeBufferPointer<UInt8>) -> String? {
    guard let openCode else { return nil }
    do {
      try openCode.writer.write { db in
        try db.execute(sql: "DELETE FROM message")
        try db.execute(
          sql: """
            INSERT INTO message (id, session_id, time_created, time_updated, data)
            VALUES (?, NULL, NULL, 1, CAST(? AS TEXT))
            """, arguments: [id, Data(data)])
      }
      return openCode.path
    } catch {
      return nil
    }
  }

  // MARK: - Readers that must agree

  /// A recording as JSON lines and as one legacy JSON file: a single line (no newline) naming tokens is
  /// read alike both ways.
  static func geminiBothWays(_ bytes: UnsafeBufferPointer<UInt8>) {
    var lines = AgentScan()
    var whole = AgentScan()
    let linesRead = put(bytes, at: geminiLines)
    if linesRead { try? GeminiTranscripts.read(geminiLines, cwd: nil, hashes: geminiHashes, into: &lines) }
    let wholeRead = put(bytes, at: geminiWhole)
    if wholeRead { try? GeminiTranscripts.read(geminiWhole, cwd: nil, hashes: geminiHashes, into: &whole) }
    check(lines, prefix: "gm:", agent: "gemini")
    check(whole, prefix: "gm:", agent: "gemini")
    if linesRead, wholeRead, !bytes.contains(0x0A), JSONWalk.contains(bytes, "\"tokens\"") {
      precondition(sorted(lines) == sorted(whole), "a one-line recording read differently as .jsonl and as .json")
    }
  }

  /// One message as a legacy storage/message file and as the `data` of a database row (the row's id
  /// column holding the message's id): they are the same message, read alike.
  static func openCodeBothStores(_ bytes: UnsafeBufferPointer<UInt8>) {
    var legacy = AgentScan()
    if put(bytes, at: openCodeMessage) {
      try? OpenCodeStore.readMessageFile(openCodeMessage, agent: "opencode", prefix: "oc:", into: &legacy)
    }
    check(legacy, prefix: "oc:", agent: "opencode")
    let messageID = AgentFields.text((try? CanonicalJSON.parse(bytes: bytes))?["id"])
    guard let database = openCodeRow(id: messageID ?? "msg_fuzz", data: bytes) else { return }
    var rows = AgentScan()
    let read: Bool
    do {
      _ = try OpenCodeStore.readDatabase(database, agent: "opencode", prefix: "oc:", since: nil, into: &rows)
      read = true
    } catch {
      read = false
    }
    check(rows, prefix: "oc:", agent: "opencode")
    // SQLite hands text back up to its first NUL, and repaired where it is not UTF-8; only rows naming the
    // assistant are parsed.
    if read, let messageID, !messageID.utf8.contains(0), !bytes.contains(0),
      String(validating: bytes, as: UTF8.self) != nil,
      JSONWalk.contains(bytes, "\"assistant\"")
    {
      precondition(sorted(rows) == sorted(legacy), "a message read differently from the database and from its file")
      precondition(rows.malformed == legacy.malformed, "a message malformed in one store only")
    }
  }

  /// One ui_messages.json read as Cline's, Roo Code's and Kilo Code's: the same requests, the forks' input
  /// less the cache only where they store the whole prompt.
  static func clineFlavors(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard put(bytes, at: clineTask + "/ui_messages.json") else { return }
    let task = ClineTasks.TaskFolder(id: "1893492000000", folder: clineTask, cwd: "/repo", model: "claude-sonnet-4-5")
    var scans: [AgentScan] = []
    for flavor in [ClineTasks.Flavor.cline, .roo, .kiloCode] {
      var scan = AgentScan()
      try? ClineTasks.read(task, flavor: flavor, into: &scan)
      check(scan, prefix: flavor.prefix + task.id + ":", agent: flavor.rawValue)
      scans.append(scan)
    }
    let byTime = scans.map { scan in
      Dictionary(uniqueKeysWithValues: scan.requests.map { (String($0.id.dropFirst(3)), $0) })
    }
    for (scan, requests) in zip(scans.dropFirst(), byTime.dropFirst()) {
      precondition(
        scan.records == scans[0].records && scan.malformed == scans[0].malformed && scan.files == scans[0].files
          && scan.unreadable == scans[0].unreadable, "the flavors count a task's entries differently")
      precondition(Set(requests.keys) == Set(byTime[0].keys), "the flavors find different requests")
      for (key, request) in requests {
        let original = byTime[0][key]!
        let cache = original.tokens.cacheRead + original.tokens.cacheWrite5m
        precondition(
          request.tokens.output == original.tokens.output && request.tokens.cacheRead == original.tokens.cacheRead
            && request.tokens.cacheWrite5m == original.tokens.cacheWrite5m && request.tokens.cacheWrite1h == 0
            && (request.tokens.input == original.tokens.input
              || request.tokens.input == original.tokens.input - cache),
          "a fork's counts differ from Cline's beyond the cache it keeps in the input")
        precondition(
          request.at == original.at && request.model == original.model && request.cost == original.cost
            && request.cwd == original.cwd && request.session == original.session,
          "the flavors read a request's time, model, cost or task differently")
      }
    }
    precondition(
      byTime[1].mapValues(\.tokens) == byTime[2].mapValues(\.tokens), "Roo Code and Kilo Code count differently")
  }

  // MARK: - Agents' importers

  /// A scan's requests in id order.
  static func sorted(_ scan: AgentScan) -> [AgentRequest] { scan.requests.sorted { $0.id < $1.id } }

  /// `bytes` written as the file at `path`, read by an importer's `read`, its requests checked.
  static func readFile(
    _ bytes: UnsafeBufferPointer<UInt8>, at path: String, with read: (String, inout AgentScan) throws -> Void,
    prefix: String, agent: String
  ) {
    guard put(bytes, at: path) else { return }
    var scan = AgentScan()
    try? read(path, &scan)
    check(scan, prefix: prefix, agent: agent)
  }

  /// What every importer promises of the requests it keeps: its own ids and name, counts within the limits,
  /// a model, a cost within the limits, a time that can be written.
  static func check(_ scan: AgentScan, prefix: String, agent: String) {
    for request in scan.requests {
      precondition(request.id.hasPrefix(prefix), "\(agent): a request id without \(prefix)")
      precondition(request.agent == agent, "\(agent): a request of another agent")
      precondition(!request.model.isEmpty, "\(agent): a request without a model")
      let tokens = request.tokens
      for count in [tokens.input, tokens.output, tokens.cacheWrite5m, tokens.cacheWrite1h, tokens.cacheRead] {
        precondition(count >= 0 && count <= UsageLimits.maxTokens, "\(agent): a token count past the limits")
      }
      if let cost = request.cost {
        precondition(
          cost >= .zero && cost.count <= PicoDollars.maxCost, "\(agent): a cost past the limits")
      }
      // The event line that records it writes its time.
      _ = Timestamp.format(request.at)
    }
  }

  // MARK: - Import offsets

  /// A transcript read in two goes (its first part, then the whole file from where the first read stopped,
  /// as an import after the file grew) gives what one read of the whole file gives; the identity taken at the
  /// first read still matches the grown file. The cut is the first byte's share of the length. And a reader
  /// with a small buffer (grown, its unfinished line moved) hands over the lines a whole-file buffer does.
  static func importOffsets(_ bytes: UnsafeBufferPointer<UInt8>) {
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) * (bytes.count + 1) / 256
    guard put(UnsafeBufferPointer(rebasing: bytes[0..<cut]), at: scratch) else { return }
    var parts = ClaudeCodeTranscripts.Scan()
    guard let first = try? ClaudeCodeTranscripts.read(scratch, from: 0, into: &parts, complete: false) else { return }
    precondition(first <= UInt64(cut), "an offset past the end of the file")
    guard let identity = FileIdentity.of(scratch, length: Int(first)) else {
      preconditionFailure("no identity of a file just read")
    }
    precondition(identity.headLength == min(Int(first), FileIdentity.headLimit), "an identity of another length")
    guard put(bytes, at: scratch) else { return }
    precondition(identity.matches(scratch), "a file that only grew is taken for another")
    var whole = ClaudeCodeTranscripts.Scan()
    guard let second = try? ClaudeCodeTranscripts.read(scratch, from: first, into: &parts, complete: false),
      let once = try? ClaudeCodeTranscripts.read(scratch, from: 0, into: &whole, complete: false)
    else { preconditionFailure("a regular file that cannot be read again") }
    precondition(second == once, "two reads end at \(second), one at \(once)")
    func same(_ reason: String) {
      precondition(
        parts.lines == whole.lines && parts.malformedLines == whole.malformedLines,
        "\(reason): lines counted differently")
      precondition(
        parts.requests.mapValues(\.request) == whole.requests.mapValues(\.request), "\(reason): other requests")
    }
    same("read in two goes")
    // The partial last line too, once the writer is taken to be done.
    _ = try? ClaudeCodeTranscripts.read(scratch, from: second, into: &parts, complete: true)
    _ = try? ClaudeCodeTranscripts.read(scratch, from: once, into: &whole, complete: true)
    same("read to the end")

    func lines(chunkSize: Int) -> (lines: [[UInt8]], offset: UInt64) {
      var reader = JSONLinesReader(path: scratch, chunkSize: chunkSize)
      var lines: [[UInt8]] = []
      try? reader.forEachLine(takePartialLastLine: true) { lines.append(Array($0)) }
      return (lines, reader.offset)
    }
    let large = lines(chunkSize: 1 << 20)
    let small = lines(chunkSize: 1)
    precondition(large.lines == small.lines && large.offset == small.offset, "the buffer's size changes the lines")
    precondition(large.offset == UInt64(bytes.count), "a read to the end that stops at \(large.offset)")
  }
}
