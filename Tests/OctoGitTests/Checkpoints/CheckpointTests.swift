import Foundation
import Testing

@testable import OctoGit

@Suite("Checkpoints: taking them")
struct CheckpointTests {
  /// A repository with every kind of change: modified, deleted, staged, untracked (with spaces and
  /// non-ASCII), executable, symlink, ignored.
  func messy() throws -> TestRepository {
    let fixture = try TestRepository()
    try fixture.write(".gitignore", "*.log\nbuild/\n")
    try fixture.write("keep.txt", "keep\n")
    try fixture.write("gone.txt", "gone\n")
    try fixture.write("tool.sh", "#!/bin/sh\necho hi\n", executable: true)
    try fixture.write("docs/old name.md", String(repeating: "same\n", count: 10))
    try FileManager.default.createSymbolicLink(atPath: fixture.path + "/link", withDestinationPath: "keep.txt")
    try fixture.commitAll("base")
    try fixture.write("keep.txt", "changed\n")
    try fixture.write("staged.txt", "staged\n")
    try fixture.git("add", "staged.txt")
    try FileManager.default.removeItem(atPath: fixture.path + "/gone.txt")
    try fixture.git("mv", "docs/old name.md", "docs/new name.md")
    try fixture.write("new dir/ünïcode ñame.txt", "new\n")
    try fixture.write("debug.log", "ignored secret\n")
    try fixture.write("build/out.bin", "ignored\n")
    return fixture
  }

  func take(_ fixture: TestRepository, _ arguments: String...) throws -> String {
    try fixture.octo(["checkpoint"] + arguments).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test(".git/index bytes, git status and HEAD are identical before and after; the tree is the work tree")
  func nothingTouched() throws {
    let fixture = try messy()
    let index = try fixture.gitFileBytes("index")
    let status = try fixture.gitRaw("status", "--porcelain=v2", "--untracked-files=all")
    let head = try fixture.git("rev-parse", "HEAD")
    let id = try take(fixture, "-m", "before a risky step", "--agent", "claude-code", "--session", "s-1")
    #expect(try fixture.gitFileBytes("index") == index)
    #expect(try fixture.gitRaw("status", "--porcelain=v2", "--untracked-files=all") == status)
    #expect(try fixture.git("rev-parse", "HEAD") == head)

    let files = try fixture.git("-c", "core.quotepath=false", "ls-tree", "-r", "--name-only", id).split(separator: "\n")
      .map(String.init)
    #expect(
      Set(files) == [
        "README.md", ".gitignore", "keep.txt", "tool.sh", "docs/new name.md", "link", "staged.txt",
        "new dir/ünïcode ñame.txt",
      ])
    #expect(try fixture.git("show", "\(id):keep.txt") == "changed")
    #expect(try fixture.git("ls-tree", id, "tool.sh").hasPrefix("100755"))
    #expect(try fixture.git("ls-tree", id, "link").hasPrefix("120000"))
    // The witness: git's own snapshot of the same work tree gives the same tree.
    let copy = fixture.root + "/witness-index"
    try FileManager.default.copyItem(atPath: fixture.path + "/.git/index", toPath: copy)
    try fixture.git("add", "-A", environment: ["GIT_INDEX_FILE": copy])
    #expect(
      try fixture.git("rev-parse", "\(id)^{tree}")
        == (try fixture.git("write-tree", environment: ["GIT_INDEX_FILE": copy])))
    // Parents: HEAD, then the staged state.
    #expect(try fixture.git("rev-parse", "\(id)^1") == head)
    #expect(try fixture.git("rev-parse", "\(id)^2^{tree}") == (try fixture.git("write-tree")))
    // The metadata note.
    let note = try CanonicalJSON.parse(try fixture.git("notes", "--ref=octo/checkpoints", "show", id))
    #expect(note["message"]?.stringValue == "before a risky step")
    #expect(note["agent"]?.stringValue == "claude-code" && note["session"]?.stringValue == "s-1")
    #expect(note["head"]?.stringValue == head && note["branch"]?.stringValue == "main")
    #expect(note["untracked"]?.intValue == 1)
    #expect(try fixture.git("for-each-ref", "--format=%(objectname)", "refs/octo/checkpoints/") == id)

    // The counts are kept for the same trees, and made again when a tree differs (a file staged).
    func counts(_ checkpoint: String) throws -> [Int?] {
      let note = try CanonicalJSON.parse(try fixture.git("notes", "--ref=octo/checkpoints", "show", checkpoint))
      return [note["changed"]?.intValue, note["untracked"]?.intValue]
    }
    let again = try take(fixture)
    #expect(try counts(again) == counts(id))
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/.git/octo/checkpoint-counts"))
    let untracked = try fixture.gitRaw("-c", "core.quotepath=false", "ls-files", "--others", "--exclude-standard")
      .split(separator: "\n")
    try fixture.git("add", "--", String(try #require(untracked.first)))
    let staged = try take(fixture)
    // The file staged is no longer untracked: one more changed file, one untracked fewer.
    let before = try counts(id).map { $0 ?? -1 }
    #expect(try counts(staged) == [before[0] + 1, before[1] - 1])
  }

  @Test("ignored files are captured only with --include-ignored; a file that became ignored leaves the snapshot")
  func ignoredFiles() throws {
    let fixture = try messy()
    let plain = try take(fixture)
    #expect(!(try fixture.git("ls-tree", "-r", "--name-only", plain).contains("debug.log")))
    let with = try take(fixture, "--include-ignored")
    let files = try fixture.git("ls-tree", "-r", "--name-only", with)
    #expect(files.contains("debug.log") && files.contains("build/out.bin"))
    try fixture.write("notes.env", "TOKEN=1\n")
    #expect(try fixture.git("ls-tree", "-r", "--name-only", try take(fixture)).contains("notes.env"))
    try fixture.write(".gitignore", "*.log\nbuild/\n*.env\n")
    #expect(!(try fixture.git("ls-tree", "-r", "--name-only", try take(fixture)).contains("notes.env")))
  }

  /// The tree git itself makes of the work tree: `git add -A` into an empty index, so every file is
  /// hashed (a copy of `.git/index` dated now would trust stale stat data of files rewritten in the
  /// same second).
  func witnessTree(_ fixture: TestRepository) throws -> String {
    let fresh = fixture.root + "/witness-index"
    try? FileManager.default.removeItem(atPath: fresh)
    try fixture.git("add", "-A", environment: ["GIT_INDEX_FILE": fresh])
    return try fixture.git("write-tree", environment: ["GIT_INDEX_FILE": fresh])
  }

  @Test(
    """
    checkpoint after checkpoint, each tree is git's own snapshot: \
    folders read only when they changed never hide a change
    """
  )
  func successiveCheckpoints() throws {
    let fixture = try TestRepository()
    try fixture.write("src/a/b/one.txt", "aaaa\n")
    try fixture.write("src/c/two.txt", "two\n")
    try fixture.write("src/d/three.txt", "three\n")
    try fixture.write("top.txt", "top\n")
    try fixture.commitAll("tree")
    try fixture.write("src/a/x.tmp", "scratch\n")
    try fixture.write("src/d/loose.txt", "loose\n")
    // Each step should look as if it happened long after the previous one, so that the folders octo-git
    // read before are trusted by their modification times (recent ones are always read again): folders
    // changed since the last step get an old time of their own, unchanged ones keep theirs.
    let old = Date().addingTimeInterval(-3600)
    var steps = 0.0
    func age() throws {
      steps += 1
      let files = FileManager.default
      var folders = [fixture.path]
      for case let relative as String in files.enumerator(atPath: fixture.path)! where !relative.hasPrefix(".git/") {
        var isFolder: ObjCBool = false
        if relative != ".git", files.fileExists(atPath: fixture.path + "/" + relative, isDirectory: &isFolder),
          isFolder.boolValue
        {
          folders.append(fixture.path + "/" + relative)
        }
      }
      for folder in folders {
        let modified = try files.attributesOfItem(atPath: folder)[.modificationDate] as! Date
        if modified > old.addingTimeInterval(600) {
          try files.setAttributes([.modificationDate: old.addingTimeInterval(steps)], ofItemAtPath: folder)
        }
      }
    }
    func check(_ step: String) throws {
      try age()
      let id = try take(fixture)
      #expect(try fixture.git("rev-parse", "\(id)^{tree}") == (try witnessTree(fixture)), "\(step)")
    }
    try check("first")
    try check("nothing changed")

    // A new file deep in a folder, a same-size rewrite right after the last checkpoint, a deletion.
    try fixture.write("src/a/b/new.txt", "new\n")
    try fixture.write("src/a/b/one.txt", "bbbb\n")
    try FileManager.default.removeItem(atPath: fixture.path + "/src/c/two.txt")
    try check("new, rewritten, deleted")
    try fixture.write("src/a/b/one.txt", "cccc\n")
    try check("rewritten again at once")

    // Ignore rules: a new .gitignore drops a file captured while untracked; info/exclude hides a folder
    // and, once emptied, brings it back with a file added while it was hidden.
    try fixture.write("src/a/.gitignore", "*.tmp\n")
    try check("new .gitignore")
    try fixture.write("src/e/hidden.txt", "hidden\n")
    try Data("src/e/\n".utf8).write(to: URL(fileURLWithPath: fixture.path + "/.git/info/exclude"))
    try check("excluded folder")
    try fixture.write("src/e/later.txt", "later\n")
    try Data().write(to: URL(fileURLWithPath: fixture.path + "/.git/info/exclude"))
    try check("exclusion lifted")

    // A folder becomes a file and a file a folder; an executable bit; an empty folder filled later.
    try FileManager.default.removeItem(atPath: fixture.path + "/src/d")
    try fixture.write("src/d", "now a file\n")
    try FileManager.default.removeItem(atPath: fixture.path + "/top.txt")
    try fixture.write("top.txt/inner.txt", "now a folder\n")
    try check("folder and file swapped")
    #expect(chmod(fixture.path + "/src/a/b/new.txt", 0o755) == 0)
    try check("executable bit")
    try FileManager.default.createDirectory(atPath: fixture.path + "/empty", withIntermediateDirectories: false)
    try check("empty folder")
    try fixture.write("empty/late.txt", "late\n")
    try check("file in the once-empty folder")

    // The snapshot state is a cache: without it (the folder cache kept), untracked files are found again.
    try FileManager.default.removeItem(atPath: fixture.path + "/.git/octo/snapshot.state")
    try check("state deleted")
  }

  @Test("an unborn branch, a detached HEAD and a linked worktree")
  func headStates() throws {
    let empty = try TestRepository(initialCommit: false)
    try empty.write("first.txt", "1\n")
    let unborn = try take(empty)
    #expect(try empty.git("ls-tree", "-r", "--name-only", unborn) == "first.txt")
    // Its one parent is the index commit (there is no HEAD yet).
    #expect(try empty.git("rev-list", "--parents", "-n", "1", unborn).split(separator: " ").count == 2)

    let fixture = try TestRepository()
    try fixture.git("checkout", "-q", "--detach")
    try fixture.write("d.txt", "d\n")
    let detached = try take(fixture)
    #expect(
      try CanonicalJSON.parse(try fixture.git("notes", "--ref=octo/checkpoints", "show", detached))["branch"] == nil)

    let worktree = try fixture.addWorktree("wt", branch: "topic")
    try fixture.write("wt-only.txt", "w\n")
    try Data("in worktree\n".utf8).write(to: URL(fileURLWithPath: worktree + "/w.txt"))
    let inWorktree = try fixture.octo(["checkpoint"], in: worktree).trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try fixture.git("ls-tree", "-r", "--name-only", inWorktree).contains("w.txt"))
    #expect(!(try fixture.git("ls-tree", "-r", "--name-only", inWorktree).contains("wt-only.txt")))
    #expect(
      try fixture.git("for-each-ref", "--format=%(refname)", "refs/octo/checkpoints/worktrees/wt/").contains(
        String(inWorktree.prefix(12))))
    // Each work tree lists its own; --all lists both.
    #expect(try fixture.octo(["checkpoints", "list", "--json"], in: worktree).contains(inWorktree))
    #expect(!(try fixture.octo("checkpoints", "list", "--json").contains(inWorktree)))
    #expect(try fixture.octo("checkpoints", "list", "--all", "--json").contains(inWorktree))
  }

  @Test("a sparse checkout does not record the files outside the cone as deleted")
  func sparseCheckout() throws {
    let fixture = try TestRepository()
    try fixture.write("inside/a.txt", "a\n")
    try fixture.write("outside/b.txt", "b\n")
    try fixture.commitAll("two folders")
    try fixture.git("sparse-checkout", "set", "inside")
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/outside/b.txt"))
    try fixture.write("inside/a.txt", "changed\n")
    let id = try take(fixture)
    let files = try fixture.git("ls-tree", "-r", "--name-only", id)
    #expect(files.contains("outside/b.txt"))
    #expect(try fixture.git("show", "\(id):inside/a.txt") == "changed")
  }

  @Test("submodules are recorded as gitlinks to their checked-out commit")
  func submodules() throws {
    let library = try TestRepository(name: "library")
    let fixture = try TestRepository()
    try fixture.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", library.path, "lib")
    try fixture.commitAll("add submodule")
    try Data("more\n".utf8).write(to: URL(fileURLWithPath: fixture.path + "/lib/more.txt"))
    try fixture.git("add", "more.txt", in: fixture.path + "/lib")
    try fixture.git(
      "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "moved on", in: fixture.path + "/lib"
    )
    let moved = try fixture.git("rev-parse", "HEAD", in: fixture.path + "/lib")
    let id = try take(fixture)
    #expect(try fixture.git("ls-tree", id, "lib") == "160000 commit \(moved)\tlib")
  }

  @Test("two checkpoints at the same moment both succeed and both are listed")
  func concurrent() async throws {
    let fixture = try messy()
    let path = fixture.path
    let home = fixture.home
    let ids = try await withThrowingTaskGroup(of: String.self) { group in
      for number in 0..<4 {
        group.addTask {
          let result = try OctoGitBinary.run(["checkpoint", "-m", "racer \(number)"], in: path, home: home)
          guard result.status == 0 else { throw Shell.Failure(command: ["checkpoint"], result: result) }
          return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
      }
      var ids: [String] = []
      for try await id in group { ids.append(id) }
      return ids
    }
    let listed = try CanonicalJSON.parse(try fixture.octo("checkpoints", "list", "--json")).arrayValue ?? []
    #expect(Set(listed.compactMap { $0["id"]?.stringValue }) == Set(ids))
    #expect(try fixture.git("notes", "--ref=octo/checkpoints", "list").split(separator: "\n").count == 4)
  }

  @Test("checkpoints survive git gc --prune=now and are not pushed by default")
  func gcSurvival() throws {
    let fixture = try messy()
    let id = try take(fixture)
    try fixture.git("gc", "-q", "--prune=now")
    #expect(try fixture.git("cat-file", "-t", id) == "commit")
    #expect(try fixture.git("cat-file", "-t", "\(id)^2") == "commit")
    let remote = fixture.root + "/remote.git"
    try fixture.git("init", "-q", "--bare", remote)
    try fixture.git("push", "-q", remote, "main")
    #expect(try fixture.git("for-each-ref", in: remote).contains("refs/octo") == false)
  }

  @Test("the staged state follows the index: staging between two checkpoints changes the second one's")
  func stagedStateFollowsIndex() throws {
    let fixture = try messy()
    let first = try take(fixture)
    try fixture.git("add", "keep.txt")
    let second = try take(fixture)
    #expect(try fixture.git("rev-parse", "\(first)^2^{tree}") != (try fixture.git("rev-parse", "\(second)^2^{tree}")))
    #expect(try fixture.git("rev-parse", "\(second)^2^{tree}") == (try fixture.git("write-tree")))
    #expect(try fixture.git("show", "\(second)^2:keep.txt") == "changed")
  }

  @Test(
    "three checkpoints of an unchanged work tree in a row get three ids; each is found and restored by its own prefix")
  func uniqueIDs() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a\n")
    var ids: [String] = []
    for _ in 0..<3 { ids.append(try take(fixture)) }
    #expect(Set(ids).count == 3)
    let trees = try ids.map { try fixture.git("rev-parse", "\($0)^{tree}") }
    #expect(Set(trees).count == 1)
    for id in ids {
      // git shows the subject alone; the random value is a trailer below it.
      #expect(try fixture.git("log", "-1", "--format=%s", id) == "octo-git checkpoint: checkpoint")
      #expect(try fixture.git("log", "-1", "--format=%(trailers:key=Octo-Checkpoint,valueonly)", id).count == 32)
    }
    let listed = try CanonicalJSON.parse(try fixture.octo("checkpoints", "list", "--json")).arrayValue ?? []
    #expect(Set(listed.compactMap { $0["id"]?.stringValue }) == Set(ids))
    #expect(listed.allSatisfy { $0["message"]?.stringValue == "" })
    for id in ids {
      try fixture.write("a.txt", "changed\n")
      let result = try OctoGitBinary.run(
        ["restore", String(id.prefix(10)), "--json"], in: fixture.path, home: fixture.home)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(try CanonicalJSON.parse(result.stdout)["restored"]?.stringValue == id)
      #expect(try String(contentsOfFile: fixture.path + "/a.txt", encoding: .utf8) == "a\n")
    }
  }

  @Test(
    """
    refs sharing one commit (older versions' same-second checkpoints): \
    a prefix finds the newest; the note goes with the last ref
    """
  )
  func sharedCommit() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a\n")
    let id = try take(fixture)
    let ref = try fixture.git("for-each-ref", "--format=%(refname)", "refs/octo/checkpoints/")
    let name = ref.split(separator: "/").last.map(String.init) ?? ""
    let millis = try #require(Int64(name.prefix { $0 != "-" }))
    let older = "refs/octo/checkpoints/main/" + String(format: "%013lld", millis - 1) + "-" + String(id.prefix(12))
    try fixture.git("update-ref", older, id)

    let shown = try CanonicalJSON.parse(try fixture.octo("checkpoints", "show", String(id.prefix(8)), "--json"))
    #expect(shown["ref"]?.stringValue == ref)
    #expect(try fixture.octo("checkpoints", "prune", "--keep", "1", "--json").contains(id))
    #expect(try fixture.git("for-each-ref", "--format=%(refname)", "refs/octo/checkpoints/") == ref)
    #expect(try fixture.git("notes", "--ref=octo/checkpoints", "list").contains(id))
    #expect(try fixture.octo("checkpoints", "show", String(id.prefix(8)), "--json").contains("\"message\""))
    try fixture.octo("checkpoints", "prune", "--keep", "0")
    #expect(try fixture.git("for-each-ref", "refs/octo/checkpoints/") == "")
    #expect(try fixture.git("notes", "--ref=octo/checkpoints", "list") == "")
  }
}
