import Foundation
import Testing

@testable import OctoGit

@Suite("--quiet: commands that change something print nothing when they work")
struct QuietOutputTests {
  @Test("install, repos, feature start and pass, restore, usage import, uninstall with -q print nothing on stdout")
  func quietCommands() throws {
    let fixture = try TestRepository()
    var commands: [[String]] = [
      ["install", "-q"], ["repos", "add", "-q"], ["repos", "remove", "--quiet", fixture.path],
      ["feature", "start", "-q", "quiet work"],
    ]
    func run(_ arguments: [String]) throws {
      let result = try OctoGitBinary.run(arguments, in: fixture.path, home: fixture.home)
      #expect(result.status == 0 && result.stdout.isEmpty, "\(arguments): \(result.stdout) \(result.stderr)")
    }
    for arguments in commands { try run(arguments) }
    try fixture.write("work.txt", "one\n")
    try fixture.octo("checkpoint", "--quiet")
    try fixture.write("work.txt", "two\n")
    let restored = try OctoGitBinary.run(["restore", "latest", "-q"], in: fixture.path, home: fixture.home)
    #expect(restored.status == 0 && restored.stdout.isEmpty && restored.stderr.isEmpty, "\(restored.stderr)")
    #expect(try String(contentsOfFile: fixture.path + "/work.txt", encoding: .utf8) == "one\n")
    try FileManager.default.createDirectory(
      atPath: fixture.root + "/agent/projects", withIntermediateDirectories: true)
    commands = [
      ["feature", "pass", "-q", "--test", "echo test output"],
      ["usage", "import", "claude-code", "-q", "--dir", fixture.root + "/agent"],
      ["uninstall", "--quiet"],
    ]
    for arguments in commands { try run(arguments) }
    #expect(try fixture.git("log", "-1", "--format=%s").contains("quiet work"))
  }
}
