import Foundation
import Testing

@testable import OctoGit

@Suite("Recording usage")
struct UsageRecordTests {
  @Test("an event's line is canonical and reads back identically")
  func lineRoundTrip() throws {
    let event = UsageEvent(
      id: "msg_1", at: Timestamp.parse("2026-11-23T10:00:00.123Z")!, agent: "claude-code", session: "s",
      model: "claude-sonnet-4-5",
      tokens: TokenCounts(input: 1, output: 2, cacheWrite5m: 3, cacheWrite1h: 4, cacheRead: 5),
      cost: PicoDollars(plain: "0.000123")!,
      prices: "builtin:x", user: "ü@example.com", machine: "m", branch: "main", feature: "f")
    #expect(
      event.line
        == #"""
        {"agent":"claude-code","at":"2026-11-23T10:00:00.123Z","branch":"main","cost":0.000123,"cr":5,"cw1h":4,\#
        "cw5m":3,"feature":"f","id":"msg_1","in":1,"machine":"m","model":"claude-sonnet-4-5","out":2,\#
        "prices":"builtin:x","session":"s","user":"ü@example.com","v":1}
        """#
    )
    #expect(try UsageEvent(line: event.line) == event)
  }

  @Test("an event's line is byte for byte what the general canonical writer makes of its members")
  func lineMatchesGeneralWriter() throws {
    let at = Timestamp.parse("2026-01-02T03:04:05.006Z")!
    let events = [
      UsageEvent(id: "a", at: at, agent: nil, session: nil, model: "gpt-5", tokens: TokenCounts()),
      UsageEvent(
        id: "cc:msg \"quoted\"\n", at: at, agent: "codex", session: "s\\1", model: "claude-opus-4-1",
        tokens: TokenCounts(input: 12_345_678_901, output: 0, cacheWrite5m: 7, cacheWrite1h: 0, cacheRead: 99),
        cost: PicoDollars(plain: "999999999.123456789012")!, prices: "user:/a b", user: "é@x", machine: "m\u{01}",
        branch: "feature/ü", feature: "f"),
      UsageEvent(
        id: "z", at: at, agent: "claude-code", session: nil, model: "m",
        tokens: TokenCounts(input: 1, output: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0),
        cost: PicoDollars(1), prices: nil, user: nil, machine: nil, branch: nil, feature: nil),
    ]
    for event in events {
      var members: [String: JSONValue] = [
        "v": .int(1), "id": .string(event.id), "at": .string(Timestamp.format(event.at)), "model": .string(event.model),
        "in": .int(event.tokens.input), "out": .int(event.tokens.output), "cw5m": .int(event.tokens.cacheWrite5m),
        "cw1h": .int(event.tokens.cacheWrite1h), "cr": .int(event.tokens.cacheRead),
      ]
      if let cost = event.cost { members["cost"] = .number(cost.plainText) }
      for (key, value) in [
        ("agent", event.agent), ("session", event.session), ("prices", event.prices), ("user", event.user),
        ("machine", event.machine), ("branch", event.branch), ("feature", event.feature),
      ] {
        if let value { members[key] = .string(value) }
      }
      #expect(event.line == CanonicalJSON.string(.object(members)))
      #expect(try UsageEvent(line: event.line) == event)
    }
  }

  @Test(
    "a batch with one bad line is refused whole, naming the line",
    arguments: [
      (#"{"model":"gpt-5","in":-1}"#, "non-negative"), (#"{"model":"gpt-5","bogus":1}"#, "unknown field"),
      (#"{"model":"gpt-5","at":"1999-01-01T00:00:00Z"}"#, "plausible"), (#"{"in":5}"#, "model"),
      (#"{"model":"gpt-5","in":1.5}"#, "whole number"), (#"{"model":"gpt-5","#, "JSON"),
    ])
  func badBatch(_ bad: String, _ complaint: String) throws {
    let fixture = try TestRepository()
    let input = #"{"model":"gpt-5","in":10}"# + "\n\n" + bad + "\n"
    let result = try OctoGitBinary.run(["usage", "record"], in: fixture.path, home: fixture.home, input: input)
    #expect(result.status == ExitStatus.badInput.rawValue)
    #expect(result.stderr.contains("line 3"), "\(result.stderr)")
    #expect(result.stderr.contains(complaint), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1)
    #expect(try fixture.octo("usage", "pending", "--json") == "[]\n")
  }

  @Test("flags: bad numbers are refused; a good event is pending with its price")
  func flags() throws {
    let fixture = try TestRepository()
    let negative = try OctoGitBinary.run(
      ["usage", "record", "--model", "gpt-5", "--in", "-5"], in: fixture.path, home: fixture.home)
    #expect(negative.status != 0)
    let text = try OctoGitBinary.run(
      ["usage", "record", "--model", "gpt-5", "--in", "ten"], in: fixture.path, home: fixture.home)
    #expect(text.status == ExitStatus.usage.rawValue)
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1000000", "--agent", "codex", "--id", "evt-1")
    // The same id again changes nothing.
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1000000", "--agent", "codex", "--id", "evt-1")
    let pending = try CanonicalJSON.parse(try fixture.octo("usage", "pending", "--json")).arrayValue ?? []
    #expect(pending.count == 1)
    #expect(pending.first?["cost"]?.decimalValue == Decimal(string: "1.25"))
    #expect(pending.first?["agent"]?.stringValue == "codex")
    #expect(pending.first?["branch"]?.stringValue == "main")
  }
}
