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

  @Test("SHA-256 as Gemini CLI names projects")
  func sha256() {
    #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hex("/home/user/project") == "9dad1e4e08b0b11cbcd860257e8bdfa6b8e5f01790e10a6a0b1f4870c13e686b")
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
