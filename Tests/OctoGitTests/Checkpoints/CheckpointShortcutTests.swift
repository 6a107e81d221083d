import Foundation
import Testing

@testable import OctoGit

/// `octo-git checkpoint …` is read without ArgumentParser when its arguments are the plain ones agents'
/// hooks write; `octo-git -C . checkpoint …` always goes through ArgumentParser. Both must agree.
@Suite("Checkpoints: the command line read without the full parser")
struct CheckpointShortcutTests {
  /// The fields of a checkpoint's JSON that come from the command line (the others differ by checkpoint).
  func asked(_ json: String) throws -> [String: String] {
    let value = try CanonicalJSON.parse(json)
    let object = value.arrayValue?.first ?? value
    var fields: [String: String] = [:]
    for key in ["message", "agent", "session"] { fields[key] = object[key]?.stringValue ?? "(none)" }
    fields["keys"] = object.objectValue.map { $0.keys.sorted().joined(separator: ",") } ?? ""
    return fields
  }

  @Test("every argument list gives what the full parser gives: the same status, output and checkpoint")
  func sameAsFullParser() throws {
    let fixture = try TestRepository()
    try fixture.write("ignored.log", "x\n")
    try fixture.write(".gitignore", "*.log\n")
    let lists: [[String]] = [
      ["checkpoint", "--json"],
      ["checkpoint", "--json", "--agent", "claude-code", "--session", "s-1", "-m", "before edit"],
      ["checkpoint", "--agent", "", "--json", "--message", ""],
      ["checkpoint", "--include-ignored", "--json", "--message", "with ignored files"],
      ["checkpoint", "-q", "--json"],
      ["checkpoint", "--quiet"],
      ["checkpoint"],
      ["checkpoint", "--agent"],
      ["checkpoint", "--agent", "--quiet"],
      ["checkpoint", "-m", "-"],
      ["checkpoint", "-q", "-q"],
      ["checkpoint", "--agent=x", "--json"],
      ["checkpoint", "--bogus"],
      ["checkpoint", "--help"],
      ["checkpoint", "-qm", "x"],
    ]
    for list in lists {
      let short = try OctoGitBinary.run(list, in: fixture.path, home: fixture.home)
      let full = try OctoGitBinary.run(["-C", "."] + list, in: fixture.path, home: fixture.home)
      #expect(short.status == full.status, "\(list)")
      #expect(short.stderr == full.stderr, "\(list)")
      if list.contains("--json") && !list.contains("-q") && !list.contains("--quiet") && short.status == 0 {
        #expect(try asked(short.stdout) == asked(full.stdout), "\(list)")
      } else if short.status == 0 && !list.contains("--help") {
        // The id alone, or nothing with --quiet.
        #expect(short.stdout.count == full.stdout.count, "\(list): \(short.stdout) / \(full.stdout)")
      } else {
        #expect(short.stdout == full.stdout, "\(list)")
      }
    }
    // What a checkpoint holds follows --include-ignored the same way.
    let trees = try ["", "-C ."].map { prefix -> String in
      let arguments = prefix.split(separator: " ").map(String.init) + ["checkpoint", "--include-ignored"]
      let id = try fixture.octo(arguments).trimmingCharacters(in: .whitespacesAndNewlines)
      return try fixture.git("ls-tree", "-r", "--name-only", id)
    }
    #expect(trees[0] == trees[1] && trees[0].contains("ignored.log"))
  }

  @Test("an agent hook's command line: the checkpoint names the tool, the agent and the session either way")
  func agentHook() throws {
    let fixture = try TestRepository()
    let input = #"{"session_id":"session-7","tool_name":"Edit","cwd":"\#(fixture.path)"}"#
    var found: [[String: String]] = []
    for prefix in [[], ["-C", "."]] {
      let run = try OctoGitBinary.run(
        prefix + ["checkpoint", "--quiet", "--agent", "claude-code", "--hook-input", "-"], in: fixture.path,
        home: fixture.home, input: input)
      #expect(run.status == 0 && run.stdout.isEmpty && run.stderr.isEmpty, "\(run.stderr)")
      found.append(try asked(try fixture.octo("checkpoints", "list", "--json")))
    }
    #expect(found[0] == found[1])
    #expect(found[0]["message"] == "before Edit" && found[0]["agent"] == "claude-code")
    #expect(found[0]["session"] == "session-7")
  }
}
