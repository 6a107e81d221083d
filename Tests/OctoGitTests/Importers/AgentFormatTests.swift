import Foundation
import Testing

@testable import OctoGit

/// The agents' formats read directly: model ids normalised, Gemini CLI's project hash, absurd counts refused.
@Suite("Reading agents' formats")
struct AgentFormatTests {
  @Test(
    "provider-prefixed and Copilot-spelled model ids find their prices",
    arguments: [
      ("openrouter/anthropic/claude-sonnet-4.5", "claude-sonnet-4-5"), ("anthropic/claude-opus-4.5", "claude-opus-4-5"),
      ("google/gemini-2.5-pro", "gemini-2.5-pro"), ("claude-haiku-4.5", "claude-haiku-4-5"),
      ("openrouter/qwen/qwen3-coder-480b-a35b-instruct:free", "qwen3-coder-480b-a35b-instruct"),
      ("github_copilot/gpt-5.4-mini", "gpt-5.4-mini"), ("gemini-3.1-pro-preview", "gemini-3.1-pro-preview"),
    ])
  func normalisation(_ raw: String, _ normalised: String) {
    #expect(ModelName.normalise(raw) == normalised)
    #expect(PriceTable.builtIn.price(for: raw) != nil, "\(raw)")
  }

  @Test("Copilot: each run's shutdown counts whole, running totals only where usage checkpoints show them")
  func copilotRunningTotals() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("copilot-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    func shutdown(_ id: String, _ input: Int, _ reads: Int, _ output: Int) -> String {
      #"{"type":"session.shutdown","data":{"shutdownType":"routine","modelMetrics":{"gpt-5":{"requests":{"count":1},"#
        + #""usage":{"inputTokens":\#(input),"outputTokens":\#(output),"cacheReadTokens":\#(reads),"#
        + #""cacheWriteTokens":0}}}},"id":"\#(id)","timestamp":"2030-02-01T11:00:00.000Z"}"#
    }
    func session(version: String, checkpoint: Bool) -> String {
      [
        #"{"type":"session.start","data":{"sessionId":"s1","copilotVersion":"\#(version)","context":{"cwd":"/r"}},"#
          + #""id":"e1","timestamp":"2030-02-01T10:00:00.000Z"}"#,
        shutdown("e2", 100_000, 80_000, 2_000),
        #"{"type":"session.resume","data":{"context":{"cwd":"/r"}},"id":"e3","timestamp":"2030-02-02T10:00:00.000Z"}"#,
        checkpoint
          ? #"{"type":"session.usage_checkpoint","data":{"totalNanoAiu":5},"id":"e4","#
            + #""timestamp":"2030-02-02T10:01:00.000Z"}"#
          : "",
        shutdown("e5", 130_000, 105_000, 2_500),
        // A compaction started the counters again: counted whole.
        shutdown("e6", 1_000, 0, 10),
      ].filter { !$0.isEmpty }.joined(separator: "\n") + "\n"
    }
    func read(_ text: String) throws -> [String: [Int]] {
      let file = folder + "/events.jsonl"
      try Data(text.utf8).write(to: URL(fileURLWithPath: file))
      var scan = AgentScan()
      try CopilotSessions.read(file, into: &scan)
      var byID: [String: [Int]] = [:]
      for request in scan.requests {
        byID[request.id] = [request.tokens.input, request.tokens.output, request.tokens.cacheRead]
      }
      return byID
    }
    // Each run's counters start again: the shutdown after the resume counts whole, whatever the version.
    for version in ["1.0.50", "1.0.70", "1.0.80"] {
      let counted = try read(session(version: version, checkpoint: false))
      #expect(counted["cp:s1:e2:gpt-5"] == [20_000, 2_000, 80_000])
      #expect(counted["cp:s1:e5:gpt-5"] == [25_000, 2_500, 105_000], "\(version)")
      // Within a run, after the resume's shutdown: a compaction started the counters again, counted whole.
      #expect(counted["cp:s1:e6:gpt-5"] == [1_000, 10, 0])
    }
    // A file with usage checkpoints was written by a CLI whose counters run on: what grew is counted.
    let cumulative = try read(session(version: "1.0.80", checkpoint: true))
    #expect(cumulative["cp:s1:e5:gpt-5"] == [5_000, 500, 25_000])
    #expect(cumulative["cp:s1:e6:gpt-5"] == [1_000, 10, 0])
  }

  @Test("agents' data folders moved by their variables: QWEN_RUNTIME_DIR, QWEN_HOME, CLINE_DATA_DIR, CLINE_DIR")
  func movedFolders() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("homes-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    for name in ["runtime", "qwen-home", "home/.qwen", "cline/data/sessions", "cline-data/sessions"] {
      try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
    }
    let home = folder + "/home"
    #expect(QwenTranscripts.homes(environment: ["HOME": home]) == [home + "/.qwen"])
    #expect(
      QwenTranscripts.homes(environment: ["HOME": home, "QWEN_HOME": folder + "/qwen-home"]) == [folder + "/qwen-home"])
    #expect(
      QwenTranscripts.homes(environment: [
        "HOME": home, "QWEN_HOME": folder + "/qwen-home", "QWEN_RUNTIME_DIR": folder + "/runtime",
      ]) == [folder + "/runtime"])
    #expect(
      ClineTasks.homes(.cline, environment: ["HOME": home, "CLINE_DIR": folder + "/cline"]) == [folder + "/cline/data"])
    #expect(
      ClineTasks.homes(
        .cline, environment: ["HOME": home, "CLINE_DIR": folder + "/cline", "CLINE_DATA_DIR": folder + "/cline-data"])
        == [folder + "/cline-data"])
  }

  @Test("Cline sessions: only Cline's own warning sets a legacy total aside; a file cut mid-rewrite gives nothing yet")
  func clineSessionEdges() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cline-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let sessionFolder = folder + "/sessions/s1"
    try FileManager.default.createDirectory(atPath: sessionFolder, withIntermediateDirectories: true)
    func assistant(_ id: String, _ input: Int, ts: Bool = true) -> String {
      #"{"id":"\#(id)","role":"assistant","# + (ts ? #""ts":1893499205000,"# : "")
        + #""metrics":{"inputTokens":\#(input),"outputTokens":10},"content":[]}"#
    }
    func read(_ messages: [String], cut: Int = 0) throws -> (ids: [String], malformed: Int) {
      var text = #"{"version":1,"sessionId":"s1__agent7","messages":["# + messages.joined(separator: ",") + "]}"
      text.removeLast(cut)
      let file = sessionFolder + "/agent7.messages.json"
      try Data(text.utf8).write(to: URL(fileURLWithPath: file))
      var scan = AgentScan()
      try ClineSessions.read(file, session: ClineSessions.session(at: file), into: &scan)
      #expect(scan.requests.allSatisfy { $0.session == "s1" })
      return (scan.requests.map(\.id).sorted(), scan.malformed)
    }
    let quoted =
      #"{"id":"u1","role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"#
      + #""Warning: this is a legacy conversation, which means"}]}"#
    #expect(try read([assistant("a1", 100), quoted, assistant("a2", 100)]).ids == ["cl:a1", "cl:a2"])
    let warning =
      #"{"id":"u2","role":"user","content":"Warning: this is a legacy conversation, which means tool "#
      + #"names may have changed."}"#
    #expect(try read([assistant("old", 9000, ts: false), warning, assistant("new", 100)]).ids == ["cl:new"])
    let blocks =
      #"{"id":"u3","role":"user","content":[{"type":"text","text":"Warning: this is a legacy "#
      + #"conversation, which means tool names may have changed."}]}"#
    #expect(try read([assistant("old", 9000, ts: false), blocks, assistant("new", 100)]).ids == ["cl:new"])
    // Cut before the warning (Cline rewrites in place): nothing counts until the file is whole again.
    let cut = try read([assistant("old", 9000, ts: false), warning, assistant("new", 100)], cut: 200)
    #expect(cut.ids.isEmpty && cut.malformed == 1)
  }

  @Test("SHA-256 as Gemini CLI names projects")
  func sha256() {
    #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hex("/home/user/project") == "9dad1e4e08b0b11cbcd860257e8bdfa6b8e5f01790e10a6a0b1f4870c13e686b")
  }

  @Test("Qwen Code: a call's telemetry and assistant record count once when they name the model differently")
  func qwenModelNames() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agent-format-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let file = folder + "/qs.jsonl"
    func telemetry(_ uuid: String, model: String, prompt: Int) -> String {
      #"{"uuid":"\#(uuid)","sessionId":"s","timestamp":"2030-03-01T10:00:00Z","type":"system","#
        + #""subtype":"ui_telemetry","systemPayload":{"uiEvent":{"event.name":"qwen-code.api_response","#
        + #""model":"\#(model)","input_token_count":\#(prompt),"output_token_count":20,"#
        + #""cached_content_token_count":100,"thoughts_token_count":0}}}"#
    }
    func assistant(_ uuid: String, model: String, prompt: Int) -> String {
      #"{"uuid":"\#(uuid)","sessionId":"s","timestamp":"2030-03-01T10:00:01Z","type":"assistant","#
        + #""model":"\#(model)","usageMetadata":{"promptTokenCount":\#(prompt),"candidatesTokenCount":20,"#
        + #""cachedContentTokenCount":100,"thoughtsTokenCount":0}}"#
    }
    let lines = [
      telemetry("t1", model: "gpt-4o-2024-08-06", prompt: 500), assistant("a1", model: "gpt-4o", prompt: 500),
      // Another call whose telemetry was never written: its assistant record counts.
      assistant("a2", model: "gpt-4o", prompt: 700),
    ]
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
    var scan = AgentScan()
    try QwenTranscripts.read(file, into: &scan)
    #expect(Set(scan.requests.map(\.id)) == ["qw:t1", "qw:a2"])
    #expect(scan.requests.first { $0.id == "qw:t1" }?.model == "gpt-4o-2024-08-06")
  }

  @Test("counts past the limit, negative or fractional make a record malformed, never a crash")
  func absurdCounts() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agent-format-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let file = folder + "/qs.jsonl"
    let lines = [
      #"{"uuid":"a","sessionId":"s","timestamp":"2030-03-01T10:00:00Z","type":"assistant","model":"m","#
        + #""usageMetadata":{"promptTokenCount":1000000000000000001}}"#,
      #"{"uuid":"b","sessionId":"s","timestamp":"2030-03-01T10:00:00Z","type":"assistant","model":"m","#
        + #""usageMetadata":{"promptTokenCount":99999999999999999999999}}"#,
      #"{"uuid":"c","sessionId":"s","timestamp":"2030-03-01T10:00:00Z","type":"assistant","model":"m","#
        + #""usageMetadata":{"promptTokenCount":1.5}}"#,
      #"{"uuid":"d","sessionId":"s","timestamp":"2030-03-01T10:00:00Z","type":"assistant","model":"m","#
        + #""usageMetadata":{"candidatesTokenCount":-2}}"#,
      #"{"uuid":"e","sessionId":"s","timestamp":"2030-03-01T10:00:00Z","type":"assistant","model":"m","#
        + #""usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":2}}"#,
    ]
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
    var scan = AgentScan()
    try QwenTranscripts.read(file, into: &scan)
    #expect(scan.malformed == 4 && scan.requests.map(\.id) == ["qw:e"])
    let cline = folder + "/tasks/1/ui_messages.json"
    try FileManager.default.createDirectory(atPath: folder + "/tasks/1", withIntermediateDirectories: true)
    try Data(
      #"""
      [{"ts":1e300,"type":"say","say":"api_req_started","text":"{\"tokensIn\":1}"},\#
      {"ts":5,"type":"say","say":"api_req_started","text":"{\"tokensIn\":1,\"cost\":-1}"}]
      """#
      .utf8
    ).write(to: URL(fileURLWithPath: cline))
    var tasks = AgentScan()
    try ClineTasks.read(ClineTasks.task(at: cline, flavor: .cline), flavor: .cline, into: &tasks)
    #expect(tasks.malformed == 2 && tasks.requests.isEmpty)
  }
}
