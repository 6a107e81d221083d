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

  @Test("restore of some paths with --index sets those paths' staged state only; its undo puts them back")
  func indexOfSomePaths() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a\n")
    try fixture.write("b.txt", "b\n")
    try fixture.write("dir/old.txt", "old\n")
    try fixture.commitAll("base")
    try fixture.write("a.txt", "a2\n")
    try fixture.git("add", "a.txt")
    try fixture.octo("checkpoint", "--quiet")
    try fixture.write("b.txt", "b2\n")
    try fixture.write("c.txt", "c\n")
    try fixture.write("a.txt", "a3\n")
    try fixture.write("dir/new.txt", "new\n")
    try fixture.git("add", "b.txt", "c.txt", "a.txt", "dir/new.txt")
    let restored = try CanonicalJSON.parse(try fixture.octo("restore", "latest", "a.txt", "dir", "--index", "--json"))
    // git's view: a.txt's and dir's staged state are the checkpoint's; b.txt and c.txt stay staged.
    #expect(try fixture.git("show", ":a.txt") == "a2")
    #expect(try fixture.git("show", ":b.txt") == "b2" && fixture.git("show", ":c.txt") == "c")
    #expect(try fixture.git("ls-files", "--", "dir") == "dir/old.txt")
    #expect(restored["index"]?.boolValue == true)
    // The undo restores those paths' staged state as it was before, and nothing else.
    let undo = try #require(restored["undo"]?.stringValue)
    try fixture.git("add", "b.txt")
    try fixture.write("b.txt", "b3\n")
    try fixture.git("add", "b.txt")
    try fixture.octo("restore", undo, "a.txt", "dir", "--index")
    #expect(try fixture.git("show", ":a.txt") == "a3" && fixture.git("show", ":b.txt") == "b3")
    #expect(try fixture.git("ls-files", "--", "dir") == "dir/new.txt\ndir/old.txt")
  }
}
