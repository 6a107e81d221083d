import Foundation
import Testing

@testable import OctoGit

/// Claude Code's status line: `octo-git statusline` and `install --statusline`.
@Suite("Claude Code's status line")
struct StatusLineTests: DailyCLISuite {
  /// Claude Code's status-line JSON for `directory`.
  func statusInput(directory: String, session: String = "sess-1", model: String = "Sonnet 4.5", cost: String = "0.001")
    -> String
  {
    let quotedModel = CanonicalJSON.string(.string(model))
    return """
      {"hook_event_name":"Status","session_id":"\(session)","transcript_path":"/nonexistent/t.jsonl",\
      "cwd":"\(directory)","model":{"id":"claude-sonnet-4-5","display_name":\(quotedModel)},\
      "workspace":{"current_dir":"\(directory)","project_dir":"\(directory)"},"version":"2.1.0",\
      "output_style":{"name":"default"},"cost":{"total_cost_usd":\(cost),"total_duration_ms":1000,\
      "total_lines_added":1,"total_lines_removed":0}}
      """
  }

  @Test("statusline: one line of branch cost, session cost, pending and budget, from the cache and pending store only")
  func statusLine() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    try fixture.octo(
      "usage", "record", "--model", "gpt-5", "--out", "10", "--cost", "1.25", "--session", "sess-1", "--id", "e1")
    try fixture.commitAll("work")
    try fixture.octo("usage", "--json")  // the cache knows the commit now
    try fixture.octo(
      "usage", "record", "--model", "gpt-5", "--out", "10", "--cost", "0.5", "--session", "sess-1", "--id", "e2")
    try fixture.git("config", "octo.budget", "10")

    let line = try run(fixture, ["statusline"], input: statusInput(directory: fixture.path))
    #expect(line.status == 0 && line.stderr.isEmpty, "\(line.stderr)")
    #expect(
      line.stdout == "Sonnet 4.5 | main $1.75 | session $1.75 | pending $0.50 (1) | budget $8.25 left\n",
      "\(line.stdout)")

    // Claude Code's own figure, when ahead of what octo-git has, is the session's.
    let live = try run(fixture, ["statusline"], input: statusInput(directory: fixture.path, cost: "3.5"))
    #expect(live.stdout.contains("session $3.50"), "\(live.stdout)")

    // Notes written behind octo-git's back are not read: only the cache counts until a report refreshes it.
    let outside =
      #"{"at":"2026-11-18T10:00:00.000Z","branch":"main","cost":100,"cr":0,"cw1h":0,"cw5m":0,"id":"outside","in":1,"#
      + #""model":"gpt-5","out":1,"v":1}"#
    try fixture.git("notes", "--ref=octo/usage", "append", "-m", outside, "HEAD")
    #expect(try run(fixture, ["statusline"], input: statusInput(directory: fixture.path)).stdout.contains("main $1.75"))
    try fixture.octo("usage", "--json")
    #expect(
      try run(fixture, ["statusline"], input: statusInput(directory: fixture.path)).stdout.contains("main $101.75"))
    #expect(
      try run(fixture, ["statusline"], input: statusInput(directory: fixture.path)).stdout.contains(
        "over budget by $91.75"))

    // Fast: it reads a few files and runs three small queries (the 30 ms goal is for a release build).
    var fastest = TimeInterval.infinity
    for _ in 0..<5 {
      let start = Date()
      _ = try run(fixture, ["statusline"], input: statusInput(directory: fixture.path))
      fastest = min(fastest, Date().timeIntervalSince(start))
    }
    #expect(fastest < 0.5, "statusline took \(fastest) s")
  }

  @Test("statusline never fails: no repository, no ledger, hostile or oversized input, a long line")
  func statusLineHostile() throws {
    let fixture = try TestRepository()
    let fresh = try run(fixture, ["statusline"], input: statusInput(directory: fixture.path, session: "s"))
    #expect(
      fresh.status == 0 && fresh.stdout.contains("main") && fresh.stdout.contains("no usage recorded"),
      "\(fresh.stdout)")
    #expect(
      !FileManager.default.fileExists(atPath: fixture.path + "/.git/octo/ledger.sqlite"),
      "statusline created the ledger")

    let elsewhere = fixture.root + "/elsewhere"
    try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
    let outside = try OctoGitBinary.run(
      ["statusline"], in: elsewhere, home: fixture.home, input: statusInput(directory: elsewhere))
    #expect(outside.status == 0 && outside.stdout.contains("not in a git repository"), "\(outside.stdout)")

    let hostile = try run(
      fixture, ["statusline"],
      input: statusInput(
        directory: fixture.path, model: "\u{1B}]0;owned\u{07}\u{1B}[2J" + String(repeating: "x", count: 500)))
    #expect(hostile.status == 0)
    #expect(!hostile.stdout.contains("\u{1B}") && !hostile.stdout.contains("\u{07}"), "\(hostile.stdout)")
    #expect(hostile.stdout.split(separator: "\n").count == 1)
    #expect(hostile.stdout.dropLast().count <= 120, "\(hostile.stdout.count)")
    #expect(hostile.stdout.contains("main"), "the branch stays when the model is left out: \(hostile.stdout)")

    for input in ["not json at all", "", "[1,2,3]", String(repeating: " ", count: 2 << 20) + "{}"] {
      let result = try run(fixture, ["statusline"], input: input)
      #expect(
        result.status == 0 && result.stdout.split(separator: "\n").count == 1, "\(result.stdout) \(result.stderr)")
      #expect(result.stdout.contains("main"), "falls back to the current directory: \(result.stdout)")
    }
  }

  @Test(
    "install --statusline writes Claude Code's status line, never replacing one the user has; uninstall takes it out")
  func installStatusLine() throws {
    let fixture = try TestRepository()
    let environment = ["CLAUDE_CONFIG_DIR": ""]
    let settings = fixture.path + "/.claude/settings.local.json"
    let installed = try run(fixture, ["install", "--agent", "claude-code", "--statusline"], environment: environment)
    #expect(installed.status == 0, "\(installed.stderr)")
    #expect(installed.stdout.contains("status line"), "\(installed.stdout)")
    let written = try Data(contentsOf: URL(fileURLWithPath: settings))
    let document = try CanonicalJSON.parse(String(decoding: written, as: UTF8.self))
    #expect(document["statusLine"]?["type"]?.stringValue == "command")
    #expect(document["statusLine"]?["command"]?.stringValue?.hasSuffix("octo-git' statusline") == true, "\(document)")
    #expect(document["hooks"]?["PreToolUse"] != nil)
    // Again: nothing changes.
    #expect(
      try run(fixture, ["install", "--agent", "claude-code", "--statusline"], environment: environment).status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: settings)) == written)
    try fixture.octo("uninstall")
    #expect(!FileManager.default.fileExists(atPath: settings))

    // The user's own status line stays, and install says so.
    let own = "{\n  \"statusLine\": {\"type\": \"command\", \"command\": \"~/my-line.sh\"}\n}\n"
    try fixture.write(".claude/settings.local.json", own)
    let kept = try run(fixture, ["install", "--agent", "claude-code", "--statusline"], environment: environment)
    #expect(kept.status == 0)
    #expect(kept.stdout.contains("sets a status line already"), "\(kept.stdout)")
    let after = try CanonicalJSON.parse(
      String(decoding: try Data(contentsOf: URL(fileURLWithPath: settings)), as: UTF8.self))
    #expect(after["statusLine"]?["command"]?.stringValue == "~/my-line.sh")
    try fixture.octo("uninstall")
    #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: settings)), as: UTF8.self) == own)

    // One in the user's settings would be hidden by a project's: none is added.
    try FileManager.default.removeItem(atPath: settings)
    try FileManager.default.createDirectory(atPath: fixture.home + "/.claude", withIntermediateDirectories: true)
    try Data(#"{"statusLine":{"type":"command","command":"ccusage statusline"}}"#.utf8)
      .write(to: URL(fileURLWithPath: fixture.home + "/.claude/settings.json"))
    let user = try run(fixture, ["install", "--agent", "claude-code", "--statusline"], environment: environment)
    #expect(user.stdout.contains("sets a status line already"), "\(user.stdout)")
    let personal = try CanonicalJSON.parse(
      String(decoding: try Data(contentsOf: URL(fileURLWithPath: settings)), as: UTF8.self))
    #expect(personal["statusLine"] == nil && personal["hooks"] != nil)
  }
}
