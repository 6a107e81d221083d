import Foundation
import Testing

@testable import OctoGit

@Suite("Reading Claude Code transcripts")
struct ClaudeCodeTranscriptsTests {
  let fixtures = packageRoot + "/Tests/Fixtures"

  struct Totals: Equatable {
    var requests = 0
    var tokens = TokenCounts()
    var cost = UsageTotals()
    var unpriced = 0
  }

  @Test(
    """
    every total of the fixture's expected.json matches: requests, \
    tokens by class, exact cost, unpriced; by model, day and cwd
    """
  )
  func matchesOracle() throws {
    let root = fixtures + "/transcripts-small"
    let files = ClaudeCodeTranscripts.transcriptFiles(in: [root + "/claude/projects"])
    #expect(!files.isEmpty)
    var scan = ClaudeCodeTranscripts.Scan()
    for file in files { try ClaudeCodeTranscripts.read(file.path, into: &scan) }
    let expected = try CanonicalJSON.parse(try String(contentsOfFile: root + "/expected.json", encoding: .utf8))[
      "claude"]!

    var byModel: [String: Totals] = [:]
    var byDay: [String: Totals] = [:]
    var byCwd: [String: Totals] = [:]
    var all = Totals()
    let utc = CalendarMath(timeZone: TimeZone(identifier: "UTC")!)
    for request in scan.requests.values.map(\.request) {
      let event = UsageEvent(id: request.id, at: request.at, model: request.model, tokens: request.tokens)
        .priced(with: .builtIn)
      for key in [ModelName.normalise(request.model)] { add(&byModel[key, default: Totals()], event) }
      add(&byDay[utc.day(of: request.at).text, default: Totals()], event)
      add(&byCwd[request.cwd ?? "", default: Totals()], event)
      add(&all, event)
    }
    func check(_ totals: Totals, _ json: JSONValue?, _ label: String) {
      #expect(json?["requests"]?.intValue == totals.requests, "\(label) requests")
      #expect(json?["in"]?.intValue == totals.tokens.input, "\(label) in")
      #expect(json?["out"]?.intValue == totals.tokens.output, "\(label) out")
      #expect(json?["cw5m"]?.intValue == totals.tokens.cacheWrite5m, "\(label) cw5m")
      #expect(json?["cw1h"]?.intValue == totals.tokens.cacheWrite1h, "\(label) cw1h")
      #expect(json?["cr"]?.intValue == totals.tokens.cacheRead, "\(label) cr")
      #expect(json?["cost"]?.stringValue.flatMap { PicoDollars(plain: $0) } == totals.cost.cost, "\(label) cost")
      #expect(json?["unpriced_requests"]?.intValue == totals.unpriced, "\(label) unpriced")
    }
    check(all, expected["all"]?["all"], "all")
    #expect(Set(byModel.keys) == Set(expected["by_model"]?.objectValue?.keys ?? [:].keys))
    for (key, totals) in byModel { check(totals, expected["by_model"]?[key], key) }
    #expect(Set(byDay.keys) == Set(expected["by_day"]?.objectValue?.keys ?? [:].keys))
    for (key, totals) in byDay { check(totals, expected["by_day"]?[key], key) }
    for (key, totals) in byCwd { check(totals, expected["by_cwd"]?[key], key) }
    #expect(expected["malformed_lines"]?.intValue == scan.malformedLines)
  }

  func add(_ totals: inout Totals, _ event: UsageEvent) {
    totals.requests += 1
    totals.tokens += event.tokens
    totals.cost.add(event)
    if event.cost == nil { totals.unpriced += 1 }
  }

  @Test("a count that is a string, a fraction, negative or absurd makes the line malformed, never a $0 request")
  func strictCounts() throws {
    func line(_ usage: String) -> String {
      #"{"type":"assistant","timestamp":"2030-01-01T10:00:00.000Z","sessionId":"s","message":{"id":"m","#
        + #""model":"claude-sonnet-4-5","usage":{\#(usage)}}}"#
    }
    func request(_ usage: String) throws -> AgentRequest? {
      try Array(line(usage).utf8).withUnsafeBufferPointer { try ClaudeCodeTranscripts.request(in: $0) }
    }
    for bad in [
      #""input_tokens":"12","output_tokens":5"#, #""input_tokens":1,"output_tokens":5.5"#,
      #""input_tokens":-3,"output_tokens":1"#, #""input_tokens":1e3,"output_tokens":1"#,
      #""input_tokens":100000000000000000000000,"output_tokens":1"#, #""input_tokens":900000000000000000"#,
      #""input_tokens":1,"cache_creation":{"ephemeral_5m_input_tokens":true}"#,
    ] {
      #expect(throws: (any Error).self, "\(bad)") { try request(bad) }
    }
    let good = try request(#""input_tokens":12,"output_tokens":null,"cache_read_input_tokens":7"#)
    #expect(good?.tokens.input == 12 && good?.tokens.output == 0 && good?.tokens.cacheRead == 7)
  }

  @Test("the real excerpt gives 8 requests")
  func realExcerpt() throws {
    var scan = ClaudeCodeTranscripts.Scan()
    for file in ClaudeCodeTranscripts.transcriptFiles(in: [fixtures + "/claude-code"]) {
      try ClaudeCodeTranscripts.read(file.path, into: &scan)
    }
    #expect(scan.requests.count == 8)
  }

  @Test(
    "copies of a request with as many output tokens: the one from the earlier file is kept, whatever the reading order")
  func tiesGoToTheEarlierFile() throws {
    func request(_ cwd: String, output: Int) -> AgentRequest {
      AgentRequest(
        id: "cc:m1", agent: "claude-code", at: Date(timeIntervalSince1970: 1_800_000_000), model: "claude-haiku-4-5",
        tokens: TokenCounts(input: 1, output: output, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0), cwd: cwd,
        branch: nil,
        session: nil)
    }
    var early = ClaudeCodeTranscripts.Scan()
    early.keep(request("/first", output: 5), origin: 0)
    var late = ClaudeCodeTranscripts.Scan()
    late.keep(request("/second", output: 5), origin: 1)
    var forward = ClaudeCodeTranscripts.Scan()
    forward.merge(early)
    forward.merge(late)
    var backward = ClaudeCodeTranscripts.Scan()
    backward.merge(late)
    backward.merge(early)
    #expect(forward.requests["cc:m1"]?.request.cwd == "/first" && backward.requests["cc:m1"]?.request.cwd == "/first")
    // More output tokens win wherever they come from.
    backward.keep(request("/third", output: 9), origin: 7)
    #expect(backward.requests["cc:m1"]?.request.cwd == "/third")
  }

  @Test("an older line's costUSD is the cost of a model octo-git has no price for; one that is no amount is left out")
  func costUSD() throws {
    func request(_ cost: String) throws -> AgentRequest? {
      let line =
        #"{"type":"assistant","timestamp":"2026-11-01T10:00:00Z","costUSD":\#(cost),"message":{"id":"m1","#
        + #""model":"claude-3-5-sonnet-20241022","usage":{"input_tokens":1000,"output_tokens":200}}}"#
      return try Array(line.utf8).withUnsafeBufferPointer { try ClaudeCodeTranscripts.request(in: $0) }
    }
    let old = try #require(try request("0.0153"))
    #expect(old.agentCost(unlessPricedBy: .builtIn) == PicoDollars(plain: "0.0153"))
    let odd = try #require(try request("\"a lot\""))
    #expect(odd.cost == nil && odd.tokens.output == 200)
    // Fast mode is billed at a multiple: its own model, never the standard price.
    let fastLine =
      #"{"type":"assistant","timestamp":"2026-11-01T10:00:00Z","message":{"id":"m2","model":"claude-opus-4-6","#
      + #""usage":{"input_tokens":1000,"output_tokens":200,"speed":"fast"}}}"#
    let fast = try #require(
      try Array(fastLine.utf8).withUnsafeBufferPointer { try ClaudeCodeTranscripts.request(in: $0) })
    #expect(fast.model == "claude-opus-4-6-fast")
  }

  @Test("CRLF, empty files, invalid UTF-8, a truncated last line, and reading on from an offset")
  func robustReading() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("octo-git-jsonl-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let line =
      #"{"type":"assistant","timestamp":"2026-11-01T10:00:00Z","cwd":"/r","message":{"id":"m1","#
      + #""model":"claude-haiku-4-5","usage":{"input_tokens":1,"output_tokens":2}}}"#
    var bytes = Data((line + "\r\n\r\n").utf8)
    let badPrefix = Data(#"{"type":"assistant","message":{"usage":{"x":"#.utf8)
    bytes.append(badPrefix)
    bytes.append(contentsOf: [0x22, 0xFF, 0xFE, 0x22, 0x7D, 0x7D, 0x7D, 0x0A])  // invalid UTF-8 in the usage
    // Usage without an id, with a time without its zone, with no model: each said to be unreadable.
    var brokenBytes = 0
    for broken in [
      #"{"type":"assistant","timestamp":"2026-11-01T10:00:00Z","message":{"model":"m","usage":{"input_tokens":1}}}"#,
      #"{"type":"assistant","timestamp":"2026-11-01T10:00:00","message":{"id":"m2","model":"m","usage":{}}}"#,
      #"{"type":"assistant","timestamp":"2026-11-01T10:00:00Z","message":{"id":"m3","model":null,"usage":{}}}"#,
    ] {
      bytes.append(Data((broken + "\n").utf8))
      brokenBytes += broken.utf8.count + 1
    }
    bytes.append(Data(#"{"type":"assistant","timestamp""#.utf8))  // truncated, no newline
    try bytes.write(to: URL(fileURLWithPath: folder + "/a.jsonl"))
    try Data().write(to: URL(fileURLWithPath: folder + "/empty.jsonl"))
    var scan = ClaudeCodeTranscripts.Scan()
    let offset = try ClaudeCodeTranscripts.read(folder + "/a.jsonl", into: &scan, complete: false)
    #expect(scan.requests.count == 1 && scan.malformedLines == 4)
    #expect(offset == UInt64(line.utf8.count + 4 + badPrefix.count + 8 + brokenBytes))
    try ClaudeCodeTranscripts.read(folder + "/empty.jsonl", into: &scan)
    // The writer finishes the line; the next read starts where the last one stopped.
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/a.jsonl"))
    try handle.seekToEnd()
    handle.write(
      Data(
        #":"2026-11-01T10:00:01Z","message":{"id":"m1","model":"claude-haiku-4-5","usage":{"output_tokens":9}}}"#.utf8
          + [0x0A]))
    try handle.close()
    var next = ClaudeCodeTranscripts.Scan()
    try ClaudeCodeTranscripts.read(folder + "/a.jsonl", from: offset, into: &next)
    #expect(next.lines == 1 && next.requests["cc:m1"]?.request.tokens.output == 9)
    // A byte order mark before the first line (an editor on Windows) is not part of the line; a line
    // starting with one further on is no JSON.
    let marked =
      Data([0xEF, 0xBB, 0xBF]) + Data((line + "\n").utf8) + Data([0xEF, 0xBB, 0xBF])
      + Data(line.replacingOccurrences(of: "m1", with: "m2").utf8)
    try marked.write(to: URL(fileURLWithPath: folder + "/marked.jsonl"))
    var withMark = ClaudeCodeTranscripts.Scan()
    try ClaudeCodeTranscripts.read(folder + "/marked.jsonl", into: &withMark)
    #expect(withMark.requests.keys.sorted() == ["cc:m1"] && withMark.malformedLines == 1)
  }
}

@Suite("Reading Codex CLI rollouts")
struct CodexTranscriptsTests {
  @Test("a resumed session's new rollout counts its own requests, not the running total it inherited")
  func resumedRollout() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("codex-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    func count(_ second: Int, total: (Int, Int), last: (Int, Int)) -> String {
      #"{"timestamp":"2030-01-01T10:00:\#(second)0.000Z","type":"event_msg","payload":{"type":"token_count","info":{"#
        + #""total_token_usage":{"input_tokens":\#(total.0),"cached_input_tokens":0,"output_tokens":\#(total.1)},"#
        + #""last_token_usage":{"input_tokens":\#(last.0),"cached_input_tokens":0,"output_tokens":\#(last.1)}}}}"#
    }
    let meta = #"{"timestamp":"2030-01-01T10:00:00.000Z","type":"session_meta","payload":{"id":"s1","cwd":"/r"}}"#
    let first = [
      meta, count(1, total: (1000, 100), last: (1000, 100)), count(2, total: (3000, 300), last: (2000, 200)),
    ]
    // Resumed: its first event carries the inherited total; then the totals drop (a compaction) and grow.
    let second = [
      meta, count(3, total: (3500, 350), last: (500, 50)), count(4, total: (800, 80), last: (800, 80)),
      count(5, total: (1100, 110), last: (300, 30)),
    ]
    try Data((first.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/a.jsonl"))
    try Data((second.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/b.jsonl"))
    var requests: [AgentRequest] = []
    var malformed = 0
    try CodexTranscripts.read(folder + "/a.jsonl", into: &requests, malformed: &malformed)
    try CodexTranscripts.read(folder + "/b.jsonl", into: &requests, malformed: &malformed)
    #expect(requests.map(\.tokens.input) == [1000, 2000, 500, 800, 300])
    #expect(requests.map(\.tokens.output) == [100, 200, 50, 80, 30])
  }

  @Test("every Codex total of the fixture's expected.json matches, by model, day and cwd")
  func matchesOracle() throws {
    let root = packageRoot + "/Tests/Fixtures/transcripts-small"
    let expected = try CanonicalJSON.parse(try String(contentsOfFile: root + "/expected.json", encoding: .utf8))[
      "codex"]!
    var requests: [AgentRequest] = []
    var malformed = 0
    for file in CodexTranscripts.rolloutFiles(in: [root + "/codex"]) {
      try CodexTranscripts.read(file, into: &requests, malformed: &malformed)
    }
    #expect(Set(requests.map(\.id)).count == requests.count)
    func totals(_ selected: [AgentRequest]) -> (Int, TokenCounts, PicoDollars) {
      var tokens = TokenCounts()
      var cost = UsageTotals()
      for request in selected {
        tokens += request.tokens
        cost.add(
          UsageEvent(id: request.id, at: request.at, model: request.model, tokens: request.tokens).priced(
            with: .builtIn))
      }
      return (selected.count, tokens, cost.cost)
    }
    func check(_ selected: [AgentRequest], _ json: JSONValue?, _ label: String) {
      let (count, tokens, cost) = totals(selected)
      #expect(json?["requests"]?.intValue == count, "\(label)")
      #expect(json?["in"]?.intValue == tokens.input, "\(label)")
      #expect(json?["out"]?.intValue == tokens.output, "\(label)")
      #expect(json?["cr"]?.intValue == tokens.cacheRead, "\(label)")
      #expect(json?["cost"]?.stringValue.flatMap { PicoDollars(plain: $0) } == cost, "\(label)")
    }
    check(requests, expected["all"]?["all"], "all")
    for (model, json) in expected["by_model"]?.objectValue ?? [:] {
      check(requests.filter { ModelName.normalise($0.model) == model }, json, model)
    }
    let utc = CalendarMath(timeZone: TimeZone(identifier: "UTC")!)
    for (day, json) in expected["by_day"]?.objectValue ?? [:] {
      check(requests.filter { utc.day(of: $0.at).text == day }, json, day)
    }
    for (cwd, json) in expected["by_cwd"]?.objectValue ?? [:] {
      check(requests.filter { $0.cwd == cwd }, json, cwd)
    }
  }
}
