import Foundation
import Testing

@testable import OctoGit

/// octo-git's agent wiring and install leave the user's tracked files, `git status` and git config as they
/// were, with the `git` CLI as the witness.
@Suite("Agent wiring stays personal; uninstall leaves no trace")
struct AgentWiringTests {
  /// A team's tracked Claude Code settings, formatted by hand: tabs, a space before colons, keys out of
  /// order, a hook of the team's, no newline at the end.
  static let teamSettings =
    "{\n\t\"permissions\" : { \"allow\": [ \"Bash(npm test)\" ] },\n\t\"zeta\": 1,   \"alpha\": true,\n"
    + "\t\"hooks\" : {\n\t\t\"Stop\" : [ { \"hooks\": [ { \"type\": \"command\", "
    + "\"command\": \"./notify.sh\" } ] } ]\n\t}\n}"

  func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

  @Test(
    "install --agent all: personal files only, listed in info/exclude; git status stays clean; uninstall restores all")
  func personalAndClean() throws {
    let fixture = try TestRepository()
    try fixture.write(".claude/settings.json", Self.teamSettings)
    try fixture.commitAll("team settings")
    let team = try bytes(fixture.path + "/.claude/settings.json")
    let exclude = try fixture.gitFileBytes("info/exclude")
    #expect(try fixture.git("status", "--porcelain").isEmpty)

    let output = try fixture.octo("install", "--agent", "all")
    #expect(output.contains(".claude/settings.local.json"), "\(output)")
    #expect(try fixture.git("status", "--porcelain").isEmpty)
    #expect(try bytes(fixture.path + "/.claude/settings.json") == team)
    let personal = try String(contentsOfFile: fixture.path + "/.claude/settings.local.json", encoding: .utf8)
    #expect(personal.contains("checkpoint --quiet --agent claude-code --hook-input -"))
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/.codex/hooks.json"))
    // Both are ignored through info/exclude, and git tracks neither.
    let ignored = try fixture.git("status", "--porcelain", "--ignored")
    #expect(ignored.contains("!! .claude/settings.local.json") && ignored.contains("!! .codex/"), "\(ignored)")
    #expect(try fixture.git("check-ignore", "-v", ".claude/settings.local.json").contains("info/exclude"))
    #expect(try fixture.git("ls-files").split(separator: "\n").sorted() == [".claude/settings.json", "README.md"])
    // Running it again changes nothing.
    #expect(try fixture.octo("install", "--agent", "all").isEmpty)

    try fixture.octo("uninstall")
    #expect(try fixture.git("status", "--porcelain", "--ignored").isEmpty)
    #expect(try bytes(fixture.path + "/.claude/settings.json") == team)
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.claude/settings.local.json"))
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.codex"))
    #expect(try fixture.gitFileBytes("info/exclude") == exclude)
  }

  @Test("--shared edits the team's tracked file in place, octo-git through PATH; uninstall puts back its bytes")
  func sharedKeepsFormatting() throws {
    let fixture = try TestRepository()
    try fixture.write(".claude/settings.json", Self.teamSettings)
    try fixture.commitAll("team settings")
    let team = try bytes(fixture.path + "/.claude/settings.json")

    try fixture.octo("install", "--agent", "claude-code", "--shared")
    #expect(try fixture.git("status", "--porcelain") == "M .claude/settings.json")
    let edited = try String(contentsOfFile: fixture.path + "/.claude/settings.json", encoding: .utf8)
    // No machine path: octo-git is found through PATH.
    #expect(!edited.contains(OctoGitBinary.path) && !edited.contains(fixture.root))
    #expect(edited.contains("octo-git checkpoint --quiet --agent claude-code --hook-input -"))
    // git sees additions, and at most the line where they are spliced in as changed.
    let numstat = try fixture.git("diff", "--numstat", "--", ".claude/settings.json").split(separator: "\t")
    #expect(numstat.count == 3 && Int(numstat[1]) ?? 99 <= 2, "\(numstat)")
    let parsed = try CanonicalJSON.parse(edited)
    #expect(
      parsed["hooks"]?["Stop"]?.arrayValue?.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue == "./notify.sh"
    )
    #expect(parsed["hooks"]?["PreToolUse"]?.arrayValue?.count == 1)
    #expect(edited.range(of: "\"zeta\"")!.lowerBound < edited.range(of: "\"alpha\"")!.lowerBound)
    // The personal install sees the team's wiring and adds nothing.
    try fixture.octo("install", "--agent", "claude-code")
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.claude/settings.local.json"))

    try fixture.octo("uninstall")
    #expect(try bytes(fixture.path + "/.claude/settings.json") == team)
    #expect(try fixture.git("status", "--porcelain").isEmpty)
  }

  @Test("a file changed since install loses only octo-git's entries; a committed team file stays without --shared")
  func changedSinceInstall() throws {
    let fixture = try TestRepository()
    let personal = "{\n    \"permissions\": {\n        \"allow\": []\n    }\n}\n"
    try fixture.write(".claude/settings.local.json", personal)
    try fixture.octo("install", "--agent", "claude-code")
    // The user (or Claude Code) changes the file afterwards.
    let path = fixture.path + "/.claude/settings.local.json"
    let installed = try String(contentsOfFile: path, encoding: .utf8)
    try installed.replacingOccurrences(of: "\"allow\": []", with: "\"allow\": [\"Bash(ls)\"]")
      .write(toFile: path, atomically: true, encoding: .utf8)
    try fixture.octo("uninstall")
    #expect(
      try String(contentsOfFile: path, encoding: .utf8)
        == personal.replacingOccurrences(of: "\"allow\": []", with: "\"allow\": [\"Bash(ls)\"]"))

    // A team file committed with octo-git's hooks is the team's: plain uninstall leaves it.
    try fixture.write(".codex/hooks.json", "{}\n")
    try fixture.commitAll("codex hooks")
    try fixture.octo("install", "--agent", "codex", "--shared")
    try fixture.commitAll("wire octo-git for the team")
    let committed = try bytes(fixture.path + "/.codex/hooks.json")
    let output = try fixture.octo("uninstall")
    #expect(output.contains("octo-git uninstall --shared"), "\(output)")
    #expect(try bytes(fixture.path + "/.codex/hooks.json") == committed)
    // A personal install does not turn the team's file into a personal one.
    let again = try fixture.octo("install", "--agent", "codex")
    #expect(again.contains("tracked") || again.contains("team"), "\(again)")
    #expect(try bytes(fixture.path + "/.codex/hooks.json") == committed)
    try fixture.octo("uninstall", "--shared")
    #expect(try String(contentsOfFile: fixture.path + "/.codex/hooks.json", encoding: .utf8) == "{}\n")
  }

  @Test("uninstall takes out the config sections it emptied and keeps the user's")
  func configSections() throws {
    let fixture = try TestRepository()
    let before = try fixture.gitRaw("config", "--local", "--list")
    try fixture.octo("install")
    #expect(try String(contentsOfFile: fixture.path + "/.git/config", encoding: .utf8).contains("[notes"))
    try fixture.octo("uninstall")
    let text = try String(contentsOfFile: fixture.path + "/.git/config", encoding: .utf8)
    #expect(!text.contains("[notes") && !text.contains("[octo"), "\(text)")
    #expect(try fixture.gitRaw("config", "--local", "--list") == before)

    // A section holding the user's own setting stays, with that setting.
    try fixture.git("config", "notes.displayRef", "refs/notes/mine")
    try fixture.octo("install")
    try fixture.octo("uninstall")
    let kept = try String(contentsOfFile: fixture.path + "/.git/config", encoding: .utf8)
    #expect(kept.components(separatedBy: "[notes]").count == 2, "\(kept)")
    #expect(!kept.contains("[notes \""), "\(kept)")
    #expect(try fixture.git("config", "notes.displayRef") == "refs/notes/mine")
  }
}

@Suite("Hooks end up where git runs them")
struct HookManagerTests {
  /// A fake `lefthook` on PATH, as an installed lefthook would be.
  func pathWithLefthook(_ fixture: TestRepository) throws -> String {
    let bin = fixture.root + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    try Data("#!/bin/sh\nexit 0\n".utf8).write(to: URL(fileURLWithPath: bin + "/lefthook"))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/lefthook")
    return bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
  }

  /// PATH without any `lefthook` on it.
  func pathWithoutLefthook() -> String {
    (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
      .filter { !FileManager.default.isExecutableFile(atPath: $0 + "/lefthook") }.joined(separator: ":")
  }

  @Test("lefthook.yml without lefthook installed: octo-git's hooks are written and run; the lines are printed too")
  func lefthookNotInstalled() throws {
    let fixture = try TestRepository()
    try fixture.write("lefthook.yml", "pre-commit:\n  jobs: []\n")
    try fixture.commitAll("lefthook config")
    let result = try OctoGitBinary.run(
      ["install"], in: fixture.path, home: fixture.home, environment: ["PATH": pathWithoutLefthook()])
    #expect(result.status == 0, "\(result.stderr)")
    let output = result.stdout
    #expect(
      output.contains("lefthook is not installed") && output.contains("octo-git hook post-commit || true"), "\(output)")
    #expect(!output.contains(OctoGitBinary.path))
    let hook = try String(contentsOfFile: fixture.path + "/.git/hooks/post-commit", encoding: .utf8)
    #expect(hook.contains(HookInstaller.hookFingerprint))
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "3", "--id", "lefthook-absent")
    try fixture.git("commit", "-q", "--allow-empty", "-m", "with octo-git's hook")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").contains("lefthook-absent"))
    #expect(try PostCommitHook.pendingWithoutHookWarning(fixture.open()) == nil)
  }

  @Test("lefthook installed: only the lines; pending usage with no octo-git hook is warned about")
  func lefthookInstalled() throws {
    let fixture = try TestRepository()
    try fixture.write("lefthook.yml", "pre-commit:\n  jobs: []\n")
    try fixture.commitAll("lefthook config")
    let path = try pathWithLefthook(fixture)
    let result = try OctoGitBinary.run(["install"], in: fixture.path, home: fixture.home, environment: ["PATH": path])
    #expect(result.status == 0 && result.stdout.contains("use_stdin: true"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.git/hooks/post-commit"))

    #expect(try PostCommitHook.pendingWithoutHookWarning(fixture.open()) == nil)
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "3", "--id", "no-hook")
    let warning = try #require(try PostCommitHook.pendingWithoutHookWarning(fixture.open()))
    #expect(warning.contains("no octo-git post-commit hook") && !warning.contains("\n"))
    let doctor = try CanonicalJSON.parse(try fixture.octo("doctor", "--json"))
    #expect(doctor["problems"]?.arrayValue?.contains { $0.stringValue == warning } == true)

    // lefthook's own hook, configured to run octo-git: no warning any more.
    try fixture.write(".git/hooks/post-commit", "#!/bin/sh\n# LEFTHOOK file\nexit 0\n", executable: true)
    try fixture.write(
      "lefthook-local.yml", "post-commit:\n  jobs:\n    - name: octo-git\n      run: octo-git hook post-commit\n")
    #expect(try PostCommitHook.pendingWithoutHookWarning(fixture.open()) == nil)
    let fixed = try CanonicalJSON.parse(try fixture.octo("doctor", "--json"))
    let postCommit = fixed["hooks"]?["hooks"]?.arrayValue?.first { $0["name"]?.stringValue == "post-commit" }
    #expect(postCommit?["state"]?.stringValue == "manager")
  }

  @Test(".husky/ without husky's core.hooksPath: octo-git's hooks are written; husky's lines are printed")
  func huskyNotSetUp() throws {
    let fixture = try TestRepository()
    try fixture.write(".husky/pre-commit", "npm test\n")
    try fixture.commitAll("husky scripts")
    let output = try fixture.octo("install")
    #expect(output.contains("husky is not set up") && output.contains(".husky/post-commit:"), "\(output)")
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/.git/hooks/post-commit"))
    #expect(try fixture.git("status", "--porcelain").isEmpty)
  }

  @Test("a hooks folder inside the work tree: stubs listed in info/exclude, a tracked hook never replaced")
  func hooksInWorkTree() throws {
    let fixture = try TestRepository()
    try fixture.write(".githooks/pre-push", "#!/bin/sh\nexit 0\n", executable: true)
    try fixture.commitAll("team hooks")
    try fixture.git("config", "core.hooksPath", ".githooks")
    let output = try fixture.octo("install")
    #expect(output.contains(".githooks/pre-push is tracked"), "\(output)")
    #expect(try fixture.git("status", "--porcelain").isEmpty)
    #expect(try String(contentsOfFile: fixture.path + "/.githooks/pre-push", encoding: .utf8) == "#!/bin/sh\nexit 0\n")
    #expect(
      try String(contentsOfFile: fixture.path + "/.githooks/post-commit", encoding: .utf8).contains(
        HookInstaller.hookFingerprint))
    try fixture.octo("uninstall")
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.githooks/post-commit"))
    #expect(try fixture.git("status", "--porcelain", "--ignored").isEmpty)
  }
}
