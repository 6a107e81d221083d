import Foundation
import GRDB
import Testing

@testable import OctoGit

@Suite("Importing Gemini CLI, Copilot CLI, OpenCode, Kilo, Cline, Roo, Kilo Code and Qwen Code usage")
struct AgentImportTests {
  @Test("Gemini: messages rewritten, $set checkpoints, $rewindTo and a migrated legacy file count once")
  func gemini() throws {
    let fixture = try TestRepository()
    let home = try AgentFixture.install("gemini", at: fixture.root + "/gemini", repository: fixture.path)
    let first = try AgentFixture.importing(fixture, "gemini", "--dir", home)
    #expect(first["requests"]?.intValue == 6)
    #expect(first["otherProjects"]?.intValue == 1)
    #expect(first["malformedLines"]?.intValue == 2)
    #expect(first["pending"]?.intValue == 6)
    let events = try AgentFixture.pending(fixture)
    #expect(Set(events.keys) == ["gm:g1", "gm:g2", "gm:g3", "gm:s1", "gm:g5", "gm:g6"])
    // in = input − cached + tool, cr = cached, out = output + thoughts.
    #expect(AgentFixture.tokens(events["gm:g1"]) == [210, 120, 1000, 0, 0])
    #expect(AgentFixture.tokens(events["gm:g2"]) == [500, 150, 1500, 0, 0])
    #expect(AgentFixture.tokens(events["gm:g3"]) == [100, 65, 2000, 0, 0])
    #expect(AgentFixture.tokens(events["gm:s1"]) == [300, 30, 0, 0, 0])
    #expect(AgentFixture.tokens(events["gm:g5"]) == [500, 40, 0, 0, 0])
    #expect(AgentFixture.tokens(events["gm:g6"]) == [200, 100, 600, 0, 0])
    let g1 = try #require(events["gm:g1"])
    #expect(g1["agent"]?.stringValue == "gemini" && g1["model"]?.stringValue == "gemini-2.5-pro")
    #expect(
      g1["session"]?.stringValue == "gs-1" && g1["cost"] != nil
        && g1["prices"]?.stringValue?.hasPrefix("builtin") == true)
    #expect(events["gm:s1"]?["session"]?.stringValue == "sub-1")

    // Nothing changed: nothing is read, nothing is added.
    let again = try AgentFixture.importing(fixture, "gemini", "--dir", home)
    #expect(again["lines"]?.intValue == 0 && again["imported"]?.intValue == 0)
    // Every file read again (a narrowed import is not incremental): still each request once.
    let everything = try AgentFixture.importing(fixture, "gemini", "--dir", home, "--all-projects")
    #expect(everything["imported"]?.intValue == 1 && everything["alreadyRecorded"]?.intValue == 6)
    #expect(try AgentFixture.pending(fixture).count == 7)
  }

  @Test("Copilot: each run from start or resume to its shutdown counts, per model; a run without shutdown adds nothing")
  func copilot() throws {
    let fixture = try TestRepository()
    let home = try AgentFixture.install("copilot", at: fixture.root + "/copilot", repository: fixture.path)
    let first = try AgentFixture.importing(fixture, "copilot", "--dir", home)
    #expect(first["requests"]?.intValue == 3)
    #expect(first["otherProjects"]?.intValue == 1)
    #expect(first["malformedLines"]?.intValue == 2)
    let session = "0b9c4a52-7a1e-4c3b-9d2f-1a2b3c4d5e01"
    let events = try AgentFixture.pending(fixture)
    #expect(
      Set(events.keys) == [
        "cp:\(session):e4:claude-sonnet-4.5", "cp:\(session):e4:gpt-5.4-mini", "cp:\(session):e7:claude-sonnet-4.5",
      ])
    // inputTokens includes the cache reads and writes; reasoning is inside the output.
    #expect(AgentFixture.tokens(events["cp:\(session):e4:claude-sonnet-4.5"]) == [5000, 900, 30000, 15000, 0])
    #expect(AgentFixture.tokens(events["cp:\(session):e4:gpt-5.4-mini"]) == [3000, 300, 1000, 0, 0])
    #expect(AgentFixture.tokens(events["cp:\(session):e7:claude-sonnet-4.5"]) == [1000, 400, 18000, 1000, 0])
    let first4 = try #require(events["cp:\(session):e4:claude-sonnet-4.5"])
    #expect(first4["at"]?.stringValue == "2030-02-01T10:00:00.000Z" && first4["branch"]?.stringValue == "main")
    #expect(first4["agent"]?.stringValue == "copilot" && first4["prices"]?.stringValue?.hasPrefix("builtin") == true)
    #expect(events["cp:\(session):e7:claude-sonnet-4.5"]?["at"]?.stringValue == "2030-02-02T09:00:00.000Z")

    let again = try AgentFixture.importing(fixture, "copilot", "--dir", home)
    #expect(again["lines"]?.intValue == 0 && again["imported"]?.intValue == 0)
    // The open run ends: its shutdown is appended, and only it is new.
    let log = home + "/session-state/\(session)/events.jsonl"
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    try handle.seekToEnd()
    handle.write(
      Data(
        (#"""
        {"type":"session.shutdown","data":{"shutdownType":"routine",\#
        "modelMetrics":{"claude-sonnet-4.5":{"requests":{"count":1},"usage":{"inputTokens":700,\#
        "outputTokens":50,"cacheReadTokens":600,"cacheWriteTokens":0}}}},"id":"e10",\#
        "timestamp":"2030-02-03T08:30:00.000Z","parentId":"e9"}
        """#
          + "\n").utf8))
    try handle.close()
    let appended = try AgentFixture.importing(fixture, "copilot", "--dir", home)
    #expect(appended["imported"]?.intValue == 1 && appended["alreadyRecorded"]?.intValue == 3)
    let run = try #require(try AgentFixture.pending(fixture)["cp:\(session):e10:claude-sonnet-4.5"])
    #expect(AgentFixture.tokens(run) == [100, 50, 600, 0, 0] && run["at"]?.stringValue == "2030-02-03T08:00:00.000Z")
  }

  /// Creates an OpenCode-schema database at `path` in WAL mode with `rows` (the fixture's `rows.json`
  /// form), returning the open pool: its connections stay open, and never checkpoint, until it goes away.
  static func database(at path: String, rows: [JSONValue], repository: String) throws -> DatabasePool {
    var configuration = Configuration()
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
    let pool = try DatabasePool(path: path, configuration: configuration)
    try pool.write { db in
      try db.execute(
        sql: """
          CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, parent_id TEXT, slug TEXT NOT NULL,
            directory TEXT NOT NULL, title TEXT NOT NULL, version TEXT NOT NULL, time_created INTEGER NOT NULL,
            time_updated INTEGER NOT NULL);
          CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER NOT NULL,
            time_updated INTEGER NOT NULL, data TEXT NOT NULL);
          CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL,
            time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL);
          INSERT INTO session VALUES ('ses_1', 'prj', NULL, 'calm-river', '\(repository)', 'Parser', '1.0.0', \
          1893492000000,
            1893492000000);
          """)
      for row in rows { try insert(row, into: db) }
    }
    return pool
  }

  static func insert(_ row: JSONValue, into db: Database) throws {
    let created = row["created"]?.intValue ?? 0
    try db.execute(
      sql: "INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)",
      arguments: [
        row["id"]?.stringValue, row["session"]?.stringValue, created, created,
        CanonicalJSON.string(row["data"] ?? .null),
      ])
  }

  @Test("OpenCode: assistant messages from rows only in the write-ahead log and from legacy files, each once")
  func openCode() throws {
    let fixture = try TestRepository()
    let home = try AgentFixture.install("opencode", at: fixture.root + "/opencode", repository: fixture.path)
    let rows = try #require(
      try CanonicalJSON.parse(try String(contentsOfFile: home + "/rows.json", encoding: .utf8)).arrayValue)
    let pool = try Self.database(at: home + "/opencode.db", rows: rows, repository: fixture.path)
    // A step's part repeats the message's tokens: never counted.
    try pool.write { db in
      try db.execute(
        sql: "INSERT INTO part VALUES ('prt_1', 'msg_a1', 'ses_1', 1893492020000, 1893492020000, ?)",
        arguments: [
          #"""
          {"type":"step-finish","reason":"stop","cost":0.0123,\#
          "tokens":{"input":100,"output":200,"reasoning":50,"cache":{"read":3000,"write":400}}}
          """#
        ])
    }
    // A fork of the session copies its messages, times and counts kept, under new ids: not requests.
    let copied = try #require(rows.first { $0["id"]?.stringValue == "msg_a1" }?["data"])
    try pool.write { db in
      try db.execute(
        sql: """
          INSERT INTO session VALUES ('ses_f', 'prj', NULL, 'fork', ?, 'Parser (fork)', '1.0.0', 1893492050000,
            1893492050000)
          """, arguments: [fixture.path])
      try Self.insert(
        .object([
          "id": .string("msg_f1"), "session": .string("ses_f"), "created": .int(1_893_492_050_000), "data": copied,
        ]),
        into: db)
    }
    // Every row is still only in the log.
    let main = try Data(contentsOf: URL(fileURLWithPath: home + "/opencode.db"))
    #expect(main.range(of: Data("msg_a1".utf8)) == nil)
    #expect(AgentFiles.size(home + "/opencode.db-wal") > 0)

    let first = try AgentFixture.importing(fixture, "opencode", "--dir", home)
    #expect(first["requests"]?.intValue == 3)
    #expect(first["otherProjects"]?.intValue == 1)
    #expect(first["malformedLines"]?.intValue == 1)
    let events = try AgentFixture.pending(fixture)
    #expect(Set(events.keys) == ["oc:msg_a1", "oc:msg_a2", "oc:msg_old1"])
    // in = input (OpenCode keeps the cache apart), out = output + reasoning.
    #expect(AgentFixture.tokens(events["oc:msg_a1"]) == [100, 250, 3000, 400, 0])
    #expect(AgentFixture.tokens(events["oc:msg_a2"]) == [10, 20, 0, 0, 0])
    #expect(AgentFixture.tokens(events["oc:msg_old1"]) == [40, 5, 0, 0, 0])
    let priced = try #require(events["oc:msg_a1"])
    #expect(priced["agent"]?.stringValue == "opencode" && priced["session"]?.stringValue == "ses_1")
    #expect(
      priced["prices"]?.stringValue?.hasPrefix("builtin") == true
        && priced["cost"]?.decimalValue != Decimal(string: "0.0123"))
    // No price for the model: the agent's own cost, marked.
    let reported = try #require(events["oc:msg_a2"])
    #expect(reported["prices"]?.stringValue == "agent" && reported["cost"]?.decimalValue == Decimal(string: "0.5"))
    // An agent's 0 for tokens of a model it had no price for either is no price: unpriced, never $0.
    func request(_ tokens: TokenCounts, cost: PicoDollars) -> AgentRequest {
      AgentRequest(
        id: "x", agent: "opencode", at: Date(), model: "my-local-model", tokens: tokens, cwd: nil, branch: nil,
        session: nil, cost: cost)
    }
    #expect(request(TokenCounts(input: 100), cost: .zero).agentCost(unlessPricedBy: .builtIn) == nil)
    #expect(request(TokenCounts(), cost: .zero).agentCost(unlessPricedBy: .builtIn) == .zero)
    #expect(request(TokenCounts(input: 1), cost: PicoDollars(5)).agentCost(unlessPricedBy: .builtIn) == PicoDollars(5))

    let again = try AgentFixture.importing(fixture, "opencode", "--dir", home)
    #expect(again["lines"]?.intValue == 0 && again["imported"]?.intValue == 0)
    // A row written since, still only in the log, is the only thing imported.
    try pool.write { db in
      try Self.insert(
        try CanonicalJSON.parse(
          #"""
          {"id":"msg_a5","session":"ses_1","created":1893492070000,"data":{"role":"assistant",\#
          "time":{"created":1893492070000},"modelID":"gpt-5.1","providerID":"openai",\#
          "path":{"cwd":"\#(fixture.path)","root":"\#(fixture.path)"},"cost":0.002,"tokens":{"input":7,\#
          "output":3,"reasoning":1,"cache":{"read":0,"write":0}}}}
          """#
        ),
        into: db)
    }
    let appended = try AgentFixture.importing(fixture, "opencode", "--dir", home)
    #expect(appended["imported"]?.intValue == 1)
    #expect(AgentFixture.tokens(try AgentFixture.pending(fixture)["oc:msg_a5"]) == [7, 4, 0, 0, 0])
    withExtendedLifetime(pool) {}
  }

  @Test("Kilo: kilo.db in OpenCode's schema, events of agent kilo")
  func kilo() throws {
    let fixture = try TestRepository()
    let home = fixture.root + "/kilo"
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    let row = try CanonicalJSON.parse(
      #"""
      {"id":"msg_k1","session":"ses_1","created":1893492000000,"data":{"role":"assistant",\#
      "time":{"created":1893492000000},"modelID":"anthropic/claude-haiku-4.5","providerID":"kilo",\#
      "path":{"cwd":"\#(fixture.path)","root":"\#(fixture.path)"},"cost":0.001,"tokens":{"input":50,"output":60,\#
      "reasoning":0,"cache":{"read":700,"write":80}}}}
      """#
    )
    let pool = try Self.database(at: home + "/kilo.db", rows: [row], repository: fixture.path)
    let first = try AgentFixture.importing(fixture, "kilo", "--dir", home)
    #expect(first["requests"]?.intValue == 1)
    let event = try #require(try AgentFixture.pending(fixture)["kl:msg_k1"])
    #expect(event["agent"]?.stringValue == "kilo" && AgentFixture.tokens(event) == [50, 60, 700, 80, 0])
    #expect(event["prices"]?.stringValue?.hasPrefix("builtin") == true)
    withExtendedLifetime(pool) {}
  }

  @Test(
    """
    Cline: api_req_started and subagent entries, cancelled ones \
    too; a task with no known folder only with --all-projects
    """
  )
  func cline() throws {
    let fixture = try TestRepository()
    let home = try AgentFixture.install("cline", at: fixture.root + "/cline", repository: fixture.path)
    let first = try AgentFixture.importing(fixture, "cline", "--dir", home)
    #expect(first["requests"]?.intValue == 7)
    #expect(first["otherProjects"]?.intValue == 1)
    #expect(first["malformedLines"]?.intValue == 1)
    let task = "cl:1893492000000:"
    let events = try AgentFixture.pending(fixture)
    #expect(Set(events.keys) == Set(["01", "05", "11", "13", "14", "15", "16"].map { task + "18934920\($0)000" }))
    // Cline keeps tokensIn apart from the cache (Anthropic's way, and a request naming no provider)...
    #expect(AgentFixture.tokens(events[task + "1893492001000"]) == [12, 340, 15000, 2000, 0])
    #expect(AgentFixture.tokens(events[task + "1893492005000"]) == [5, 17, 16000, 0, 0])
    #expect(AgentFixture.tokens(events[task + "1893492011000"]) == [900, 80, 0, 0, 0])
    // ...but not for some OpenAI-compatible providers: the prompt's whole count, its cache-miss count as the
    // writes (openai); reads and writes inside (requesty, litellm); misses apart (deepseek).
    #expect(AgentFixture.tokens(events[task + "1893492013000"]) == [2000, 500, 8000, 0, 0])
    #expect(AgentFixture.tokens(events[task + "1893492014000"]) == [1000, 100, 1000, 3000, 0])
    #expect(AgentFixture.tokens(events[task + "1893492015000"]) == [700, 50, 300, 0, 0])
    #expect(AgentFixture.tokens(events[task + "1893492016000"]) == [2000, 60, 1500, 500, 0])
    #expect(events[task + "1893492001000"]?["model"]?.stringValue == "claude-opus-4-5")
    #expect(events[task + "1893492005000"]?["model"]?.stringValue == "claude-sonnet-4-5-20250929")
    #expect(events[task + "1893492005000"]?["at"]?.stringValue == "2030-01-01T10:00:05.000Z")
    #expect(events[task + "1893492005000"]?["session"]?.stringValue == "1893492000000")

    let again = try AgentFixture.importing(fixture, "cline", "--dir", home)
    #expect(again["lines"]?.intValue == 0 && again["imported"]?.intValue == 0)
    let everything = try AgentFixture.importing(fixture, "cline", "--dir", home, "--all-projects")
    #expect(everything["imported"]?.intValue == 1 && everything["alreadyRecorded"]?.intValue == 7)
    #expect(try AgentFixture.pending(fixture)["cl:1893495600000:1893495601000"] != nil)
  }

  @Test("Roo Code and Kilo Code: the whole prompt in tokensIn, history in history_item.json and _index.json")
  func clineForks() throws {
    let fixture = try TestRepository()
    let roo = try AgentFixture.install("roo", at: fixture.root + "/roo", repository: fixture.path)
    let kiloCode = try AgentFixture.install("kilo-code", at: fixture.root + "/kilo-code", repository: fixture.path)
    let first = try AgentFixture.importing(fixture, "roo", "--dir", roo)
    #expect(first["requests"]?.intValue == 3 && first["otherProjects"]?.intValue == 0)
    let second = try AgentFixture.importing(fixture, "kilo-code", "--dir", kiloCode)
    #expect(second["requests"]?.intValue == 1)
    let events = try AgentFixture.pending(fixture)
    #expect(AgentFixture.tokens(events["ro:1893578400000:1893578401000"]) == [2000, 500, 18000, 1000, 0])
    #expect(AgentFixture.tokens(events["ro:1893578400000:1893578405000"]) == [1000, 100, 4000, 0, 0])
    #expect(events["ro:1893578400000:1893578401000"]?["agent"]?.stringValue == "roo")
    // Roo wrote no model: unpriced by octo-git, the agent's cost kept.
    #expect(events["ro:1893578400000:1893578401000"]?["prices"]?.stringValue == "agent")
    // Summarizing the conversation (a context condense) is a call of its own, of which Roo keeps the cost only.
    let condense = try #require(events["ro:1893578400000:1893578406000:condense"])
    #expect(condense["cost"]?.decimalValue == Decimal(string: "0.42") && condense["prices"]?.stringValue == "agent")
    #expect(AgentFixture.tokens(condense) == [0, 0, 0, 0, 0])
    let kilo = try #require(events["kc:1893664800000:1893664801000"])
    #expect(AgentFixture.tokens(kilo) == [500, 50, 2500, 0, 0] && kilo["agent"]?.stringValue == "kilo-code")
    #expect(kilo["prices"]?.stringValue?.hasPrefix("builtin") == true)
  }

  @Test("Qwen: a call described by an assistant record and by telemetry counts once; subagents' calls count")
  func qwen() throws {
    let fixture = try TestRepository()
    let home = try AgentFixture.install("qwen", at: fixture.root + "/qwen", repository: fixture.path)
    let first = try AgentFixture.importing(fixture, "qwen", "--dir", home)
    #expect(first["requests"]?.intValue == 3)
    #expect(first["otherProjects"]?.intValue == 1)
    #expect(first["malformedLines"]?.intValue == 1)
    let events = try AgentFixture.pending(fixture)
    #expect(Set(events.keys) == ["qw:r2", "qw:r4", "qw:r5"])
    // in = prompt − cached, out = candidates (thoughts inside).
    #expect(AgentFixture.tokens(events["qw:r2"]) == [1000, 300, 4000, 0, 0])
    #expect(AgentFixture.tokens(events["qw:r4"]) == [800, 60, 0, 0, 0])
    #expect(AgentFixture.tokens(events["qw:r5"]) == [500, 200, 6500, 0, 0])
    #expect(events["qw:r4"]?["model"]?.stringValue == "qwen3-coder-480b-a35b-instruct")
    #expect(events["qw:r2"]?["branch"]?.stringValue == "main" && events["qw:r2"]?["agent"]?.stringValue == "qwen")
    let again = try AgentFixture.importing(fixture, "qwen", "--dir", home)
    #expect(again["lines"]?.intValue == 0 && again["imported"]?.intValue == 0)
  }

  @Test("all: every agent found under a home folder, one summary each")
  func all() throws {
    let fixture = try TestRepository()
    let home = fixture.root + "/someone"
    try AgentFixture.install("gemini", at: home + "/.gemini", repository: fixture.path)
    try AgentFixture.install("copilot", at: home + "/.copilot", repository: fixture.path)
    try AgentFixture.install("qwen", at: home + "/.qwen", repository: fixture.path)
    let summaries = try AgentFixture.importing(fixture, "all", "--dir", home)
    #expect(Set(summaries.objectValue?.keys.map { $0 } ?? []) == ["gemini", "copilot", "qwen"])
    #expect(summaries["gemini"]?["requests"]?.intValue == 6)
    #expect(summaries["copilot"]?["requests"]?.intValue == 3)
    #expect(summaries["qwen"]?["requests"]?.intValue == 3)
    let agents = Set(try AgentFixture.pending(fixture).values.compactMap { $0["agent"]?.stringValue })
    #expect(agents == ["gemini", "copilot", "qwen"])
    let again = try AgentFixture.importing(fixture, "all", "--dir", home)
    #expect(again["gemini"]?["imported"]?.intValue == 0 && again["qwen"]?["imported"]?.intValue == 0)
    // Every agent's files were remembered (each agent's state saved after the one write, none lost to another's).
    for agent in ["gemini", "copilot", "qwen"] {
      #expect(again[agent]?["lines"]?.intValue == 0 && again[agent]?["files"]?.intValue == 0, "\(agent)")
    }
  }

  @Test("a folder not laid out as the agent's is a clear message; no data found is not an error")
  func missingFolder() throws {
    let fixture = try TestRepository()
    let wrong = try OctoGitBinary.run(
      ["usage", "import", "gemini", "--dir", fixture.root + "/none"], in: fixture.path, home: fixture.home)
    #expect(wrong.status == ExitStatus.badInput.rawValue && wrong.stderr.contains("no Gemini CLI data"))
    let nothing = try OctoGitBinary.run(["usage", "import", "qwen"], in: fixture.path, home: fixture.home)
    #expect(nothing.status == 0 && nothing.stderr.contains("no Qwen Code data found"))
  }

  @Test("a hook's transcript alone is imported, and a broken hook input never fails")
  func hookInput() throws {
    let fixture = try TestRepository()
    let home = try AgentFixture.install("qwen", at: fixture.root + "/qwen", repository: fixture.path)
    let transcript = home + "/projects/-repo/chats/qs-1.jsonl"
    let hook =
      #"{"session_id":"qs-1","transcript_path":"\#(transcript)","cwd":"\#(fixture.path)","hook_event_name":"Stop"}"#
    let result = try OctoGitBinary.run(
      ["usage", "import", "qwen", "--dir", home, "--hook-input", "-"], in: fixture.root, home: fixture.home, input: hook
    )
    // The transcript's one malformed record is reported; the other project's file is not read at all.
    #expect(result.status == 0 && result.stderr.contains("1 transcript line(s) could not be read"), "\(result.stderr)")
    #expect(try AgentFixture.pending(fixture).count == 3)
    let broken = try OctoGitBinary.run(
      ["usage", "import", "copilot", "--hook-input", "-"], in: fixture.root, home: fixture.home, input: "not json")
    #expect(broken.status == 0)
    // A transcript that is not there is named.
    let gone = hook.replacingOccurrences(of: "qs-1.jsonl", with: "gone.jsonl")
    let missing = try OctoGitBinary.run(
      ["usage", "import", "qwen", "--dir", home, "--hook-input", "-"], in: fixture.root, home: fixture.home, input: gone
    )
    #expect(missing.status == 0 && missing.stderr.contains("gone.jsonl is not a file here"), "\(missing.stderr)")
  }
}
