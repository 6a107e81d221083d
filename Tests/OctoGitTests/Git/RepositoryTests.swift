import Foundation
import Testing

@testable import OctoGit

@Suite("Repository: opening and locations")
struct RepositoryTests {
  @Test("opens from any folder inside the work tree and reports its directories")
  func opensFromSubfolder() throws {
    let fixture = try TestRepository(name: "dir with spaces é")
    try fixture.write("src/deep/file.txt", "x\n")
    let repository = try fixture.open(fixture.path + "/src/deep")
    #expect(repository.workDirectory == fixture.path)
    #expect(repository.gitDirectory == fixture.path + "/.git")
    #expect(repository.commonDirectory == fixture.path + "/.git")
    #expect(!repository.isLinkedWorktree)
    #expect(try repository.hooksDirectory() == fixture.path + "/.git/hooks")
  }

  @Test("a linked worktree reports its own git dir and the shared common dir")
  func linkedWorktree() throws {
    let fixture = try TestRepository()
    let worktree = try fixture.addWorktree("wt", branch: "topic")
    let repository = try fixture.open(worktree)
    #expect(repository.isLinkedWorktree)
    #expect(repository.workDirectory == worktree)
    #expect(repository.gitDirectory == (try fixture.git("rev-parse", "--absolute-git-dir", in: worktree)))
    #expect(repository.commonDirectory == fixture.path + "/.git")
    #expect(try repository.head().branch == "topic")
    // git runs a linked worktree's hooks from the common dir.
    let gitHooks = try fixture.git("rev-parse", "--path-format=absolute", "--git-path", "hooks", in: worktree)
    #expect(try repository.hooksDirectory() == gitHooks)
  }

  @Test("core.hooksPath is honoured, relative to the work tree, as git does")
  func hooksPath() throws {
    let fixture = try TestRepository()
    try fixture.git("config", "core.hooksPath", ".husky/_")
    let repository = try fixture.open()
    let gitHooks = try fixture.git("rev-parse", "--path-format=absolute", "--git-path", "hooks")
    #expect(try repository.hooksDirectory() == gitHooks)
    #expect(try repository.hooksDirectory() == fixture.path + "/.husky/_")
  }

  @Test("a bare repository is refused with a clear message")
  func bareRefused() throws {
    let fixture = try TestRepository()
    let bare = fixture.root + "/bare.git"
    try fixture.git("clone", "-q", "--bare", fixture.path, bare)
    let error = #expect(throws: OctoError.self) { try Repository.open(at: bare) }
    #expect(error?.status == .notARepository)
    #expect(error?.message.contains("bare repository") == true)
  }

  @Test("outside any repository: a clear not-a-repository error")
  func notARepository() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("octo-git-norepo-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let error = #expect(throws: OctoError.self) { try Repository.open(at: folder) }
    #expect(error?.status == .notARepository)
    #expect(error?.message.contains("not a git repository") == true)
  }

  @Test("a repository owned by another user is refused as git's safe.directory does")
  func otherOwner() throws {
    guard geteuid() == 0 else { return }  // only root can hand a folder to another user
    let fixture = try TestRepository()
    #expect(chown(fixture.path + "/.git", 65534, 65534) == 0)
    let gitResult = try Shell.run(Shell.git, ["status"], in: fixture.path, home: fixture.home)
    #expect(gitResult.status != 0)  // the witness refuses it too
    let error = #expect(throws: OctoError.self) { try fixture.open() }
    #expect(error?.status == .notARepository)
    #expect(error?.message.contains("owned by another user") == true)
    #expect(error?.hint?.contains("safe.directory") == true)
  }

  @Test("HEAD on a branch, detached, and unborn")
  func headStates() throws {
    let fixture = try TestRepository()
    let repository = try fixture.open()
    let tip = try fixture.git("rev-parse", "HEAD")
    #expect(try repository.head() == .branch(name: "main", commit: Oid(hex: tip)!))
    try fixture.git("checkout", "-q", "--detach")
    #expect(try repository.head() == .detached(Oid(hex: tip)!))
    try fixture.git("checkout", "-q", "--orphan", "fresh")
    #expect(try repository.head() == .unborn(branch: "fresh"))
    #expect(try repository.headCommit() == nil)

    let empty = try TestRepository(initialCommit: false)
    #expect(try empty.open().head() == .unborn(branch: "main"))
  }

  @Test("an operation in progress (a stopped cherry-pick) is seen")
  func operationInProgress() throws {
    let fixture = try TestRepository()
    try fixture.git("checkout", "-q", "-b", "other")
    try fixture.write("README.md", "other\n")
    let other = try fixture.commitAll("other change")
    try fixture.git("checkout", "-q", "main")
    try fixture.write("README.md", "main\n")
    try fixture.commitAll("main change")
    _ = try? fixture.git("cherry-pick", other)
    #expect(try fixture.open().operationInProgress == .cherryPick)
  }

  @Test("revision expressions resolve to commits; unknown ones are bad input")
  func resolve() throws {
    let fixture = try TestRepository()
    try fixture.commitAll("second")
    let repository = try fixture.open()
    #expect(try repository.resolveCommit("HEAD~1").hex == (try fixture.git("rev-parse", "HEAD~1")))
    let error = #expect(throws: OctoError.self) { try repository.resolveCommit("no-such-branch") }
    #expect(error?.status == .badInput)
  }

  @Test("a path already standard is taken as it is; every other goes through Foundation's standardising")
  func absolutePaths() {
    let samples = [
      "/", "/work", "/work/a b/c", "/work/ünï/c%20d", "/work/.hidden/x", "/work/..x/y", "/work/x.", "/a/b/",
      "/a//b", "/a/./b", "/a/../b", "/a/b/..", "/a/b/.", "relative/x", "./x", "../x", "",
    ]
    for path in samples {
      let oracle = URL(fileURLWithPath: path.hasPrefix("/") ? path : "/base/" + path).standardizedFileURL.path
      #expect(Repository.absolutePath(path, base: "/base") == oracle, "\(path)")
    }
    #expect(Repository.isStandardAbsolute("/work/a b") && Repository.isStandardAbsolute("/"))
    #expect(
      !Repository.isStandardAbsolute("/a/./b") && !Repository.isStandardAbsolute("/a/")
        && !Repository.isStandardAbsolute("a"))
  }
}
