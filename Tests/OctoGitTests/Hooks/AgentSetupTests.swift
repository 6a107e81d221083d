import Foundation
import Testing

@testable import OctoGit

@Suite("Wiring coding agents")
struct AgentSetupTests {
  func settings(_ fixture: TestRepository) throws -> JSONValue {
    try CanonicalJSON.parse(try String(contentsOfFile: fixture.path + "/.claude/settings.local.json", encoding: .utf8))
  }

  @Test("install merges a PreToolUse checkpoint hook into the personal settings; uninstall puts back the bytes")
  func mergeAndRemove() throws {
    let fixture = try TestRepository()
    let original =
      #"{"permissions":{"allow":["Bash(npm test)"]},"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":"#
      + #"[{"type":"command","command":"./lint.sh"}]}]}}"#
    try fixture.write(".claude/settings.local.json", original)
    try fixture.octo("install", "--agent", "claude-code")
    let merged = try settings(fixture)
    #expect(merged["permissions"] == (try CanonicalJSON.parse(original))["permissions"])
    let blocks = merged["hooks"]?["PreToolUse"]?.arrayValue ?? []
    #expect(blocks.count == 2)
    let ours = try #require(blocks.last?["hooks"]?.arrayValue?.first?["command"]?.stringValue)
    #expect(ours.contains("checkpoint --quiet --agent claude-code --hook-input -"))
    #expect(blocks.last?["matcher"]?.stringValue == "Edit|MultiEdit|Write|NotebookEdit|Bash")
    let stop = try #require(
      merged["hooks"]?["Stop"]?.arrayValue?.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue)
    #expect(stop.contains("usage import claude-code --hook-input -"))
    #expect(merged["hooks"]?["SessionEnd"]?.arrayValue?.count == 1)
    // Again: nothing changes.
    let before = try String(contentsOfFile: fixture.path + "/.claude/settings.local.json", encoding: .utf8)
    try fixture.octo("install", "--agent", "claude-code")
    #expect(try String(contentsOfFile: fixture.path + "/.claude/settings.local.json", encoding: .utf8) == before)
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.claude/settings.json"))

    // The command as Claude Code runs it: hook JSON on stdin, from any folder.
    try fixture.write("a.txt", "agent about to edit\n")
    let hookJSON =
      #"{"session_id":"sess-42","transcript_path":"/tmp/t.jsonl","cwd":"\#(fixture.path)","#
      + #""hook_event_name":"PreToolUse","tool_name":"Edit"}"#
    let run = try Shell.run("/bin/sh", ["-c", ours], in: fixture.root, input: Data(hookJSON.utf8), home: fixture.home)
    #expect(run.status == 0 && run.stdout.isEmpty, "\(run.stderr)")
    let listed = try CanonicalJSON.parse(try fixture.octo("checkpoints", "list", "--json")).arrayValue?.first
    #expect(listed?["session"]?.stringValue == "sess-42")
    #expect(listed?["agent"]?.stringValue == "claude-code")
    #expect(listed?["message"]?.stringValue == "before Edit")
    // Outside a repository it still exits 0, with one line.
    let lost = try Shell.run(
      "/bin/sh", ["-c", ours], in: fixture.root, input: Data(#"{"cwd":"/"}"#.utf8), home: fixture.home)
    #expect(lost.status == 0 && lost.stderr.hasPrefix("octo-git: no checkpoint taken"))

    try fixture.octo("uninstall")
    #expect(try String(contentsOfFile: fixture.path + "/.claude/settings.local.json", encoding: .utf8) == original)
  }

  @Test("a settings file octo-git created is removed again; a malformed one is reported, not overwritten")
  func createdAndMalformed() throws {
    let fixture = try TestRepository()
    try fixture.octo("install", "--agent", "all")
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/.claude/settings.local.json"))
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.claude/settings.json"))
    try fixture.octo("uninstall")
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.claude"))
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.codex"))
    try fixture.write(".claude/settings.local.json", "{ not json")
    let result = try OctoGitBinary.run(["install", "--agent", "claude-code"], in: fixture.path, home: fixture.home)
    #expect(result.status == ExitStatus.badInput.rawValue)
    #expect(try String(contentsOfFile: fixture.path + "/.claude/settings.local.json", encoding: .utf8) == "{ not json")
    let unknown = try OctoGitBinary.run(["install", "--agent", "vim"], in: fixture.path, home: fixture.home)
    #expect(unknown.status == ExitStatus.usage.rawValue)
  }

  @Test("Codex CLI: .codex/hooks.json gets a checkpoint before Bash and apply_patch and an import at Stop")
  func codex() throws {
    let fixture = try TestRepository()
    let original = #"{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"./notify.sh","timeout":5}]}]}}"#
    try fixture.write(".codex/hooks.json", original)
    try fixture.octo("install", "--agent", "codex")
    let merged = try CanonicalJSON.parse(
      try String(contentsOfFile: fixture.path + "/.codex/hooks.json", encoding: .utf8))
    let pre = try #require(merged["hooks"]?["PreToolUse"]?.arrayValue?.first)
    #expect(pre["matcher"]?.stringValue == "Bash|apply_patch")
    let checkpoint = try #require(pre["hooks"]?.arrayValue?.first?["command"]?.stringValue)
    #expect(checkpoint.contains("checkpoint --quiet --agent codex --hook-input -"))
    let stops = merged["hooks"]?["Stop"]?.arrayValue ?? []
    #expect(stops.count == 2 && stops.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue == "./notify.sh")
    let importer = try #require(stops.last?["hooks"]?.arrayValue?.first?["command"]?.stringValue)
    #expect(merged["hooks"]?["SessionEnd"] == nil)
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.claude"))
    let doctor = try CanonicalJSON.parse(try fixture.octo("doctor", "--json"))
    let wired = (doctor["agents"]?.arrayValue ?? []).map {
      ($0["agent"]?.stringValue ?? "", $0["wired"]?.boolValue ?? false)
    }
    #expect(wired.map(\.0) == ["claude-code", "codex", "gemini", "copilot", "qwen"])
    #expect(wired.map(\.1) == [false, true, false, false, false])
    #expect(doctor["rollup"]?["project"]?.stringValue == fixture.path)

    // Codex runs the PreToolUse hook with its JSON on stdin.
    try fixture.write("a.txt", "before apply_patch\n")
    let payload =
      #"{"session_id":"thread-7","cwd":"\#(fixture.path)","hook_event_name":"PreToolUse","#
      + #""tool_name":"apply_patch","model":"gpt-5.1-codex"}"#
    let run = try Shell.run(
      "/bin/sh", ["-c", checkpoint], in: fixture.root, input: Data(payload.utf8), home: fixture.home)
    #expect(run.status == 0 && run.stdout.isEmpty, "\(run.stderr)")
    let listed = try CanonicalJSON.parse(try fixture.octo("checkpoints", "list", "--json")).arrayValue?.first
    #expect(listed?["agent"]?.stringValue == "codex" && listed?["session"]?.stringValue == "thread-7")
    #expect(listed?["message"]?.stringValue == "before apply_patch")

    // At Stop it imports just that session's rollout, made in this work tree.
    let source = try #require(
      FileManager.default.enumerator(atPath: packageRoot + "/Tests/Fixtures/transcripts-small/codex/sessions")?
        .compactMap { $0 as? String }.filter { $0.hasSuffix(".jsonl") }.sorted().first)
    let text = try String(
      contentsOfFile: packageRoot + "/Tests/Fixtures/transcripts-small/codex/sessions/" + source, encoding: .utf8)
    let rollout = fixture.root + "/rollout.jsonl"
    let cwd = try #require(text.firstMatch(of: /"cwd": "([^"]*)"/)?.1)
    try text.replacingOccurrences(of: "\"cwd\": \"\(cwd)\"", with: "\"cwd\": \"\(fixture.path)\"")
      .write(toFile: rollout, atomically: true, encoding: .utf8)
    let stop =
      #"{"session_id":"thread-7","transcript_path":"\#(rollout)","cwd":"\#(fixture.path)","hook_event_name":"Stop"}"#
    let imported = try Shell.run(
      "/bin/sh", ["-c", importer], in: fixture.root, input: Data(stop.utf8),
      environment: ["CODEX_HOME": fixture.root + "/no-codex-home"], home: fixture.home)
    #expect(imported.status == 0 && imported.stdout.isEmpty, "\(imported.stderr)")
    // Committed history or pending, all of it is Codex's.
    let report = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "agent", "--json"))
    let events = (report["total"]?["events"]?.intValue ?? 0) + (report["pending"]?["events"]?.intValue ?? 0)
    #expect(events == 14, "\(imported.stderr)")
    #expect(report["rows"]?.arrayValue?.allSatisfy { $0["key"]?.stringValue == "codex" } == true)

    try fixture.octo("uninstall")
    #expect(try String(contentsOfFile: fixture.path + "/.codex/hooks.json", encoding: .utf8) == original)
  }
}
