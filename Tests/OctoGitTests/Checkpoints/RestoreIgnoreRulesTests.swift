import Foundation
import Testing

@testable import OctoGit

/// Restores that change the ignore rules, files git tracks though a rule ignores them, and files git
/// converts on checkout: nothing the undo checkpoint does not hold is lost, and files come back as git
/// would write them.
@Suite("Checkpoints: ignore rules and conversions while restoring")
struct RestoreIgnoreRulesTests {
  func contents(_ fixture: TestRepository, _ path: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: fixture.path + "/" + path))
  }

  func paths(of checkpoint: String, in fixture: TestRepository) throws -> [String] {
    try fixture.git("ls-tree", "-r", "--name-only", checkpoint).split(separator: "\n").map(String.init)
  }

  @Test("a file git tracks though a rule ignores it stays in checkpoints after it is deleted and made again")
  func trackedIgnoredFile() throws {
    let fixture = try TestRepository()
    try fixture.write("b", "1\n")
    try fixture.write("cfg/app.env", "A=1\n")
    try fixture.write(".gitignore", "b\ncfg/\n")
    try fixture.git("add", "-f", "b", "cfg/app.env", ".gitignore")
    try fixture.git("commit", "-q", "-m", "tracked though ignored")
    let first = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try FileManager.default.removeItem(atPath: fixture.path + "/b")
    try FileManager.default.removeItem(atPath: fixture.path + "/cfg")
    try fixture.octo("checkpoint", "--quiet")
    try fixture.write("b", "PRECIOUS\n")
    try fixture.write("cfg/app.env", "A=PRECIOUS\n")
    // Witness: git sees both as modified, not ignored.
    #expect(try fixture.git("status", "--porcelain").contains("M b"))
    let third = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    let held = try paths(of: third, in: fixture)
    #expect(held.contains("b") && held.contains("cfg/app.env"), "\(held)")
    let restore = try CanonicalJSON.parse(try fixture.octo("restore", first, "--json"))
    #expect(try String(decoding: contents(fixture, "b"), as: UTF8.self) == "1\n")
    let undo = try #require(restore["undo"]?.stringValue)
    #expect(try fixture.git("show", "\(undo):b") == "PRECIOUS")
    #expect(try fixture.git("show", "\(undo):cfg/app.env") == "A=PRECIOUS")
  }

  @Test("a file added with git add -f and not yet committed stays in checkpoints after it is deleted and made again")
  func stagedIgnoredFile() throws {
    let fixture = try TestRepository()
    try fixture.write(".gitignore", "*.env\nlocal/\n")
    try fixture.commitAll("rules")
    try fixture.write("app.env", "A=1\n")
    try fixture.write("local/keys.txt", "K=1\n")
    try fixture.git("add", "-f", "app.env", "local/keys.txt")
    let first = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try paths(of: first, in: fixture).contains("app.env"))
    try FileManager.default.removeItem(atPath: fixture.path + "/app.env")
    try FileManager.default.removeItem(atPath: fixture.path + "/local")
    try fixture.octo("checkpoint", "--quiet")
    try fixture.write("app.env", "A=PRECIOUS\n")
    try fixture.write("local/keys.txt", "K=PRECIOUS\n")
    // Witness: git sees both as staged files, not ignored ones.
    #expect(try fixture.git("status", "--porcelain", "--ignored").contains("!!") == false)
    let third = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try fixture.git("show", "\(third):app.env") == "A=PRECIOUS")
    #expect(try fixture.git("show", "\(third):local/keys.txt") == "K=PRECIOUS")
    // An ignored file nobody added stays out.
    try fixture.write("other.env", "SECRET\n")
    let fourth = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try !paths(of: fourth, in: fixture).contains("other.env"))
  }

  @Test("a restore that rewrites or deletes a .gitignore keeps the files that rule ignored")
  func rulesChangedByTheRestore() throws {
    // The checkpoint has a file where an ignored file's folder now is, and no .gitignore.
    let fixture = try TestRepository()
    try fixture.write("obj", "object file\n")
    let target = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try FileManager.default.removeItem(atPath: fixture.path + "/obj")
    try fixture.write(".gitignore", "*.o\n")
    try fixture.write("obj/a.o", "PRECIOUS\n")
    let result = try OctoGitBinary.run(["restore", target, "--json"], in: fixture.path, home: fixture.home)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try String(decoding: contents(fixture, "obj/a.o"), as: UTF8.self) == "PRECIOUS\n")
    let skipped = try CanonicalJSON.parse(result.stdout)["skipped"]?.arrayValue ?? []
    #expect(skipped.compactMap { $0["path"]?.stringValue } == ["obj"], "\(result.stdout)")

    // The same with the checkpoint's .gitignore ignoring something else: rewritten first, it must not
    // decide.
    let other = try TestRepository()
    try other.write(".gitignore", "*.tmp\n")
    try other.write("obj", "object file\n")
    let checkpoint = try other.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try FileManager.default.removeItem(atPath: other.path + "/obj")
    try other.write(".gitignore", "*.o\n")
    try other.write("obj/a.o", "PRECIOUS\n")
    try other.octo("restore", checkpoint)
    #expect(try String(decoding: contents(other, "obj/a.o"), as: UTF8.self) == "PRECIOUS\n")
    #expect(try String(decoding: contents(other, ".gitignore"), as: UTF8.self) == "*.tmp\n")
  }

  @Test("files come back with the line endings git checks them out with (eol=crlf, core.autocrlf)")
  func lineEndings() throws {
    let fixture = try TestRepository()
    try fixture.write(".gitattributes", "*.txt text eol=crlf\n")
    try fixture.write("w.txt", "l1\r\nl2\r\n")
    try fixture.commitAll("crlf")
    let checkpoint = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    // Witness: git stores the lines with LF.
    #expect(try fixture.git("cat-file", "-p", "\(checkpoint):w.txt") == "l1\nl2")
    try fixture.write("w.txt", "x\n")
    try fixture.octo("restore", checkpoint)
    #expect(try contents(fixture, "w.txt") == Data("l1\r\nl2\r\n".utf8))
    #expect(try fixture.git("status", "--porcelain").isEmpty)

    let auto = try TestRepository()
    try auto.git("config", "core.autocrlf", "true")
    try auto.write("u.txt", "u1\r\nu2\r\n")
    let saved = try auto.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try auto.write("u.txt", "changed\n")
    try auto.octo("restore", saved)
    #expect(try contents(auto, "u.txt") == Data("u1\r\nu2\r\n".utf8))
  }

  @Test("restore --index with the index locked writes nothing and says to run it again")
  func lockedIndex() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "checkpointed\n")
    let checkpoint = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try fixture.write("a.txt", "edited\n")
    try Data().write(to: URL(fileURLWithPath: fixture.path + "/.git/index.lock"))
    let result = try OctoGitBinary.run(["restore", checkpoint, "--index"], in: fixture.path, home: fixture.home)
    #expect(result.status == ExitStatus.tryAgain.rawValue, "\(result.stderr)")
    #expect(result.stderr.contains("index.lock") && result.stderr.contains("nothing was restored"))
    #expect(try String(decoding: contents(fixture, "a.txt"), as: UTF8.self) == "edited\n")
  }

  @Test("binary files come back whole where attributes exist (libgit2 gave nothing for binary content)")
  func binaryWithAttributes() throws {
    let fixture = try TestRepository()
    try fixture.write(".gitattributes", "*.md linguist-documentation\n")
    var bytes = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 * 7) })
    bytes[10] = 0
    try bytes.write(to: URL(fileURLWithPath: fixture.path + "/logo.png"))
    try fixture.commitAll("binary")
    let checkpoint = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try Data("changed".utf8).write(to: URL(fileURLWithPath: fixture.path + "/logo.png"))
    try fixture.octo("restore", checkpoint)
    #expect(try contents(fixture, "logo.png") == bytes)
  }

  @Test("undoing a restore that took a .gitignore away keeps the files that rule ignored (.env)")
  func undoKeepsIgnored() throws {
    let fixture = try TestRepository()
    try fixture.write("app.js", "x\n")
    let old = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try fixture.write(".gitignore", ".env\nnode_modules/\n")
    try fixture.write(".env", "SECRET=1\n")
    try fixture.write("node_modules/lib/index.js", "code\n")
    let restore = try CanonicalJSON.parse(try fixture.octo("restore", old, "--json"))
    #expect(!Paths.entryExists(fixture.path + "/.gitignore"))
    let undo = try #require(restore["undo"]?.stringValue)
    let back = try CanonicalJSON.parse(try fixture.octo("restore", undo, "--json"))
    #expect(try String(decoding: contents(fixture, ".env"), as: UTF8.self) == "SECRET=1\n", "\(back)")
    #expect(try String(decoding: contents(fixture, "node_modules/lib/index.js"), as: UTF8.self) == "code\n")
    #expect(try String(decoding: contents(fixture, ".gitignore"), as: UTF8.self) == ".env\nnode_modules/\n")
    let deleted = back["deleted"]?.arrayValue?.compactMap(\.stringValue) ?? []
    #expect(!deleted.contains(".env"), "\(back)")
  }

  @Test("a path marked skip-worktree keeps its local content, as git checkout keeps it")
  func skipWorktree() throws {
    let fixture = try TestRepository()
    try fixture.write("cfg", "v1\n")
    try fixture.commitAll("v1")
    let checkpoint = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try fixture.write("cfg", "v2\n")
    try fixture.commitAll("v2")
    try fixture.git("update-index", "--skip-worktree", "cfg")
    try fixture.write("cfg", "v3-local\n")
    let result = try CanonicalJSON.parse(try fixture.octo("restore", checkpoint, "--json"))
    #expect(try String(decoding: contents(fixture, "cfg"), as: UTF8.self) == "v3-local\n", "\(result)")
    #expect(result["skipped"]?.arrayValue?.contains { $0["path"]?.stringValue == "cfg" } == true)
  }

  @Test("a restore that takes rule and attribute files away writes its files without those rules")
  func attributesTakenAway() throws {
    let fixture = try TestRepository()
    try fixture.write("notes.txt", "one\ntwo\n")
    let checkpoint = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try fixture.write(".gitattributes", "* text eol=crlf\n")
    try fixture.write(".gitignore", "*.log\n")
    try fixture.write("notes.txt", "changed\n")
    try fixture.octo("restore", checkpoint)
    #expect(try contents(fixture, "notes.txt") == Data("one\ntwo\n".utf8))
    #expect(!Paths.entryExists(fixture.path + "/.gitattributes") && !Paths.entryExists(fixture.path + "/.gitignore"))
  }

  @Test("undoing a restore that put a file where an ignored file's folder was brings that file back")
  func undoWritesWhatTheRestoreRemoved() throws {
    let fixture = try TestRepository()
    try fixture.write("e", "FILE-E\n")
    try fixture.write(".gitignore", "*.txt\n")
    let target = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try FileManager.default.removeItem(atPath: fixture.path + "/e")
    try FileManager.default.removeItem(atPath: fixture.path + "/.gitignore")
    try fixture.write("e/log.txt", "LOG\n")
    let restore = try CanonicalJSON.parse(try fixture.octo("restore", target, "--json"))
    let undo = try #require(restore["undo"]?.stringValue)
    try fixture.octo("restore", undo)
    #expect(try String(decoding: contents(fixture, "e/log.txt"), as: UTF8.self) == "LOG\n")
    #expect(!Paths.entryExists(fixture.path + "/.gitignore"))
  }
}
