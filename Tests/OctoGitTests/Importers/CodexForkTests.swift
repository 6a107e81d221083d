import Foundation
import Testing

@testable import OctoGit

/// Codex rollouts that open with copies of another session's lines (forks, resumes, subagents' forks),
/// written here as Codex writes them: each request counted once, under the session that made it.
@Suite("Codex forks and their copies")
struct CodexForkTests {
  /// A rollout of `lines` in a fresh `sessions` folder of a Codex home under `fixture`.
  struct Rollouts {
    let fixture: TestRepository
    let home: String

    init(_ fixture: TestRepository) throws {
      self.fixture = fixture
      home = fixture.root + "/codex-\(UUID().uuidString)"
      try FileManager.default.createDirectory(atPath: home + "/sessions", withIntermediateDirectories: true)
    }

    func write(_ id: String, _ lines: [String]) throws {
      try Data((lines.joined(separator: "\n") + "\n").utf8).write(
        to: URL(fileURLWithPath: home + "/sessions/rollout-2030-01-02T10-00-00-\(id).jsonl"))
    }

    func meta(_ id: String, at time: String, from source: String? = nil) -> String {
      let forked = source.map { #","forked_from_id":"\#($0)""# } ?? ""
      return #"{"timestamp":"2030-01-02T\#(time)Z","type":"session_meta","#
        + #""payload":{"id":"\#(id)","cwd":"\#(fixture.path)"\#(forked)}}"#
    }

    /// A token_count event: running totals and the request's own counts (no cached tokens).
    func count(_ total: (Int, Int), last: (Int, Int), at time: String?) -> String {
      let stamp = time.map { #""timestamp":"2030-01-02T\#($0)Z","# } ?? ""
      return #"{\#(stamp)"type":"event_msg","payload":{"type":"token_count","info":{"#
        + #""total_token_usage":{"input_tokens":\#(total.0),"cached_input_tokens":0,"output_tokens":\#(total.1),"#
        + #""total_tokens":\#(total.0 + total.1)},"last_token_usage":{"input_tokens":\#(last.0),"#
        + #""cached_input_tokens":0,"output_tokens":\#(last.1),"total_tokens":\#(last.0 + last.1)}}}}"#
    }

    /// The pending events after importing the home: ids and output tokens.
    func imported() throws -> [String: Int] {
      _ = try fixture.octo("usage", "import", "codex", "--dir", home)
      let pending = try CanonicalJSON.parse(try fixture.octo("usage", "pending", "--json")).arrayValue ?? []
      var events: [String: Int] = [:]
      for event in pending { events[event["id"]?.stringValue ?? "?"] = event["out"]?.intValue ?? 0 }
      return events
    }
  }

  @Test("a fork of a fork, copies without metas: each request once, under its own session")
  func chain() throws {
    let rollouts = try Rollouts(try TestRepository())
    let a = [
      rollouts.meta("a", at: "10:00:00.000"),
      rollouts.count((100, 10), last: (100, 10), at: "10:00:01.000"),
      rollouts.count((300, 30), last: (200, 20), at: "10:00:10.000"),
    ]
    // b's copies written with a stall of a second in between (a long line).
    let b = [
      rollouts.meta("b", at: "10:05:00.000", from: "a"),
      rollouts.count((100, 10), last: (100, 10), at: "10:05:00.001"),
      rollouts.count((300, 30), last: (200, 20), at: "10:05:01.100"),
      rollouts.count((500, 40), last: (200, 10), at: "10:05:09.000"),
    ]
    let c = [
      rollouts.meta("c", at: "10:09:00.000", from: "b"),
      rollouts.count((100, 10), last: (100, 10), at: "10:09:00.001"),
      rollouts.count((300, 30), last: (200, 20), at: "10:09:00.002"),
      rollouts.count((500, 40), last: (200, 10), at: "10:09:00.003"),
      rollouts.count((800, 45), last: (300, 5), at: "10:09:07.000"),
    ]
    try rollouts.write("a", a)
    try rollouts.write("b", b)
    try rollouts.write("c", c)
    let expected = ["cx:a:110": 10, "cx:a:330": 20, "cx:b:540": 10, "cx:c:845": 5]
    #expect(try rollouts.imported() == expected)
    // Imported again with the middle of the chain gone (deleted, archived elsewhere): the same.
    try FileManager.default.removeItem(atPath: rollouts.home + "/sessions/rollout-2030-01-02T10-00-00-b.jsonl")
    #expect(try rollouts.imported() == expected)
  }

  @Test("a fork of a fork imported after the first session's rollout is gone: each request once")
  func chainWithFirstGone() throws {
    let rollouts = try Rollouts(try TestRepository())
    try rollouts.write(
      "s",
      [
        rollouts.meta("s", at: "10:00:00.000"),
        rollouts.count((100, 10), last: (100, 10), at: "10:00:01.000"),
        rollouts.count((300, 30), last: (200, 20), at: "10:00:10.000"),
      ])
    try rollouts.write(
      "f",
      [
        rollouts.meta("f", at: "10:05:00.000", from: "s"),
        rollouts.count((100, 10), last: (100, 10), at: "10:05:00.001"),
        rollouts.count((300, 30), last: (200, 20), at: "10:05:00.002"),
        rollouts.count((500, 40), last: (200, 10), at: "10:05:09.000"),
      ])
    let expected = ["cx:s:110": 10, "cx:s:330": 20, "cx:f:540": 10]
    #expect(try rollouts.imported() == expected)
    try FileManager.default.removeItem(atPath: rollouts.home + "/sessions/rollout-2030-01-02T10-00-00-s.jsonl")
    try rollouts.write(
      "g",
      [
        rollouts.meta("g", at: "10:09:00.000", from: "f"),
        rollouts.count((100, 10), last: (100, 10), at: "10:09:00.001"),
        rollouts.count((300, 30), last: (200, 20), at: "10:09:00.002"),
        rollouts.count((500, 40), last: (200, 10), at: "10:09:00.003"),
        rollouts.count((800, 45), last: (300, 5), at: "10:09:07.000"),
      ])
    #expect(try rollouts.imported() == expected.merging(["cx:g:845": 5]) { $1 })
  }

  @Test("a fork's own first request answered within the opening burst counts once, under one id")
  func quickFirstRequest() throws {
    let rollouts = try Rollouts(try TestRepository())
    try rollouts.write(
      "a",
      [
        rollouts.meta("a", at: "10:00:00.000"),
        rollouts.count((100, 10), last: (100, 10), at: "10:00:01.000"),
      ])
    try rollouts.write(
      "b",
      [
        rollouts.meta("b", at: "10:05:00.000", from: "a"),
        rollouts.count((100, 10), last: (100, 10), at: "10:05:00.001"),
        rollouts.count((300, 30), last: (200, 20), at: "10:05:00.400"),
      ])
    // The hook names the fork's rollout alone: its source's is read for its running totals.
    let input = #"{"transcript_path":"\#(rollouts.home)/sessions/rollout-2030-01-02T10-00-00-b.jsonl"}"#
    _ = try rollouts.fixture.octo(
      ["usage", "import", "codex", "--dir", rollouts.home, "--hook-input", "-"], input: input)
    // It keeps the source's id, whatever was read: the same request has one id in every import.
    let pending = try rollouts.fixture.octo("usage", "pending", "--json")
    #expect(pending.contains("cx:a:330") && !pending.contains("cx:a:110"), "\(pending)")
    #expect(pending.contains(#""session":"b""#), "\(pending)")
    #expect(try rollouts.imported() == ["cx:a:110": 10, "cx:a:330": 20])
    // The source resumed in a second rollout of its id, holding its next request: a hook reads both.
    try rollouts.write(
      "a-resumed-\(UUID().uuidString.prefix(4))-a",
      [
        rollouts.meta("a", at: "10:06:00.000", from: "a"),
        rollouts.count((900, 90), last: (600, 60), at: "10:06:05.000"),
      ])
    try rollouts.write(
      "c",
      [
        rollouts.meta("c", at: "10:07:00.000", from: "a"),
        rollouts.count((900, 90), last: (600, 60), at: "10:07:00.001"),
        rollouts.count((1000, 95), last: (100, 5), at: "10:07:09.000"),
      ])
    let hook = #"{"transcript_path":"\#(rollouts.home)/sessions/rollout-2030-01-02T10-00-00-c.jsonl"}"#
    _ = try rollouts.fixture.octo(
      ["usage", "import", "codex", "--dir", rollouts.home, "--hook-input", "-"], input: hook)
    #expect(try rollouts.imported() == ["cx:a:110": 10, "cx:a:330": 20, "cx:a:990": 60, "cx:c:1095": 5])
  }

  @Test("another session's request of the same running total, other counts, does not take a copy's place")
  func unrelatedEqualTotal() throws {
    let rollouts = try Rollouts(try TestRepository())
    // The fork's source is gone; an unrelated session happens to reach the same total, split otherwise.
    try rollouts.write(
      "fork",
      [
        rollouts.meta("fork", at: "10:05:00.000", from: "gone"),
        rollouts.count((300, 30), last: (200, 20), at: "10:05:00.001"),
        rollouts.count((400, 35), last: (100, 5), at: "10:05:09.000"),
      ])
    try rollouts.write(
      "other",
      [
        rollouts.meta("other", at: "11:00:00.000"),
        rollouts.count((310, 20), last: (310, 20), at: "11:00:05.000"),
      ])
    #expect(try rollouts.imported() == ["cx:gone:330": 20, "cx:fork:435": 5, "cx:other:330": 20])
  }

  @Test("copies under their source's meta keep its id; what follows is the fork's own, in its own session")
  func copiedMeta() throws {
    let rollouts = try Rollouts(try TestRepository())
    let a = [
      rollouts.meta("a", at: "10:00:00.000"),
      rollouts.count((100, 10), last: (100, 10), at: "10:00:01.000"),
      // After the fork, the source goes on: a request of the same running total as the fork's next one.
      rollouts.count((500, 40), last: (400, 30), at: "10:07:00.000"),
    ]
    let b = [
      rollouts.meta("b", at: "10:05:00.000"),
      rollouts.meta("a", at: "10:05:00.001"),
      rollouts.count((100, 10), last: (100, 10), at: "10:05:00.002"),
      rollouts.count((500, 40), last: (400, 30), at: "10:05:08.000"),
    ]
    try rollouts.write("a", a)
    try rollouts.write("b", b)
    #expect(try rollouts.imported() == ["cx:a:110": 10, "cx:a:540": 30, "cx:b:540": 30])
    let sessions = try rollouts.fixture.octo("usage", "pending", "--json")
    #expect(sessions.contains(#""session":"b""#), "\(sessions)")
  }

  @Test("a line without its time counts at the time before it; a clock stepping back does not end the copies")
  func times() throws {
    let rollouts = try Rollouts(try TestRepository())
    try rollouts.write(
      "solo",
      [
        rollouts.meta("solo", at: "10:00:00.000"),
        rollouts.count((100, 10), last: (100, 10), at: "10:00:05.000"),
        rollouts.count((300, 30), last: (200, 20), at: nil),
        rollouts.count((500, 40), last: (200, 10), at: "10:00:20.000"),
      ])
    let a = [
      rollouts.meta("a", at: "10:00:00.000"),
      rollouts.count((1000, 100), last: (1000, 100), at: "10:00:01.000"),
      rollouts.count((3000, 300), last: (2000, 200), at: "10:00:10.000"),
    ]
    let b = [
      rollouts.meta("b", at: "10:05:00.500", from: "a"),
      rollouts.count((1000, 100), last: (1000, 100), at: "10:05:00.510"),
      rollouts.count((3000, 300), last: (2000, 200), at: "10:05:00.390"),
      rollouts.count((4000, 400), last: (1000, 100), at: "10:05:06.000"),
    ]
    try rollouts.write("a", a)
    try rollouts.write("b", b)
    #expect(
      try rollouts.imported() == [
        "cx:solo:110": 10, "cx:solo:330": 20, "cx:solo:540": 10, "cx:a:1100": 100, "cx:a:3300": 200,
        "cx:b:4400": 100,
      ])
  }
}
