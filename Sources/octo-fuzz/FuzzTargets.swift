import Foundation
import GRDB

@testable import OctoGit

/// The parsers that read bytes from outside, each as a fuzz target: one input in, no trap, no hang, and
/// where two readers of the same format exist they must agree.
enum FuzzTargets {
  /// The target a fuzzing run exercises: `OCTO_FUZZ_TARGET`.
  static let fromEnvironment: String = {
    let name = ProcessInfo.processInfo.environment["OCTO_FUZZ_TARGET"] ?? ""
    guard names.contains(name) else {
      FileHandle.standardError.write(
        Data("octo-fuzz: set OCTO_FUZZ_TARGET to one of \(names.joined(separator: ", "))\n".utf8))
      exit(2)
    }
    return name
  }()

  static let names = [
    "note-line", "json", "claude-line", "codex-rollout", "archive", "snapshot-state", "folder-cache",
    "hook-input", "template", "gemini-chat", "copilot-events", "opencode-message", "cline-messages", "qwen-chat",
    "json-select", "actions-event", "github-link", "github-api", "copy-row", "import-offsets", "agent-import-state",
    "fsmonitor-response",
  ]

  /// A scratch file for readers that take a path (in memory where the system has /dev/shm).
  static let scratch: String = {
    let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return folder + "/octo-fuzz-\(getpid())"
  }()

  static func withScratchFile(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (String) -> Void) {
    guard put(bytes, at: scratch) else { return }
    body(scratch)
  }

  /// Writes `bytes` as the whole file at `path`, created or truncated (so the same inode each time); false
  /// when it cannot.
  static func put(_ bytes: UnsafeBufferPointer<UInt8>, at path: String) -> Bool {
    _ = cleanUpAtExit
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var written = 0
    while written < bytes.count, let base = bytes.baseAddress {
      let count = Foundation.write(descriptor, base + written, bytes.count - written)
      if count <= 0 { return false }
      written += count
    }
    return true
  }

  /// The scratch file and folder tree are removed when the process exits (libFuzzer and the replay both end
  /// with `exit`).
  static let cleanUpAtExit: Bool = {
    atexit {
      unlink(FuzzTargets.scratch)
      try? FileManager.default.removeItem(atPath: FuzzTargets.scratch + ".d")
    }
    return true
  }()

  /// A scratch folder laid out as the agents lay out their data, created once: readers that look at where a
  /// file is (its folder names the session or the task) get the input as the one file they expect there.
  static let tree: String = {
    _ = cleanUpAtExit
    let root = scratch + ".d"
    for folder in [
      "gemini/tmp/fuzz/chats", "copilot/session-state/0b9c4a52-7a1e-4c3b-9d2f-1a2b3c4d5e01",
      "opencode/storage/message/ses_1",
      "cline/tasks/1893492000000", "qwen/projects/-repo/chats", "state",
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

  /// Runs target `name` on one input.
  static func run(_ name: String, _ bytes: UnsafeBufferPointer<UInt8>) {
    switch name {
    case "note-line":
      // The byte scanner and the general parser must agree on which lines are events, and on their values.
      let scanned = StoredUsageLine.parse(bytes)
      let parsed = try? UsageEvent(line: String(decoding: bytes, as: UTF8.self))
      if let scanned, let parsed {
        precondition(scanned.id == parsed.id && scanned.model == parsed.model, "scanner and parser disagree on names")
        precondition(scanned.tokens == parsed.tokens, "scanner and parser disagree on tokens")
      }
      if scanned != nil, String(validating: bytes, as: UTF8.self) != nil {
        precondition(parsed != nil, "the scanner took a line the parser refuses")
      }
      var lines: [StoredUsageLine] = []
      _ = StoredUsageLine.append(linesIn: UnsafeRawBufferPointer(bytes), to: &lines)
      var totals = UsageTotals()
      for line in lines { totals.add(tokens: line.tokens, costPico: line.costPico, costText: line.costText) }
      _ = totals.costText
    case "json":
      _ = try? CanonicalJSON.parse(bytes: bytes)
    case "claude-line":
      var recent = ClaudeCodeTranscripts.RecentStrings()
      _ = try? ClaudeCodeTranscripts.request(in: bytes, recent: &recent)
    case "codex-rollout":
      withScratchFile(bytes) { path in
        var requests: [AgentRequest] = []
        var malformed = 0
        try? CodexTranscripts.read(path, into: &requests, malformed: &malformed)
      }
    case "archive":
      _ = EventArchive.decode(Data(bytes))
    case "snapshot-state":
      withScratchFile(bytes) { _ = SnapshotState.load(from: $0) }
    case "folder-cache":
      // The seeds' tag is "t"; the header is read as the loader reads it.
      withScratchFile(bytes) { _ = FolderCache.load($0, tag: "t") }
    case "hook-input":
      _ = AgentHookInput(json: Data(bytes))
    case "template":
      let text = String(decoding: bytes, as: UTF8.self)
      _ = try? TemplateLimits.parse(text, name: "fuzz")
    case "gemini-chat":
      // A recording as JSON lines and as one legacy JSON file: a single line (no newline) naming tokens is
      // read alike both ways.
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
    case "copilot-events":
      guard put(bytes, at: copilotEvents) else { return }
      var scan = AgentScan()
      try? CopilotSessions.read(copilotEvents, into: &scan)
      check(scan, prefix: "cp:", agent: "copilot")
    case "opencode-message":
      // One message as a legacy storage/message file and as the `data` of a database row (the row's id
      // column holding the message's id): they are the same message, read alike.
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
    case "cline-messages":
      // One ui_messages.json read as Cline's, Roo Code's and Kilo Code's: the same requests, the forks' input
      // less the cache only where they store the whole prompt.
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
    case "qwen-chat":
      guard put(bytes, at: qwenChat) else { return }
      var scan = AgentScan()
      try? QwenTranscripts.read(qwenChat, into: &scan)
      check(scan, prefix: "qw:", agent: "qwen")
    case "json-select":
      // What the importers read of a line (selected members, members walked one by one, values skipped)
      // never refuses what the full parser accepts, and selects what it reads.
      let full = try? CanonicalJSON.parse(bytes: bytes)
      for selection in selections {
        let selected = try? CanonicalJSON.parse(bytes: bytes, selecting: selection)
        if let full {
          precondition(selected == project(full, selection), "a selective parse differs from the full parse")
        }
      }
      let walked = readsWhole(bytes) { parser in try walk(&parser, depth: 0) }
      let skipped = readsWhole(bytes) { parser in try parser.skipValue(depth: 0) }
      if let full {
        precondition(walked, "JSONWalk refuses what the parser accepts")
        precondition(skipped, "skipValue refuses what the parser accepts")
        var budget = 64
        fields(full, budget: &budget)
      }
    case "actions-event":
      let text = String(decoding: bytes, as: UTF8.self)
      let pull = try? GitHubActionsEvent.parse(text, name: "pull_request")
      precondition(
        pull == (try? GitHubActionsEvent.parse(text, name: "pull_request_target")),
        "pull_request and pull_request_target read differently")
      if case .pullRequest(let event)? = pull {
        precondition(
          event.number > 0 && !event.headRef.isEmpty && !event.baseRef.isEmpty, "a pull request event past its checks")
      }
      let push = try? GitHubActionsEvent.parse(text, name: "push")
      if case .push(let event)? = push {
        precondition(
          !event.ref.isEmpty && event.before?.isZero != true && event.after?.isZero != true,
          "a push event past its checks")
      }
      if let other = try? GitHubActionsEvent.parse(text, name: "workflow_run") {
        precondition(other == .other("workflow_run"), "an event of another name read as a known one")
      }
      withScratchFile(bytes) { path in
        precondition(
          (try? GitHubActionsEvent.read(path: path, name: "push")) == push, "the event file read unlike its text")
      }
      _ = try? GitHubActionsEnvironment(["GITHUB_REPOSITORY": text, "GITHUB_SERVER_URL": text]).repository()
    case "github-link":
      // A Link header's next page is followed only under the API's base (the token is sent to it).
      let header = String(decoding: bytes, as: UTF8.self)
      for apiBase in ["https://api.github.com", "https://ghe.example.com/api/v3", "http://127.0.0.1:8080"] {
        if let next = try? GitHubClient.nextPage(header, apiBase: apiBase) {
          precondition(next.utf8.starts(with: (apiBase + "/").utf8), "a next page outside the API's base")
        }
      }
      _ = GitHubClient.origin(of: header)
    case "github-api":
      githubAnswer(bytes)
    case "copy-row":
      copyRow(bytes)
    case "import-offsets":
      importOffsets(bytes)
    case "agent-import-state":
      // The state read, saved and read again is the same state.
      withScratchFile(bytes) { path in
        let state = AgentImportState.load(path)
        guard (try? state.save(savedImportState)) != nil else { return }
        precondition(
          AgentImportState.load(savedImportState).agents == state.agents, "the import state does not survive a save")
      }
    case "fsmonitor-response":
      fileSystemMonitorAnswer(bytes)
    default:
      FileHandle.standardError.write(
        Data("octo-fuzz: unknown target \(name); known: \(names.joined(separator: ", "))\n".utf8))
      exit(2)
    }
  }

  // MARK: - File-system monitor

  /// A monitor hook's answer is refused, or "everything", or paths that stay in the work tree (relative, no
  /// empty, `.` or `..` component, never in `.git`) with a token that can be given back to the hook.
  static func fileSystemMonitorAnswer(_ bytes: UnsafeBufferPointer<UInt8>) {
    func checkToken(_ token: String) {
      precondition(!token.isEmpty && token.utf8.count <= FileSystemMonitor.maxTokenLength, "a token out of bounds")
      precondition(token.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "a token that is not printable ASCII")
    }
    switch FileSystemMonitor.parse(bytes) {
    case .failed(let reason):
      precondition(!reason.isEmpty, "a failure without a reason")
    case .everything(let token):
      checkToken(token)
    case .changed(let token, let paths):
      checkToken(token)
      precondition(paths.count <= FileSystemMonitor.maxPaths, "more paths than the limit")
      for path in paths {
        let bytes = RawPath.bytes(path)
        precondition(!bytes.contains(0), "a path holding a NUL")
        let parts = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        precondition(
          !parts.contains { $0.isEmpty || $0.elementsEqual([0x2E]) || $0.elementsEqual([0x2E, 0x2E]) },
          "a path leaving the work tree")
        precondition(!(parts.first?.elementsEqual(Array(".git".utf8)) ?? true), "a path in .git")
      }
    }
  }

  // MARK: - Agents' importers

  /// A scan's requests in id order.
  static func sorted(_ scan: AgentScan) -> [AgentRequest] { scan.requests.sorted { $0.id < $1.id } }

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
        precondition(!cost.isNaN && cost >= 0 && cost <= UsageLimits.maxCost, "\(agent): a cost past the limits")
      }
      // The event line that records it writes its time.
      _ = Timestamp.format(request.at)
    }
  }

  // MARK: - JSON as the importers read it

  /// The importers' selections (Copilot's events, Qwen's records, OpenCode's messages, Gemini's messages),
  /// and one that selects nothing.
  static let selections: [CanonicalJSON.Selection] = [
    .members([
      "type": .all, "id": .all, "timestamp": .all,
      "data": .members(["sessionId": .all, "context": .members(["cwd": .all, "branch": .all]), "modelMetrics": .all]),
    ]),
    .members([
      "uuid": .all, "sessionId": .all, "timestamp": .all, "type": .all, "subtype": .all, "cwd": .all, "gitBranch": .all,
      "model": .all, "usageMetadata": .all,
      "systemPayload": .members([
        "uiEvent": .members([
          "event.name": .all, "event.timestamp": .all, "model": .all, "input_token_count": .all,
          "output_token_count": .all,
          "cached_content_token_count": .all, "thoughts_token_count": .all,
        ])
      ]),
    ]),
    .members([
      "id": .all, "sessionID": .all, "role": .all, "modelID": .all, "providerID": .all, "cost": .all, "tokens": .all,
      "time": .all, "path": .all,
    ]),
    .members(["id": .all, "type": .all, "timestamp": .all, "model": .all, "tokens": .all]),
    .members([:]),
  ]

  /// What a selective parse should give: the full value with only the selected members of objects.
  static func project(_ value: JSONValue, _ selection: CanonicalJSON.Selection) -> JSONValue {
    guard case .members(let wanted) = selection, case .object(let members) = value else { return value }
    var kept: [String: JSONValue] = [:]
    for (key, inner) in wanted {
      if let member = members[key] { kept[key] = project(member, inner) }
    }
    return .object(kept)
  }

  /// Whether `body` reads the bytes as one value with nothing but white space around it.
  static func readsWhole(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (inout CanonicalJSON.Parser) throws -> Void)
    -> Bool
  {
    var parser = CanonicalJSON.Parser(bytes: bytes)
    parser.skipSpace()
    do {
      try body(&parser)
    } catch {
      return false
    }
    parser.skipSpace()
    return parser.position == bytes.count
  }

  /// Walks a value as the importers do: objects and arrays member by member with ``JSONWalk``, the rest
  /// parsed.
  static func walk(_ parser: inout CanonicalJSON.Parser, depth: Int) throws {
    guard parser.position < parser.bytes.count else { throw parser.error("unexpected end of input") }
    switch parser.bytes[parser.position] {
    case UInt8(ascii: "{"):
      try JSONWalk.members(&parser, depth: depth) { parser, _ in try walk(&parser, depth: depth + 1) }
    case UInt8(ascii: "["):
      try JSONWalk.elements(&parser, depth: depth) { parser in try walk(&parser, depth: depth + 1) }
    default: _ = try parser.value(depth: depth)
    }
  }

  /// Reads the first `budget` values as the importers read counts, costs and times: within the limits or
  /// refused, never a trap.
  static func fields(_ value: JSONValue, budget: inout Int) {
    guard budget > 0 else { return }
    budget -= 1
    switch value {
    case .array(let items):
      for item in items { fields(item, budget: &budget) }
    case .object(let members):
      for member in members.values { fields(member, budget: &budget) }
    default:
      if let tokens = try? AgentFields.tokens(value) {
        precondition(tokens >= 0 && tokens <= UsageLimits.maxTokens, "a token count past the limits")
      }
      if let cost = try? AgentFields.cost(value) {
        precondition(!cost.isNaN && cost >= 0 && cost <= UsageLimits.maxCost, "a cost past the limits")
      }
      if let at = try? AgentFields.milliseconds(value) { _ = Timestamp.format(at) }
      if let at = try? AgentFields.time(value) { _ = Timestamp.format(at) }
    }
  }

  // MARK: - GitHub's answers

  /// An answer of GitHub's API: its JSON body, after a status line and headers when it starts with `HTTP/`
  /// (read as HTTPClient reads libcurl's header lines). Read as every call reads it, and as a failure.
  static func githubAnswer(_ bytes: UnsafeBufferPointer<UInt8>) {
    let text = String(decoding: bytes, as: UTF8.self)
    var statuses = [401, 403, 404, 422, 429, 500]
    var headers: [String: String] = [:]
    var body = Substring(text)
    if text.hasPrefix("HTTP/"), let blank = text.range(of: "\r\n\r\n") ?? text.range(of: "\n\n") {
      // "\r\n" is one Character: split at either ending.
      let lines = text[..<blank.lowerBound].split { $0 == "\n" || $0 == "\r\n" }
      if let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
        statuses.append(status)
      }
      for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
          in: .whitespacesAndNewlines)
      }
      body = text[blank.upperBound...]
    }
    let value = (try? CanonicalJSON.parse(String(body))) ?? .null
    let client = GitHubClient(
      repository: GitHubRepository(host: "github.com", owner: "acme", name: "app", apiBase: "https://api.github.com"),
      token: "t", maximumWait: 0, sleep: { _ in })
    _ = GitHubClient.pullRequest(value)
    _ = GitHubClient.comment(value)
    if let details = GitHubClient.details(value) {
      precondition(details.number > 0, "a pull request numbered \(details.number)")
    }
    for item in (value.arrayValue ?? []).prefix(256) {
      if let details = GitHubClient.details(item) {
        precondition(details.number > 0, "a pull request numbered \(details.number)")
      }
      _ = GitHubClient.comment(item)
      _ = item["sha"]?.stringValue.flatMap(Oid.init(hex:))
    }
    for status in statuses {
      let response = HTTPClient.Response(status: status, headers: headers, body: Data(body.utf8))
      if let wait = client.retryDelay(response, value) { precondition(wait >= 1, "a wait of \(wait) s") }
      _ = client.failure(response, value, method: status == 422 ? "POST" : "PATCH")
    }
  }

  // MARK: - PostgreSQL COPY rows

  static let copyCommit = Array("0123456789abcdef0123456789abcdef01234567".utf8)

  /// Rows written for `team push` read back as PostgreSQL reads COPY's text format give every value back
  /// (NUL bytes dropped). The event is a usage line when the input reads as one; otherwise its fields are
  /// the input's parts between 0xFF bytes (never UTF-8): id, model, agent, session, user, machine, branch,
  /// feature, cost, prices, project, with the numbers taken from the input's bytes.
  static func copyRow(_ bytes: UnsafeBufferPointer<UInt8>) {
    func word(_ index: Int) -> Int64 {
      var value: UInt64 = 0
      for offset in 0..<8 where index * 8 + offset < bytes.count {
        value |= UInt64(bytes[index * 8 + offset]) << (8 * UInt64(offset))
      }
      return Int64(bitPattern: value)
    }
    var project = "acme/app"
    var line: StoredUsageLine
    if let parsed = StoredUsageLine.parse(bytes) {
      line = parsed
    } else {
      let parts = bytes.split(separator: 0xFF, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
      }
      func part(_ index: Int) -> String? { index < parts.count ? parts[index] : nil }
      line = StoredUsageLine()
      line.id = part(0) ?? ""
      line.model = part(1) ?? ""
      line.agent = part(2)
      line.session = part(3)
      line.user = part(4)
      line.machine = part(5)
      line.branch = part(6)
      line.feature = part(7)
      line.costText = part(8)
      line.prices = part(9)
      if let named = part(10) { project = named }
      line.atMs = word(1)
      line.tokens = TokenCounts(
        input: Int(word(2)), output: Int(word(3)), cacheWrite5m: Int(word(4)), cacheWrite1h: Int(word(5)),
        cacheRead: Int(word(6)))
    }
    var second = line
    second.id += "\t2"
    second.feature = nil
    let order = word(0)
    let events = [(line, order), (second, order &+ 1)]
    var rows = TeamRows(project: project, capacity: 256)
    copyCommit.withUnsafeBufferPointer { commit in
      for (event, order) in events { rows.append(event, commit: commit, order: order) }
    }
    precondition(rows.count == events.count, "rows miscounted")
    let read = copyRows(rows.bytes)
    precondition(read.count == events.count, "COPY reads \(read.count) rows for \(events.count) events")
    func text(_ value: String?) -> [UInt8]? { value.map { Array($0.utf8).filter { $0 != 0 } } }
    for ((event, order), fields) in zip(events, read) {
      let tokens = event.tokens
      let expected: [[UInt8]?] = [
        text(event.id), text(String(event.atMs)), text(project), text(ModelName.normalise(event.model)),
        text(event.model),
        text(event.agent), text(event.session), text(event.user), text(event.machine), text(event.branch),
        text(event.feature), copyCommit, text(String(tokens.input)), text(String(tokens.output)),
        text(String(tokens.cacheWrite5m)), text(String(tokens.cacheWrite1h)), text(String(tokens.cacheRead)),
        text(event.costText), text(event.prices), text(String(order)),
      ]
      precondition(expected.count == TeamRows.columns.count, "a column left out")
      precondition(
        fields.count == TeamRows.columns.count, "COPY reads \(fields.count) columns, not \(TeamRows.columns.count)")
      for (index, (field, value)) in zip(fields, expected).enumerated() {
        precondition(field == value, "COPY reads column \(TeamRows.columns[index]) back differently")
        if let field {
          precondition(String(validating: field, as: UTF8.self) != nil, "COPY text that is not UTF-8")
          precondition(!field.contains(0), "a NUL byte in COPY text")
        }
      }
    }
  }

  /// COPY … FROM STDIN text read as PostgreSQL reads it (CopyReadLineText, CopyReadAttributesText): a line
  /// ends at a newline no backslash escapes; fields are split at tabs no backslash escapes; a field written
  /// `\N` is NULL; `\b \f \n \r \t \v`, `\` and 1–3 octal digits, `\x` and 1–2 hexadecimal digits are
  /// decoded, any other escaped character is itself. A carriage return (a line end to PostgreSQL), an
  /// end-of-data marker `\.`, a backslash at the very end and text after the last newline are refused.
  static func copyRows(_ bytes: [UInt8]) -> [[[UInt8]?]] {
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      precondition(byte != 0x0D, "a raw carriage return in COPY text")
      if byte == UInt8(ascii: "\\") {
        precondition(index + 1 < bytes.count, "a backslash ends the COPY text")
        precondition(bytes[index + 1] != UInt8(ascii: "."), "an end-of-data marker in COPY text")
        index += 2
        continue
      }
      if byte == 0x0A {
        lines.append(bytes[start..<index])
        start = index + 1
      }
      index += 1
    }
    precondition(start == bytes.count, "COPY text after the last newline")
    return lines.map { line in
      var fields: [[UInt8]?] = []
      var field: [UInt8] = []
      var raw: [UInt8] = []
      var position = line.startIndex
      func finish() {
        fields.append(raw == Array(#"\N"#.utf8) ? nil : field)
        field = []
        raw = []
      }
      while position < line.endIndex {
        let byte = line[position]
        position += 1
        if byte == 0x09 {
          finish()
          continue
        }
        raw.append(byte)
        guard byte == UInt8(ascii: "\\") else {
          field.append(byte)
          continue
        }
        guard position < line.endIndex else { break }
        let escaped = line[position]
        position += 1
        raw.append(escaped)
        switch escaped {
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
          var value = Int(escaped - 48)
          for _ in 0..<2 where position < line.endIndex && (48...55).contains(line[position]) {
            value = value * 8 + Int(line[position] - 48)
            raw.append(line[position])
            position += 1
          }
          field.append(UInt8(value & 0xFF))
        case UInt8(ascii: "x"):
          func hex(_ byte: UInt8) -> Int? {
            switch byte {
            case 48...57: return Int(byte - 48)
            case 97...102: return Int(byte - 87)
            case 65...70: return Int(byte - 55)
            default: return nil
            }
          }
          guard position < line.endIndex, var value = hex(line[position]) else {
            field.append(escaped)
            continue
          }
          raw.append(line[position])
          position += 1
          if position < line.endIndex, let low = hex(line[position]) {
            value = value * 16 + low
            raw.append(line[position])
            position += 1
          }
          field.append(UInt8(value))
        case UInt8(ascii: "b"): field.append(0x08)
        case UInt8(ascii: "f"): field.append(0x0C)
        case UInt8(ascii: "n"): field.append(0x0A)
        case UInt8(ascii: "r"): field.append(0x0D)
        case UInt8(ascii: "t"): field.append(0x09)
        case UInt8(ascii: "v"): field.append(0x0B)
        default: field.append(escaped)
        }
      }
      finish()
      return fields
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
