import Foundation
import Testing

@testable import OctoGit

@Suite("The octo-git command line")
struct CommandLineTests {
  @Test("--version and --help succeed; --help documents -C and the exit codes")
  func versionAndHelp() throws {
    let fixture = try TestRepository()
    let version = try OctoGitBinary.run(["--version"], in: fixture.path)
    #expect(version.status == 0)
    #expect(version.stdout == "octo-git \(Version.octoGit)\n")
    let help = try OctoGitBinary.run(["--help"], in: fixture.path)
    #expect(help.status == 0)
    #expect(help.stdout.contains("-C, --repo <path>"))
    for status in ExitStatus.allCases { #expect(help.stdout.contains(status.meaning)) }
    for command in ["doctor", "defaults"] {
      let sub = try OctoGitBinary.run([command, "--help"], in: fixture.path)
      #expect(sub.status == 0)
      #expect(sub.stdout.contains("USAGE"))
    }
  }

  @Test("a bad flag or command: one line on stderr, exit 2")
  func usageErrors() throws {
    let fixture = try TestRepository()
    for arguments in [["doctor", "--bogus"], ["no-such-command"]] {
      let result = try OctoGitBinary.run(arguments, in: fixture.path)
      #expect(result.status == ExitStatus.usage.rawValue)
      #expect(result.stdout.isEmpty)
      #expect(result.stderr.hasPrefix("octo-git: "))
      #expect(result.stderr.split(separator: "\n").count == 1)
    }
  }

  @Test("a revision naming a tree or a blob: one line saying so, exit 4")
  func revisionOfATree() throws {
    let fixture = try TestRepository()
    try fixture.commitAll("one")
    for revision in ["HEAD^{tree}", "HEAD:README.md"] {
      let result = try OctoGitBinary.run(["usage", "show", revision], in: fixture.path, home: fixture.home)
      #expect(result.status == ExitStatus.badInput.rawValue, "\(revision): \(result.stderr)")
      #expect(result.stderr.contains("not a commit"), "\(result.stderr)")
    }
  }

  @Test("outside a repository: one line naming the folder and what to do, exit 3")
  func outsideRepository() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("octo-git-outside-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let result = try OctoGitBinary.run(["doctor"], in: folder)
    #expect(result.status == ExitStatus.notARepository.rawValue)
    #expect(result.stderr.split(separator: "\n").count == 1)
    #expect(result.stderr.contains(folder))
    #expect(result.stderr.contains("-C"))
  }

  @Test("-C works like git's: before or after the command, relative and repeated")
  func directoryOption() throws {
    let fixture = try TestRepository(name: "the repo")
    try fixture.write("sub/dir/f.txt", "x\n")
    let parent = URL(fileURLWithPath: fixture.path).deletingLastPathComponent().path
    for arguments in [
      ["-C", fixture.path, "doctor", "--json"], ["doctor", "--json", "-C", fixture.path],
      ["-C", "the repo", "-C", "sub/dir", "doctor", "--json"], ["--repo", fixture.path, "doctor", "--json"],
    ] {
      let result = try OctoGitBinary.run(arguments, in: parent)
      #expect(result.status == 0, "\(arguments): \(result.stderr)")
      let report = try JSONDecoder().decode(DoctorReport.self, from: Data(result.stdout.utf8))
      #expect(report.repository.workTree == fixture.path)
    }
    let missing = try OctoGitBinary.run(["-C", "nowhere", "doctor"], in: parent)
    #expect(missing.status == ExitStatus.usage.rawValue)
    #expect(missing.stderr.contains("nowhere"))
  }

  @Test("no colour when output is not a terminal, or with NO_COLOR")
  func noColour() throws {
    let fixture = try TestRepository()
    let plain = try OctoGitBinary.run(["doctor"], in: fixture.path, environment: ["NO_COLOR": ""])
    #expect(plain.status == 0)
    #expect(!plain.stdout.contains("\u{1B}["))
    #expect(OutputStyle.forDescriptor(1, environment: ["NO_COLOR": "1"]).colour == false)
    #expect(OutputStyle.forDescriptor(1, environment: ["TERM": "dumb"]).colour == false)
    #expect(OutputStyle(colour: true).paint("x", .red) == "\u{1B}[31mx\u{1B}[0m")
  }
}
