import Foundation
import Testing

@testable import OctoGit

/// What uninstall does with an agent file the user changed between two installs: their changes stay.
@Suite("Agent files the user changed between installs")
struct AgentFileOwnershipTests {
  static let file = "/.claude/settings.local.json"

  func text(_ fixture: TestRepository) throws -> String {
    try String(contentsOfFile: fixture.path + Self.file, encoding: .utf8)
  }

  @Test("settings added between two installs survive uninstall, octo-git's entries go; permissions are kept")
  func editedBetweenInstalls() throws {
    let fixture = try TestRepository()
    try fixture.write(".claude/settings.local.json", "{\n  \"model\": \"opus\"\n}\n")
    chmod(fixture.path + Self.file, 0o600)
    try fixture.octo("install", "--agent", "claude-code")
    // The user drops octo-git's Stop hook and adds a setting; the next install adds the hook again.
    var settings = try JSONText.document(Data(try text(fixture).utf8), path: "settings")
    _ = try AgentSetup.removeEntries(from: &settings, keep: []) { $0.contains("usage import claude-code") }
    let edited = String(decoding: settings.bytes, as: UTF8.self).replacingOccurrences(
      of: "\"model\": \"opus\"", with: "\"model\": \"opus\",\n  \"permissions\": {\"allow\": [\"Bash(npm test)\"]}")
    try fixture.write(".claude/settings.local.json", edited)
    try fixture.octo("install", "--agent", "claude-code")
    try fixture.octo("uninstall")
    let after = try CanonicalJSON.parse(try text(fixture))
    #expect(after["permissions"] != nil && after["model"]?.stringValue == "opus" && after["hooks"] == nil, "\(after)")
    var status = stat()
    #expect(stat(fixture.path + Self.file, &status) == 0 && status.st_mode & 0o777 == 0o600)
  }

  @Test("a file octo-git created, then written anew by the user, is the user's: uninstall keeps it")
  func recreatedByUser() throws {
    let fixture = try TestRepository()
    try fixture.octo("install", "--agent", "claude-code")
    try FileManager.default.removeItem(atPath: fixture.path + Self.file)
    try fixture.write(".claude/settings.local.json", "{\n  \"model\": \"opus\"\n}\n")
    try fixture.octo("install", "--agent", "claude-code")
    try fixture.octo("uninstall")
    let after = try CanonicalJSON.parse(try text(fixture))
    #expect(after["model"]?.stringValue == "opus" && after["hooks"] == nil, "\(after)")
  }

  @Test("a settings file made a symbolic link since install is not replaced by a file at uninstall")
  func linkedSince() throws {
    let fixture = try TestRepository()
    try fixture.octo("install", "--agent", "claude-code")
    let dotfiles = fixture.root + "/dotfiles.json"
    try FileManager.default.moveItem(atPath: fixture.path + Self.file, toPath: dotfiles)
    try FileManager.default.createSymbolicLink(atPath: fixture.path + Self.file, withDestinationPath: dotfiles)
    let uninstalled = try fixture.octo("uninstall")
    #expect(uninstalled.contains("is a symbolic link now"), "\(uninstalled)")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.path + Self.file) == dotfiles)
  }

  @Test("a file octo-git cannot read any more keeps its record: each uninstall says to mend it by hand")
  func unreadableSince() throws {
    let fixture = try TestRepository()
    try fixture.octo("install", "--agent", "claude-code")
    try fixture.write(".claude/settings.local.json", "// mine\n" + (try text(fixture)))
    for _ in 0..<2 {
      let uninstalled = try fixture.octo("uninstall")
      #expect(uninstalled.contains("is not JSON any more: take octo-git's hooks out by hand"), "\(uninstalled)")
    }
    #expect(try text(fixture).contains("usage import claude-code"))
  }

  @Test("a settings file naming a key twice is refused before anything is installed: the agent reads the last")
  func duplicateKeys() throws {
    let fixture = try TestRepository()
    let original = #"{"hooks":{"Stop":[]},"hooks":{"PreToolUse":[]}}"# + "\n"
    try fixture.write(".claude/settings.local.json", original)
    let refused = try OctoGitBinary.run(["install", "--agent", "claude-code"], in: fixture.path, home: fixture.home)
    #expect(refused.status == ExitStatus.badInput.rawValue && refused.stderr.contains("\"hooks\" twice"))
    #expect(
      try text(fixture) == original && !FileManager.default.fileExists(atPath: fixture.path + "/.git/hooks/post-commit")
    )
  }

  @Test("install --statusline refuses a personal settings file it cannot edit before installing anything")
  func statusLineRefusedFirst() throws {
    let fixture = try TestRepository()
    try fixture.octo("install", "--agent", "claude-code", "--shared")
    try fixture.commitAll("team settings")
    try fixture.octo("uninstall")
    try fixture.write(".claude/settings.local.json", "{\n  \"model\": \"opus\", // mine\n}\n")
    let refused = try OctoGitBinary.run(
      ["install", "--agent", "claude-code", "--statusline"], in: fixture.path, home: fixture.home)
    #expect(refused.status == ExitStatus.badInput.rawValue, "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.git/hooks/post-commit"))
  }

  @Test("install --shared moves the hooks to the team's file and leaves the personal status line where it is")
  func sharedKeepsStatusLine() throws {
    let fixture = try TestRepository()
    try fixture.write(".claude/settings.local.json", "{\n  \"model\": \"opus\"\n}\n")
    try fixture.octo("install", "--agent", "claude-code", "--statusline")
    try fixture.octo("install", "--agent", "claude-code", "--shared")
    let personal = try CanonicalJSON.parse(try text(fixture))
    #expect(personal["statusLine"] != nil && personal["hooks"] == nil && personal["model"] != nil, "\(personal)")
    try fixture.octo("uninstall", "--shared")
    let after = try CanonicalJSON.parse(try text(fixture))
    #expect(after["statusLine"] == nil && after["model"]?.stringValue == "opus", "\(after)")
  }

  @Test("an agent's hook command runs the binary on PATH when the one install named is gone, else nothing")
  func movedBinary() throws {
    let fixture = try TestRepository()
    let gone = fixture.root + "/cellar/0.1/octo-git"
    try FileManager.default.createDirectory(atPath: fixture.root + "/cellar/0.1", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: OctoGitBinary.path, toPath: gone)
    try OctoGitBinary.run(["install", "--agent", "claude-code"], in: fixture.path, home: fixture.home)
    try Shell.run(gone, ["install", "--agent", "claude-code"], in: fixture.path, home: fixture.home)
    let settings = try CanonicalJSON.parse(try text(fixture))
    let command = try #require(
      settings["hooks"]?["PreToolUse"]?.arrayValue?.last?["hooks"]?.arrayValue?.first?["command"]?.stringValue)
    #expect(command.contains(gone), "\(command)")
    try FileManager.default.removeItem(atPath: fixture.root + "/cellar")
    let input = Data(#"{"cwd":"\#(fixture.path)","hook_event_name":"PreToolUse","tool_name":"Edit"}"#.utf8)
    for path in ["/usr/bin:/bin", (OctoGitBinary.path as NSString).deletingLastPathComponent + ":/usr/bin:/bin"] {
      let run = try Shell.run(
        "/bin/sh", ["-c", command], in: fixture.path, input: input, environment: ["PATH": path], home: fixture.home)
      #expect(run.status == 0 && run.stdout.isEmpty, "\(path): \(run.stderr)")
    }
  }
}
