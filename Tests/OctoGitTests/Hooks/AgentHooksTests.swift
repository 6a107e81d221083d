import Foundation
import Testing

@testable import OctoGit

/// Gemini CLI, Qwen Code and GitHub Copilot CLI wired as Claude Code is: a checkpoint before edits and shell
/// commands, an import when a turn or session ends, in a personal file git does not see, taken out byte for byte.
/// The hook inputs are written here from each agent's documented stdin JSON.
@Suite("Wiring Gemini CLI, Qwen Code and GitHub Copilot CLI")
struct AgentHooksTests {
  /// The file at `relative` in the work tree, parsed.
  func parsed(_ fixture: TestRepository, _ relative: String) throws -> JSONValue {
    try CanonicalJSON.parse(try String(contentsOfFile: fixture.path + "/" + relative, encoding: .utf8))
  }

  func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

  /// Runs a wired command line as the agent would: through a shell, from outside the work tree, with the hook's
  /// JSON on stdin. It must succeed and print nothing on stdout (Gemini CLI would read it as its answer).
  @discardableResult
  func runHook(
    _ fixture: TestRepository, _ command: String, _ json: String, environment: [String: String] = [:]
  ) throws -> Shell.Result {
    let result = try Shell.run(
      "/bin/sh", ["-c", command], in: fixture.root, input: Data(json.utf8), environment: environment,
      home: fixture.home)
    #expect(result.status == 0 && result.stdout.isEmpty, "\(result.stderr)")
    return result
  }

  /// Uninstalls once the edited `a.txt` is gone: the agent's `folder` goes, nothing is left (not even ignored),
  /// and `.git/info/exclude` holds its `exclude` bytes again.
  func uninstallLeavesNothing(
    _ fixture: TestRepository, folder: String, exclude: Data, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    try FileManager.default.removeItem(atPath: fixture.path + "/a.txt")
    try fixture.octo("uninstall")
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/" + folder), sourceLocation: sourceLocation)
    #expect(try fixture.git("status", "--porcelain", "--ignored").isEmpty, sourceLocation: sourceLocation)
    #expect(try fixture.gitFileBytes("info/exclude") == exclude, sourceLocation: sourceLocation)
  }

  /// The newest checkpoint's agent, session and message.
  func latestCheckpoint(_ fixture: TestRepository) throws -> [String?] {
    let listed = try CanonicalJSON.parse(try fixture.octo("checkpoints", "list", "--json")).arrayValue?.first
    return ["agent", "session", "message"].map { listed?[$0]?.stringValue }
  }

  /// Whether `doctor --json` says `agent` is wired, in `file`.
  func doctorSaysWired(_ fixture: TestRepository, _ agent: String, in file: String) throws -> Bool {
    let doctor = try CanonicalJSON.parse(try fixture.octo("doctor", "--json"))
    let row = (doctor["agents"]?.arrayValue ?? []).first { $0["agent"]?.stringValue == agent }
    return row?["wired"]?.boolValue == true && row?["file"]?.stringValue?.hasSuffix("/" + file) == true
  }

  @Test("Gemini CLI: BeforeTool, AfterAgent and SessionEnd spliced into .gemini/settings.json; uninstall restores it")
  func gemini() throws {
    let fixture = try TestRepository()
    // The user's own settings, untracked, laid out by hand (four spaces, a hook of theirs).
    let original =
      "{\n    \"model\": { \"name\": \"gemini-2.5-pro\" },\n    \"hooks\": {\n        \"BeforeTool\": [\n"
      + "            { \"matcher\": \"run_shell_command\",\n"
      + "              \"hooks\": [ { \"type\": \"command\", \"command\": \"./audit.sh\" } ] }\n"
      + "        ]\n    }\n}\n"
    try fixture.write(".gemini/settings.json", original)
    try fixture.write("a.txt", "before write_file\n")
    let status = try fixture.git("status", "--porcelain")
    try fixture.octo("install", "--agent", "gemini")
    #expect(try fixture.git("status", "--porcelain") == status)

    let settings = try parsed(fixture, ".gemini/settings.json")
    #expect(settings["model"]?["name"]?.stringValue == "gemini-2.5-pro")
    let before = settings["hooks"]?["BeforeTool"]?.arrayValue ?? []
    #expect(before.count == 2 && before.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue == "./audit.sh")
    let ours = try #require(before.last)
    #expect(ours["matcher"]?.stringValue == "^(write_file|replace|run_shell_command)$")
    // Gemini CLI counts a hook's timeout in milliseconds.
    #expect(ours["hooks"]?.arrayValue?.first?["timeout"]?.intValue == 30_000)
    let checkpoint = try #require(ours["hooks"]?.arrayValue?.first?["command"]?.stringValue)
    #expect(checkpoint.contains("checkpoint --quiet --agent gemini --hook-input -"))
    let afterAgent = try #require(
      settings["hooks"]?["AfterAgent"]?.arrayValue?.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue)
    #expect(afterAgent.contains("usage import gemini --hook-input -"))
    let sessionEnd = try #require(
      settings["hooks"]?["SessionEnd"]?.arrayValue?.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue)
    #expect(sessionEnd == afterAgent)
    #expect(try doctorSaysWired(fixture, "gemini", in: ".gemini/settings.json"))
    // Again: nothing changes.
    let installed = try bytes(fixture.path + "/.gemini/settings.json")
    #expect(try fixture.octo("install", "--agent", "gemini").isEmpty)
    #expect(try bytes(fixture.path + "/.gemini/settings.json") == installed)

    // BeforeTool, as Gemini CLI sends it.
    let beforeTool =
      #"{"session_id":"gem-1","transcript_path":"","cwd":"\#(fixture.path)","hook_event_name":"BeforeTool","#
      + #""timestamp":"2030-01-01T10:00:04.000Z","tool_name":"write_file","tool_input":{"file_path":"a.txt"}}"#
    try runHook(fixture, checkpoint, beforeTool)
    #expect(try latestCheckpoint(fixture) == ["gemini", "gem-1", "before write_file"])

    // AfterAgent names the session's chat recording: just that one is imported.
    let geminiHome = fixture.root + "/gemini-home"
    let data = try AgentFixture.install("gemini", at: geminiHome + "/.gemini", repository: fixture.path)
    let recording = data + "/tmp/repo-slug/chats/session-2030-01-01T10-00-gs1aaaaa.jsonl"
    let turn =
      #"{"session_id":"gs-1","transcript_path":"\#(recording)","cwd":"\#(fixture.path)","#
      + #""hook_event_name":"AfterAgent","timestamp":"2030-01-01T10:01:01.000Z","prompt":"p","prompt_response":"r"}"#
    let environment = ["GEMINI_CLI_HOME": geminiHome]
    try runHook(fixture, afterAgent, turn, environment: environment)
    #expect(Set(try AgentFixture.pending(fixture).keys) == ["gm:g1", "gm:g2", "gm:g3"])
    // A session with no recording has an empty transcript_path: everything of this repository's is imported.
    let end = #"{"session_id":"gs-9","transcript_path":"","cwd":"\#(fixture.path)","hook_event_name":"SessionEnd"}"#
    try runHook(fixture, sessionEnd, end, environment: environment)
    #expect(try AgentFixture.pending(fixture).count == 6)

    try fixture.octo("uninstall")
    #expect(try String(contentsOfFile: fixture.path + "/.gemini/settings.json", encoding: .utf8) == original)
    #expect(try fixture.git("status", "--porcelain") == status)
  }

  @Test("a settings file that is a symbolic link is refused whole, the link and its target left as they are")
  func symlinkedSettings() throws {
    let fixture = try TestRepository()
    let target = fixture.root + "/dotfiles-settings.json"
    try Data("{\"model\": \"x\"}\n".utf8).write(to: URL(fileURLWithPath: target))
    try FileManager.default.createDirectory(atPath: fixture.path + "/.qwen", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: fixture.path + "/.qwen/settings.json", withDestinationPath: target)
    let result = try OctoGitBinary.run(["install", "--agent", "qwen"], in: fixture.path, home: fixture.home)
    #expect(
      result.status == ExitStatus.badInput.rawValue && result.stderr.contains("symbolic link"), "\(result.stderr)")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.path + "/.qwen/settings.json") == target)
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "{\"model\": \"x\"}\n")
    // Refused before anything is installed: no git hook either.
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.git/hooks/post-commit"))

    // Settings that are not plain JSON say why, and stay as they were.
    try FileManager.default.removeItem(atPath: fixture.path + "/.qwen/settings.json")
    for (text, why) in [
      ("{\n  // mine\n  \"model\": \"x\"\n}\n", "holds comments"), ("{\"a\": [1, 2,],}\n", "has a trailing comma"),
      ("\u{FEFF}{}\n", "starts with a byte-order mark"), ("{\"url\": \"http://x\"} x\n", nil), ("{,}\n", nil),
    ] {
      try fixture.write(".qwen/settings.json", text)
      let refused = try OctoGitBinary.run(["install", "--agent", "qwen"], in: fixture.path, home: fixture.home)
      #expect(refused.status == ExitStatus.badInput.rawValue, "\(refused.stderr)")
      #expect(why.map { refused.stderr.contains($0) } ?? !refused.stderr.contains("(it "), "\(refused.stderr)")
      #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.path + "/.qwen/settings.json")) == Data(text.utf8))
      #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.git/hooks/post-commit"))
    }
    // A file where the agent's folder should be, or a folder where its file should be: said, nothing written.
    try FileManager.default.removeItem(atPath: fixture.path + "/.qwen")
    try fixture.write(".qwen", "not a folder\n")
    let blocked = try OctoGitBinary.run(["install", "--agent", "qwen"], in: fixture.path, home: fixture.home)
    #expect(blocked.status == ExitStatus.badInput.rawValue && blocked.stderr.contains(".qwen is a file"))
    try FileManager.default.removeItem(atPath: fixture.path + "/.qwen")
    try FileManager.default.createDirectory(
      atPath: fixture.path + "/.qwen/settings.json", withIntermediateDirectories: true)
    let folder = try OctoGitBinary.run(["install", "--agent", "qwen"], in: fixture.path, home: fixture.home)
    #expect(folder.status == ExitStatus.badInput.rawValue && folder.stderr.contains("is a folder"), "\(folder.stderr)")
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.git/hooks/post-commit"))
    // With every agent asked for, one refused file stops the install before any other agent's is written.
    let all = try OctoGitBinary.run(["install", "--agent", "all"], in: fixture.path, home: fixture.home)
    #expect(all.status == ExitStatus.badInput.rawValue, "\(all.stderr)")
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.claude/settings.local.json"))
  }

  @Test("an agent's folder that is a link to another folder (dotfiles) is written through; a team-wired one is left")
  func linkedAgentFolder() throws {
    let fixture = try TestRepository()
    let dotfiles = fixture.root + "/dotfiles-claude"
    try FileManager.default.createDirectory(atPath: dotfiles, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: fixture.path + "/.claude", withDestinationPath: dotfiles)
    let result = try OctoGitBinary.run(["install", "--agent", "claude-code"], in: fixture.path, home: fixture.home)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(FileManager.default.fileExists(atPath: dotfiles + "/settings.local.json"))
    // A personal file git tracks is left alone, whatever it holds: install says so and goes on.
    try fixture.write(".qwen/settings.json", "{\n  // the team's\n}\n")
    try fixture.git("add", "-f", ".qwen/settings.json")
    try fixture.git("commit", "-q", "-m", "team settings")
    let tracked = try OctoGitBinary.run(["install", "--agent", "qwen"], in: fixture.path, home: fixture.home)
    #expect(tracked.status == 0 && tracked.stdout.contains("tracked by git"), "\(tracked.stderr)")
  }

  @Test("Qwen Code: a .qwen/settings.json of octo-git's own, excluded from git, gone again after uninstall")
  func qwen() throws {
    let fixture = try TestRepository()
    let exclude = try fixture.gitFileBytes("info/exclude")
    let output = try fixture.octo("install", "--agent", "qwen")
    #expect(output.contains(".qwen/settings.json"), "\(output)")
    #expect(try fixture.git("status", "--porcelain").isEmpty)
    #expect(try fixture.git("check-ignore", "-v", ".qwen/settings.json").contains("info/exclude"))

    let settings = try parsed(fixture, ".qwen/settings.json")
    let pre = try #require(settings["hooks"]?["PreToolUse"]?.arrayValue?.first)
    #expect(pre["matcher"]?.stringValue == "^(edit|write_file|run_shell_command)$")
    #expect(pre["hooks"]?.arrayValue?.first?["timeout"]?.intValue == 30_000)
    let checkpoint = try #require(pre["hooks"]?.arrayValue?.first?["command"]?.stringValue)
    let stop = try #require(
      settings["hooks"]?["Stop"]?.arrayValue?.first?["hooks"]?.arrayValue?.first?["command"]?.stringValue)
    #expect(stop.contains("usage import qwen --hook-input -"))
    #expect(settings["hooks"]?["SessionEnd"]?.arrayValue?.count == 1)
    #expect(try doctorSaysWired(fixture, "qwen", in: ".qwen/settings.json"))

    try fixture.write("a.txt", "before edit\n")
    let preToolUse =
      #"{"session_id":"qs-1","transcript_path":"","cwd":"\#(fixture.path)","hook_event_name":"PreToolUse","#
      + #""timestamp":"2030-01-01T10:00:04.000Z","permission_mode":"default","tool_name":"edit","#
      + #""tool_input":{"file_path":"a.txt"},"tool_use_id":"toolu_1"}"#
    try runHook(fixture, checkpoint, preToolUse)
    #expect(try latestCheckpoint(fixture) == ["qwen", "qs-1", "before edit"])

    let data = try AgentFixture.install("qwen", at: fixture.root + "/qwen", repository: fixture.path)
    let transcript = data + "/projects/-repo/chats/qs-1.jsonl"
    let stopInput =
      #"{"session_id":"qs-1","transcript_path":"\#(transcript)","cwd":"\#(fixture.path)","#
      + #""hook_event_name":"Stop","stop_hook_active":false,"last_assistant_message":"done"}"#
    try runHook(fixture, stop, stopInput)
    #expect(try AgentFixture.pending(fixture).count == 3)

    try uninstallLeavesNothing(fixture, folder: ".qwen", exclude: exclude)
  }

  @Test("GitHub Copilot CLI: .github/hooks/octo-git.json with flat camelCase hooks; the folders it made go again")
  func copilot() throws {
    let fixture = try TestRepository()
    let exclude = try fixture.gitFileBytes("info/exclude")
    try fixture.octo("install", "--agent", "copilot")
    #expect(try fixture.git("status", "--porcelain").isEmpty)
    #expect(try fixture.git("check-ignore", "-v", ".github/hooks/octo-git.json").contains("info/exclude"))

    let file = try parsed(fixture, ".github/hooks/octo-git.json")
    #expect(file["version"]?.intValue == 1)
    let pre = try #require(file["hooks"]?["preToolUse"]?.arrayValue?.first)
    #expect(pre["type"]?.stringValue == "command" && pre["matcher"]?.stringValue == "bash|create|edit|apply_patch")
    #expect(pre["timeoutSec"]?.intValue == 30 && pre["hooks"] == nil)
    let checkpoint = try #require(pre["bash"]?.stringValue)
    #expect(checkpoint.contains("checkpoint --quiet --agent copilot --hook-input -"))
    let sessionEnd = try #require(file["hooks"]?["sessionEnd"]?.arrayValue?.first?["bash"]?.stringValue)
    #expect(sessionEnd.contains("usage import copilot --hook-input -"))
    #expect(file["hooks"]?["agentStop"] == nil)
    #expect(try doctorSaysWired(fixture, "copilot", in: ".github/hooks/octo-git.json"))

    // preToolUse's camelCase input (toolArgs is a JSON string).
    try fixture.write("a.txt", "before edit\n")
    let preToolUse =
      #"{"sessionId":"cp-1","timestamp":1704614600000,"cwd":"\#(fixture.path)","toolName":"edit","#
      + #""toolArgs":"{\"path\":\"a.txt\"}"}"#
    try runHook(fixture, checkpoint, preToolUse)
    #expect(try latestCheckpoint(fixture) == ["copilot", "cp-1", "before edit"])

    // sessionEnd names no transcript: the session logs of this repository are imported.
    let home = try AgentFixture.install("copilot", at: fixture.root + "/copilot", repository: fixture.path)
    let end = #"{"sessionId":"cp-1","timestamp":1704618000000,"cwd":"\#(fixture.path)","reason":"complete"}"#
    try runHook(fixture, sessionEnd, end, environment: ["COPILOT_HOME": home])
    #expect(try AgentFixture.pending(fixture).count == 3)

    try uninstallLeavesNothing(fixture, folder: ".github", exclude: exclude)
  }

  @Test("Copilot CLI: a hook the user added to octo-git's file stays; the team's file names octo-git through PATH")
  func copilotChangedAndShared() throws {
    let fixture = try TestRepository()
    try fixture.write(".github/workflows/ci.yml", "on: push\n")
    try fixture.commitAll("CI")
    try fixture.octo("install", "--agent", "copilot")
    #expect(try fixture.git("status", "--porcelain").isEmpty)
    // The user adds a hook of theirs to the file.
    let path = fixture.path + "/.github/hooks/octo-git.json"
    let installed = try String(contentsOfFile: path, encoding: .utf8)
    let theirs = #"{"type": "command", "bash": "./lint.sh"}"#
    let changed = installed.replacingOccurrences(of: "\"preToolUse\": [", with: "\"preToolUse\": [\n      \(theirs),")
    #expect(changed != installed)
    try changed.write(toFile: path, atomically: true, encoding: .utf8)
    try fixture.octo("uninstall")
    let left = try parsed(fixture, ".github/hooks/octo-git.json")
    #expect(left["hooks"]?["preToolUse"]?.arrayValue?.map { $0["bash"]?.stringValue } == ["./lint.sh"])
    #expect(left["hooks"]?["sessionEnd"] == nil && left["version"]?.intValue == 1)
    #expect(!(try String(contentsOfFile: path, encoding: .utf8)).contains("octo-git"))

    // --shared: the team's file, meant to be committed, with no machine path in it.
    let team = try TestRepository()
    try team.write(".github/workflows/ci.yml", "on: push\n")
    try team.commitAll("CI")
    try team.octo("install", "--agent", "copilot", "--shared")
    #expect(try team.git("status", "--porcelain") == "?? .github/hooks/")
    let shared = try String(contentsOfFile: team.path + "/.github/hooks/octo-git.json", encoding: .utf8)
    #expect(!shared.contains(OctoGitBinary.path) && !shared.contains(team.root))
    #expect(shared.contains("octo-git checkpoint --quiet --agent copilot --hook-input -"))
    try team.octo("uninstall", "--shared")
    #expect(try team.git("status", "--porcelain").isEmpty)
    #expect(try team.git("ls-files").split(separator: "\n").sorted() == [".github/workflows/ci.yml", "README.md"])
  }

  @Test("a hook's input: Claude Code's names, Copilot CLI's camelCase ones, and empty strings as missing")
  func hookInputNames() {
    let copilot = AgentHookInput(
      json: Data(#"{"sessionId":"cp-1","cwd":"/w","toolName":"edit","transcriptPath":"/t/events.jsonl"}"#.utf8))
    #expect(copilot.sessionID == "cp-1" && copilot.toolName == "edit" && copilot.workingDirectory == "/w")
    #expect(copilot.transcriptPath == "/t/events.jsonl")
    let gemini = AgentHookInput(
      json: Data(#"{"session_id":"g","transcript_path":"","cwd":"","hook_event_name":"SessionEnd"}"#.utf8))
    #expect(gemini.sessionID == "g" && gemini.transcriptPath == nil && gemini.workingDirectory == nil)
    #expect(gemini.event == "SessionEnd")
    // The snake_case name wins when both are there.
    let both = AgentHookInput(json: Data(#"{"session_id":"a","sessionId":"b"}"#.utf8))
    #expect(both.sessionID == "a")
  }
}
