import Foundation
import Testing

@testable import OctoGit

@Suite("Reading usage lines for the cache and the rollup")
struct UsageLineScanningTests {
  func scanned(_ line: String) -> UsageEvent? {
    var copy = line
    return copy.withUTF8 { UsageEvent.scan($0) }
  }

  @Test("the byte scanner accepts and refuses exactly what the general reader does, with the same values")
  func agreesWithUsageEvent() {
    let lines = [
      #"""
      {"agent":"claude-code","at":"2026-03-18T23:30:00.000Z","branch":"main","cost":0.0693,"cr":30000,"cw1h":5000,\#
      "cw5m":0,"id":"a-1","in":100,"machine":"vm","model":"claude-sonnet-4-5","out":2000,"prices":"builtin:x",\#
      "user":"u@example.com","v":1}
      """#,
      #"{"at":"2026-03-18T23:30:00Z","id":"b","model":"m","in":1,"out":2}"#,
      #"{ "v" : 1 , "id" : "sp\u00e9cial \"quoted\"" , "at" : "2026-01-02T03:04:05.678+02:00", "model" : "gpt-5", "#
        + #""cost" : 1.50 }"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"c","model":"m","cost":6.93e-2}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"d","model":"m","cost":0.000000000000001}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"e","model":"m","cost":123456789012345678901234.5}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"f","model":"m","agent":null,"feature":"x","cost":0}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"g","model":"m","cost":-0}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"h","model":"m","cost":-1}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"i","model":"m","in":-5}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"j","model":"m","in":1.5}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"k","model":"m","v":2}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"l","model":"m","v":null}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"m","model":"m","surprise":1}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"n","model":""}"#,
      #"{"at":"not a time","id":"o","model":"m"}"#,
      #"{"id":"p","model":"m"}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","model":"m"}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"q","model":"m","agent":7}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"r","model":"m","agent":{"x":1}}"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"s","model":"m"} trailing"#,
      #"{"at":"2026-03-18T23:30:00.000Z","id":"t","model":"m","in":12,"in":13}"#,
      #"{"at":"2026-03-18T23:30:00.9999999Z","id":"u","model":"m"}"#,
      #"{"at":"9999-12-31T23:59:59.999Z","id":"w","model":"m"}"#,
      #"{"at":"2026-03-18T23:30:00.1239+00:30","id":"x2","model":"m"}"#,
      #"["not","an","object"]"#,
      "",
      "{",
    ]
    // Ids up to 512 bytes, not one more (the team database keys its rows on them), escaped or not.
    let longest = String(repeating: "i", count: UsageLimits.maxIDBytes)
    let ids = [longest, longest + "i", String(repeating: "é", count: 256), String(repeating: "é", count: 256) + "i"]
    let idLines =
      ids.map { #"{"at":"2026-03-18T23:30:00.000Z","model":"m","id":""# + $0 + #""}"# } + [
        #"{"at":"2026-03-18T23:30:00.000Z","model":"m","id":"\u0041"# + String(longest.dropFirst()) + #""}"#,
        #"{"at":"2026-03-18T23:30:00.000Z","model":"m","id":"\u0041"# + longest + #""}"#,
      ]
    #expect(idLines.map { scanned($0) != nil } == [true, false, true, false, true, false])
    for line in lines + idLines {
      let mine = scanned(line)
      let theirs = try? UsageEvent(line: line)
      #expect(mine == theirs, "\(line)")
    }
  }

  @Test("an agent's id past the limit is shortened the same way at every read, and the line it makes is read")
  func agentIDsBounded() throws {
    func request(_ id: String) -> AgentRequest {
      AgentRequest(
        id: id, agent: "codex", at: Date(timeIntervalSince1970: 1_700_000_000), model: "gpt-5",
        tokens: TokenCounts(input: 1), cwd: nil, branch: nil, session: nil)
    }
    #expect(request("cx:s:12").id == "cx:s:12")
    let huge = "cx:" + String(repeating: "é", count: 1500)
    let bounded = request(huge).id
    #expect(bounded.utf8.count <= UsageLimits.maxIDBytes && bounded == request(huge).id)
    #expect(bounded != request(huge + "x").id && bounded.hasPrefix("cx:éé"))
    // U+0000 in an agent's strings (the line would be unreadable once written) is dropped.
    let nul = AgentRequest(
      id: "cx:a\u{0}b", agent: "codex", at: Date(), model: "gpt\u{0}-5", tokens: TokenCounts(input: 1), cwd: nil,
      branch: "ma\u{0}in", session: "s\u{0}1")
    #expect([nul.id, nul.model, nul.branch, nul.session] == ["cx:ab", "gpt-5", "main", "s1"])
    let event = UsageEvent(id: bounded, at: Date(), model: "gpt-5", tokens: TokenCounts(input: 1))
    #expect(try UsageEvent(line: event.line).id == bounded && scanned(event.line)?.id == bounded)
  }

  @Test("a note's lines: each id once (its better copy), malformed lines counted, values repeated kept apart")
  func noteLines() {
    let note = """
      {"agent":"claude-code","at":"2026-03-18T23:30:00.000Z","id":"x1","model":"claude-sonnet-4-5","out":5}
      not json
      {"agent":"claude-code","at":"2026-03-18T23:31:00.000Z","id":"x2","model":"claude-sonnet-4-5","out":6}
      {"agent":"codex","at":"2026-03-18T23:32:00.000Z","id":"x1","model":"gpt-5","out":7}
      {"agent":"codex","at":"2026-03-18T23:33:00.000Z","id":"x3","model":"gpt-5","out":8}

      """
    var copy = note
    let result = copy.withUTF8 { UsageEvent.scanAll(in: UnsafeRawBufferPointer($0)) }
    #expect(result.malformed == 1)
    #expect(result.events.map(\.id) == ["x1", "x2", "x3"])
    // x1 in its better copy (more output, neither priced), where the first was.
    #expect(result.events.map(\.agent) == ["codex", "claude-code", "codex"])
    #expect(result.events.map(\.model) == ["gpt-5", "claude-sonnet-4-5", "gpt-5"])
    #expect(result.events.map(\.tokens.output) == [7, 6, 8])
  }

  @Test("a time's fraction is read exactly and cut after the milliseconds, by both readers")
  func timesExactly() throws {
    for (text, expected) in [
      ("2026-03-18T23:30:00.9999999Z", "2026-03-18T23:30:00.999Z"),
      ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"),
      ("2026-03-18T23:30:00.1239+00:30", "2026-03-18T23:00:00.123Z"),
      ("1969-12-31T23:59:59.9991Z", "1969-12-31T23:59:59.999Z"),
    ] {
      let line = #"{"at":"\#(text)","id":"a","model":"m"}"#
      let parsed = try UsageEvent(line: line)
      #expect(Timestamp.format(milliseconds: parsed.atMs) == expected, "\(text)")
      #expect(scanned(line)?.atMs == parsed.atMs, "\(text)")
    }
  }
}
