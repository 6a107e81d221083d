import Foundation
import Testing

@testable import OctoGit

@Suite("Importing Cline's SDK sessions")
struct ClineSessionImportTests {
  @Test(
    """
    Cline on its SDK: sessions' messages files (lead, subagents), cache inside inputTokens, a fork's copies \
    once, a resumed legacy task's old total left to its ui_messages.json; found from CLINE_DIR
    """)
  func clineSessions() throws {
    let fixture = try TestRepository()
    let data = try AgentFixture.install("cline-sdk", at: fixture.root + "/cline-home/data", repository: fixture.path)
    let result = try OctoGitBinary.run(
      ["usage", "import", "cline", "--json"], in: fixture.path, home: fixture.home,
      environment: ["CLINE_DIR": fixture.root + "/cline-home"])
    #expect(result.status == 0, "\(result.stderr)")
    let first = try CanonicalJSON.parse(result.stdout)
    #expect(first["requests"]?.intValue == 5 && first["otherProjects"]?.intValue == 1, "\(result.stdout)")
    let events = try AgentFixture.pending(fixture)
    #expect(Set(events.keys) == ["cl:msg_a1", "cl:msg_a2", "cl:msg_s1", "cl:msg_f1", "cl:msg_n1"])
    // inputTokens holds the cache reads and writes.
    #expect(AgentFixture.tokens(events["cl:msg_a1"]) == [2248, 57, 6819, 2000, 0])
    #expect(AgentFixture.tokens(events["cl:msg_a2"]) == [500, 300, 11000, 500, 0])
    #expect(events["cl:msg_a2"]?["model"]?.stringValue == "claude-sonnet-4-5")
    #expect(events["cl:msg_s1"]?["model"]?.stringValue == "claude-haiku-4-5")
    #expect(events["cl:msg_a1"]?["at"]?.stringValue == "2030-01-01T12:00:05.000Z")
    #expect(events["cl:msg_a1"]?["session"]?.stringValue == "1893499200000_ab12c")
    #expect(events["cl:msg_a1"]?["agent"]?.stringValue == "cline")

    // Rewritten whole as the session goes: read again, nothing is added twice.
    let again = try AgentFixture.importing(fixture, "cline", "--dir", data)
    #expect(again["imported"]?.intValue == 0)
    let messages = data + "/sessions/1893499200000_ab12c/1893499200000_ab12c.messages.json"
    var text = try String(contentsOfFile: messages, encoding: .utf8)
    text = text.replacingOccurrences(
      of: #""text": "Done."}]}"#,
      with: #""text": "Done."}]},"# + "\n"
        + #"    {"id": "msg_a3", "role": "assistant", "ts": 1893499290000, "metrics": {"inputTokens": 700, "#
        + #""outputTokens": 70}, "content": []}"#)
    try Data(text.utf8).write(to: URL(fileURLWithPath: messages))
    let grown = try AgentFixture.importing(fixture, "cline", "--dir", data)
    #expect(grown["imported"]?.intValue == 1)
    #expect(AgentFixture.tokens(try AgentFixture.pending(fixture)["cl:msg_a3"]) == [700, 70, 0, 0, 0])
  }
}
