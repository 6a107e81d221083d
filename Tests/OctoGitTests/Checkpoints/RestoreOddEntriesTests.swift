import Foundation
import Testing

@testable import OctoGit

@Suite("restore with entries git treats apart: attributes, submodules, special files, .gitmodules links")
struct RestoreOddEntriesTests {
  @Test("attribute files are written first: a file whose name sorts before .gitattributes is converted too")
  func attributesFirst() throws {
    let fixture = try TestRepository()
    try fixture.write(".gitattributes", "*.txt eol=crlf\n")
    try fixture.write("-a.txt", "l1\r\n")
    try fixture.write("b.txt", "l1\r\n")
    try fixture.octo("checkpoint", "--quiet")
    for name in [".gitattributes", "-a.txt", "b.txt"] {
      try FileManager.default.removeItem(atPath: fixture.path + "/" + name)
    }
    try fixture.octo("restore", "latest")
    for name in ["-a.txt", "b.txt"] {
      #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.path + "/" + name)) == Data("l1\r\n".utf8), "\(name)")
    }
  }

  @Test("a FIFO where a file goes is kept and named, not replaced (the undo could not bring it back)")
  func fifoInTheWay() throws {
    let fixture = try TestRepository()
    try fixture.write("f", "data\n")
    try fixture.octo("checkpoint", "--quiet")
    try FileManager.default.removeItem(atPath: fixture.path + "/f")
    #expect(mkfifo(fixture.path + "/f", 0o644) == 0)
    let result = try OctoGitBinary.run(["restore", "latest"], in: fixture.path, home: fixture.home)
    #expect(result.status == 0 && result.stderr.contains("skipped f: a FIFO stands there"), "\(result.stderr)")
    var status = stat()
    #expect(lstat(fixture.path + "/f", &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
  }

  @Test("a submodule at another commit is named as skipped with the command that moves it, never counted written")
  func submodule() throws {
    let fixture = try TestRepository()
    let inner = try TestRepository()
    try fixture.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", inner.path, "sm")
    try fixture.commitAll("submodule")
    try fixture.octo("checkpoint", "--quiet")
    let recorded = try fixture.git("-C", "sm", "rev-parse", "HEAD")
    try fixture.git(
      "-C", "sm", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "moved")
    let result = try OctoGitBinary.run(["restore", "latest", "--json"], in: fixture.path, home: fixture.home)
    let parsed = try CanonicalJSON.parse(result.stdout)
    #expect(parsed["written"]?.arrayValue?.isEmpty == true && parsed["undo"] == .null, "\(result.stdout)")
    #expect(
      result.stderr.contains(
        "skipped sm: a submodule: bring it to the checkpoint's commit with git -C \(fixture.path)/sm checkout "
          + recorded),
      "\(result.stderr)")
  }

  @Test("a checkpoint holding a symlink named .gitmodules is refused before anything is written, as git refuses it")
  func gitmodulesSymlink() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a\n")
    let head = try fixture.commitAll("a")
    let link = try fixture.git("hash-object", "-w", "--stdin", input: "/etc/passwd")
    let readme = try fixture.git("rev-parse", "HEAD:README.md")
    let tree = try fixture.git(
      "mktree", input: "100644 blob \(readme)\tREADME.md\n120000 blob \(link)\t.gitmodules\n")
    let commit = try fixture.git("commit-tree", tree, "-p", head, "-m", "evil")
    try fixture.git("update-ref", "refs/octo/checkpoints/main/1796000000000-" + commit.prefix(12), commit)
    let result = try OctoGitBinary.run(["restore", String(commit.prefix(12))], in: fixture.path, home: fixture.home)
    #expect(result.status == ExitStatus.badInput.rawValue && result.stderr.contains(".gitmodules"), "\(result.stderr)")
    #expect(!Paths.entryExists(fixture.path + "/.gitmodules"))
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/a.txt"))
  }

  @Test("a file with a filter driver comes back as git checks it out: through its smudge command when clean")
  func filterDriver() throws {
    let fixture = try TestRepository()
    try fixture.write(".gitattributes", "*.x filter=up\n*.p filter=proc\n*.bad filter=broken\n*.off filter=off\n")
    try fixture.git("config", "filter.up.clean", "tr a-z A-Z")
    try fixture.git("config", "filter.up.smudge", "tr A-Z a-z")
    try fixture.git("config", "filter.proc.process", "no-such-long-running-filter")
    try fixture.git("config", "filter.broken.smudge", "echo cannot >&2; exit 3")
    // An empty smudge turns a driver off: git writes the blob.
    try fixture.git("config", "filter.off.clean", "cat")
    try fixture.git("config", "filter.off.smudge", "")
    try fixture.write("f.x", "hello\n")
    try fixture.write("g.p", "pointer\n")
    try fixture.write("h.bad", "data\n")
    try fixture.write("o.off", "plain\n")
    try fixture.git("-c", "filter.proc.process=", "add", "-A")
    try fixture.git("-c", "filter.proc.process=", "commit", "-q", "-m", "filtered")
    // Unchanged since staged: the checkpoint holds their clean form, as the index does.
    try fixture.write("m.x", "Mixed\n")
    try fixture.octo("checkpoint", "--quiet")
    for name in ["f.x", "g.p", "h.bad", "m.x", "o.off"] { try fixture.write(name, "edited\n") }
    let result = try OctoGitBinary.run(["restore", "latest"], in: fixture.path, home: fixture.home)
    #expect(result.status == 0, "\(result.stderr)")
    func content(_ name: String) throws -> String {
      try String(contentsOfFile: fixture.path + "/" + name, encoding: .utf8)
    }
    // Smudged as git checkout does; a file stored as it was on disk (never staged) comes back as it was.
    #expect(try content("f.x") == "hello\n" && content("m.x") == "Mixed\n" && content("o.off") == "plain\n")
    // A driver octo-git cannot run, or one that fails: the file is left as it is, and said.
    #expect(try content("g.p") == "edited\n" && content("h.bad") == "edited\n")
    #expect(result.stderr.contains("skipped g.p: the filter driver 'proc' has no smudge command"), "\(result.stderr)")
    #expect(result.stderr.contains("skipped h.bad: the smudge command of filter 'broken' exited with status 3: cannot"))
  }

  @Test("restore --index keeps a file added with git add -N intended, not staged empty")
  func intentToAdd() throws {
    let fixture = try TestRepository()
    try fixture.write("n", "content\n")
    try fixture.git("add", "-N", "n")
    let before = try fixture.gitRaw("status", "--porcelain")
    try fixture.octo("checkpoint", "--quiet")
    try fixture.octo("restore", "latest", "--index")
    #expect(try fixture.gitRaw("status", "--porcelain") == before && before == " A n\n", "\(before)")
  }
}
