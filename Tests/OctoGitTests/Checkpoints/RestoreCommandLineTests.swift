import Foundation
import Testing

@testable import OctoGit

@Suite("restore's command line: what it takes and the undo it prints")
struct RestoreCommandLineTests {
  @Test("an empty path is refused, never read as the whole tree")
  func emptyPath() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a\n")
    try fixture.octo("checkpoint", "--quiet")
    try fixture.write("a.txt", "edited\n")
    try fixture.write("new.txt", "keep\n")
    try fixture.write("sub/b.txt", "b\n")
    try fixture.octo("checkpoint", "--quiet")
    try fixture.write("sub/b.txt", "edited\n")
    for folder in [fixture.path, fixture.path + "/sub"] {
      let result = try OctoGitBinary.run(["restore", "latest", ""], in: folder, home: fixture.home)
      #expect(result.status == 4 && result.stderr.contains("empty path"), "\(result.stderr)")
    }
    #expect(try String(contentsOfFile: fixture.path + "/sub/b.txt", encoding: .utf8) == "edited\n")
    // `.` at the top is every path, as for git checkout.
    try fixture.octo("restore", "latest", ".")
    #expect(try String(contentsOfFile: fixture.path + "/sub/b.txt", encoding: .utf8) == "b\n")
    #expect(try String(contentsOfFile: fixture.path + "/a.txt", encoding: .utf8) == "edited\n")
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/new.txt"))
  }

  @Test("the undo printed runs as printed in a shell: paths after --, control characters quoted as $'…'")
  func undoRunsAsPrinted() throws {
    let fixture = try TestRepository()
    for name in ["-rf", "x\ny", "it's"] { try fixture.write(name, "1\n") }
    try fixture.octo("checkpoint", "--quiet")
    for name in ["-rf", "x\ny", "it's"] { try fixture.write(name, "2\n") }
    let result = try OctoGitBinary.run(
      ["restore", "latest", "--", "-rf", "x\ny", "it's"], in: fixture.path, home: fixture.home)
    #expect(result.status == 0, "\(result.stderr)")
    let hint = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("undo with: octo-git ") })
    #expect(hint.contains(" -- -rf $'x\\x0ay' 'it'\\''s'"), "\(hint)")
    let command = hint.dropFirst("undo with: ".count).replacingOccurrences(
      of: "octo-git", with: ShellWord.quoted(OctoGitBinary.path))
    let undone = try Shell.run("/bin/bash", ["-c", command], in: fixture.path, home: fixture.home)
    #expect(undone.status == 0, "\(undone.stderr)")
    for name in ["-rf", "x\ny", "it's"] {
      #expect(try String(contentsOfFile: fixture.path + "/" + name, encoding: .utf8) == "2\n")
    }
    // Run again with nothing to do: no undo checkpoint taken, and --json says so.
    let undoID = String(hint.split(separator: " ")[4])
    let again = try OctoGitBinary.run(["restore", undoID, "--json"], in: fixture.path, home: fixture.home)
    let parsed = try CanonicalJSON.parse(again.stdout)
    #expect(again.status == 0 && parsed["undo"] == .null, "\(again.stdout)")
  }
}
