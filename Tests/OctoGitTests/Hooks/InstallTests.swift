import Foundation
import Testing

@testable import OctoGit

@Suite("Installing hooks and sharing notes")
struct InstallTests {
  func hooksDirectory(_ fixture: TestRepository, in directory: String? = nil) throws -> String {
    try fixture.git("rev-parse", "--path-format=absolute", "--git-path", "hooks", in: directory)
  }

  @Test("install keeps a foreign hook and chains it; reinstall changes nothing; uninstall restores its bytes")
  func installAndUninstall() throws {
    let fixture = try TestRepository()
    let hooks = try hooksDirectory(fixture)
    let foreign = Data("#!/bin/sh\necho \"foreign $*\" >> \"$(git rev-parse --git-dir)/foreign.log\"\n".utf8)
    try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
    try foreign.write(to: URL(fileURLWithPath: hooks + "/post-commit"))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hooks + "/post-commit")
    let config = try fixture.gitRaw("config", "--local", "--list")

    try fixture.octo("install")
    let installed = try (HookInstaller.hookNames).map { try Data(contentsOf: URL(fileURLWithPath: hooks + "/" + $0)) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: hooks + "/post-commit.octo-orig")) == foreign)
    #expect(try fixture.git("config", "--get-all", "notes.rewriteRef") == "refs/notes/octo/*")
    #expect(!(try fixture.gitRaw("config", "--local", "--list").contains("remote.origin.push")))
    #expect(try fixture.octo("install") == "")
    #expect(
      try HookInstaller.hookNames.map { try Data(contentsOf: URL(fileURLWithPath: hooks + "/" + $0)) } == installed)

    // The chained hook still runs, and octo-git's part too.
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "3", "--id", "e")
    try fixture.commitAll("with hooks")
    #expect(try String(contentsOfFile: fixture.path + "/.git/foreign.log", encoding: .utf8) == "foreign \n")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").contains("\"id\":\"e\""))
    let doctor = try CanonicalJSON.parse(try fixture.octo("doctor", "--json"))
    #expect(doctor["hooks"]?["hooks"]?.arrayValue?.allSatisfy { $0["state"]?.stringValue == "octo-git" } == true)

    try fixture.octo("uninstall")
    #expect(try Data(contentsOf: URL(fileURLWithPath: hooks + "/post-commit")) == foreign)
    #expect(!FileManager.default.fileExists(atPath: hooks + "/pre-push"))
    #expect(!FileManager.default.fileExists(atPath: hooks + "/post-commit.octo-orig"))
    let after = try fixture.gitRaw("config", "--local", "--list").split(separator: "\n").filter {
      !$0.hasPrefix("notes.")
    }
    #expect(after == config.split(separator: "\n").filter { !$0.hasPrefix("notes.") })
    #expect((try? fixture.git("config", "--get-all", "notes.rewriteRef")) == nil)
  }

  @Test("linked worktrees and core.hooksPath (local and global): the hooks go where git runs them")
  func whereHooksGo() throws {
    let fixture = try TestRepository()
    let worktree = try fixture.addWorktree("wt", branch: "topic")
    try fixture.octo(["install"], in: worktree)
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/.git/hooks/post-commit"))
    try fixture.octo(["usage", "record", "--model", "gpt-5", "--in", "1", "--id", "wt-event"], in: worktree)
    try fixture.git("commit", "-q", "--allow-empty", "-m", "in worktree", in: worktree)
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "topic").contains("wt-event"))
    try fixture.octo("uninstall")

    try fixture.git("config", "core.hooksPath", "my hooks")
    try fixture.octo("install")
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/my hooks/pre-push"))
    try fixture.octo("uninstall")
    try fixture.git("config", "--unset", "core.hooksPath")

    let global = fixture.root + "/global-hooks"
    try fixture.git("config", "--global", "core.hooksPath", global)
    #expect(try fixture.octo("install").contains("run for every repository that uses it"))
    #expect(FileManager.default.fileExists(atPath: global + "/post-rewrite"))
    #expect(try hooksDirectory(fixture) == global)
    // Another repository sharing that folder never installed there: its uninstall leaves the hooks alone.
    let other = fixture.root + "/other"
    try fixture.git("init", "-q", other)
    let left = try fixture.octo(["uninstall"], in: other)
    #expect(left.contains("left octo-git's hooks in \(global)"), "\(left)")
    #expect(FileManager.default.fileExists(atPath: global + "/post-rewrite"))
    try fixture.octo("uninstall")
    #expect(!FileManager.default.fileExists(atPath: global + "/post-rewrite"))
  }

  @Test("pre-commit installed over octo-git's hooks keeps them as .legacy: doctor and usage record see octo-git runs")
  func preCommitMigration() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    let hooks = try hooksDirectory(fixture)
    try FileManager.default.moveItem(atPath: hooks + "/post-commit", toPath: hooks + "/post-commit.legacy")
    // What pre-commit writes in its migration mode, cut down: it runs the hook it found first.
    let script =
      "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n"
      + "\"$(dirname \"$0\")/post-commit.legacy\" \"$@\"\n"
    try Data(script.utf8).write(to: URL(fileURLWithPath: hooks + "/post-commit"))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hooks + "/post-commit")
    let recorded = try OctoGitBinary.run(
      ["usage", "record", "--model", "gpt-5", "--in", "1"], in: fixture.path, home: fixture.home)
    #expect(!recorded.stderr.contains("no octo-git post-commit hook"), "\(recorded.stderr)")
    let doctor = try CanonicalJSON.parse(try fixture.octo("doctor", "--json"))
    let states = (doctor["hooks"]?["hooks"]?.arrayValue ?? []).compactMap { $0["state"]?.stringValue }
    #expect(states.allSatisfy { $0 == "octo-git" || $0 == "manager" }, "\(states)")
  }

  @Test("uninstall says where the hook octo-git replaced is left when another tool took the hook over")
  func strandedOriginal() throws {
    let fixture = try TestRepository()
    let hooks = try hooksDirectory(fixture)
    try Data("#!/bin/sh\nexit 0\n".utf8).write(to: URL(fileURLWithPath: hooks + "/pre-push"))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hooks + "/pre-push")
    try fixture.octo("install")
    try Data("#!/bin/sh\n# another tool\n".utf8).write(to: URL(fileURLWithPath: hooks + "/pre-push"))
    #expect(try fixture.octo("uninstall").contains("pre-push: left \(hooks)/pre-push.octo-orig"))
  }

  @Test("husky's hooks path: octo-git prints the lines to add instead of writing there; doctor notices a bypass")
  func husky() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try fixture.git("config", "core.hooksPath", ".husky/_")
    let doctor = try CanonicalJSON.parse(try fixture.octo("doctor", "--json"))
    #expect(
      doctor["problems"]?.arrayValue?.contains { $0.stringValue?.hasPrefix("installed but bypassed") == true } == true)
    let output = try fixture.octo("install")
    #expect(output.contains(".husky/post-commit:"))
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.husky/_/post-commit"))
    try fixture.octo("install", "--force")
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/.husky/_/post-commit"))
  }

  @Test("lefthook in charge (installed) is joined through its configuration")
  func lefthook() throws {
    let fixture = try TestRepository()
    try fixture.write("lefthook.yml", "pre-commit:\n  jobs: []\n")
    // An installed lefthook: on PATH.
    let bin = fixture.root + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    try Data("#!/bin/sh\nexit 0\n".utf8).write(to: URL(fileURLWithPath: bin + "/lefthook"))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/lefthook")
    let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    let result = try OctoGitBinary.run(["install"], in: fixture.path, home: fixture.home, environment: ["PATH": path])
    #expect(result.status == 0 && result.stdout.contains("use_stdin: true"))
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.git/hooks/post-commit"))
  }
}

@Suite("Notes travel with push and fetch")
struct NotesSyncTests {
  /// Two clones of one bare remote, both with octo-git installed.
  func clones() throws -> (TestRepository, String, String) {
    let fixture = try TestRepository()
    let remote = try fixture.addBareOrigin()
    try fixture.git("push", "-q", "origin", "main")
    let other = fixture.root + "/other"
    try fixture.git("clone", "-q", remote, other)
    try fixture.git("config", "user.name", "Other", in: other)
    try fixture.git("config", "user.email", "other@example.com", in: other)
    try fixture.octo("install")
    try fixture.octo(["install"], in: other)
    return (fixture, remote, other)
  }

  @Test("a push that sends notes refs itself is left to do it: the hook's own sync would make it fail")
  func explicitNotesPush() throws {
    let (fixture, remote, _) = try clones()
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "mine")
    try fixture.commitAll("a")
    let pushed = try Shell.run(
      Shell.git, ["push", "origin", "refs/notes/octo/*:refs/notes/octo/*", "main"], in: fixture.path,
      home: fixture.home)
    #expect(pushed.status == 0, "\(pushed.stderr)")
    #expect(try fixture.git("notes", "--ref=octo/usage", "list", in: remote).split(separator: "\n").count == 1)
    // Another notes ref pushed by hand: octo's notes still go with the push.
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "second")
    try fixture.commitAll("b")
    try fixture.git("notes", "add", "-m", "reviewed", "HEAD")
    let other = try Shell.run(
      Shell.git, ["push", "origin", "refs/notes/commits", "main"], in: fixture.path, home: fixture.home)
    #expect(other.status == 0, "\(other.stderr)")
    #expect(try fixture.git("notes", "--ref=octo/usage", "list", in: remote).split(separator: "\n").count == 2)
  }

  @Test("two clones with usage notes sync through a bare remote until both hold the union")
  func union() throws {
    let (fixture, remote, other) = try clones()
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "from-a")
    try fixture.commitAll("a")
    try fixture.octo(["usage", "record", "--model", "gpt-5", "--in", "2", "--id", "from-b"], in: other)
    try fixture.git("commit", "-q", "--allow-empty", "-m", "b", in: other)
    try fixture.git("push", "-q", "origin", "main")  // the pre-push hook pushes the notes too
    #expect(try fixture.git("notes", "--ref=octo/usage", "list", in: remote).split(separator: "\n").count == 1)
    #expect(try fixture.octo(["notes", "sync"], in: other) == "took in origin's usage notes; pushed usage notes\n")
    #expect(try fixture.octo("notes", "sync") == "took in origin's usage notes\n")
    let again = try CanonicalJSON.parse(try fixture.octo("notes", "sync", "--json"))
    #expect(again["pushed"]?.arrayValue == [] && again["merged"]?.arrayValue == [], "\(again)")
    #expect(try fixture.octo("notes", "sync") == "notes already in sync with origin\n")
    for directory in [fixture.path, other] {
      let blobs = try fixture.git("notes", "--ref=octo/usage", "list", in: directory).split(separator: "\n").map {
        String($0.split(separator: " ")[0])
      }
      let text = try blobs.map { try fixture.git("cat-file", "-p", $0, in: directory) }.joined(separator: "\n")
      #expect(text.contains("from-a") && text.contains("from-b"), "\(directory)")
    }
    #expect(try fixture.git("notes", "--ref=octo/usage", "list", in: remote).split(separator: "\n").count == 2)
    // Checkpoints are never pushed.
    try fixture.octo("checkpoint")
    try fixture.octo("notes", "sync")
    #expect(!(try fixture.git("for-each-ref", in: remote).contains("checkpoints")))
    // Someone pushes a blob as the usage notes: one line naming the remote's ref, local notes unchanged.
    let blob = try fixture.git("hash-object", "-w", "--stdin", in: other, input: "not notes\n")
    try fixture.git("push", "-q", "--no-verify", "-f", "origin", "\(blob):refs/notes/octo/usage", in: other)
    let local = try fixture.git("rev-parse", "refs/notes/octo/usage")
    let refused = try OctoGitBinary.run(["notes", "sync"], in: fixture.path, home: fixture.home)
    #expect(refused.status == ExitStatus.badInput.rawValue, "\(refused.stderr)")
    #expect(refused.stderr.contains("origin's refs/notes/octo/usage is not notes"), "\(refused.stderr)")
    #expect(try fixture.git("rev-parse", "refs/notes/octo/usage") == local)
  }

  @Test("a foreign pre-push hook gets identical arguments and stdin")
  func foreignPrePush() throws {
    let fixture = try TestRepository()
    let remote = try fixture.addBareOrigin()
    let hooks = fixture.path + "/.git/hooks"
    try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
    let log = fixture.root + "/foreign"
    try Data("#!/bin/sh\necho \"$@\" > '\(log).args'\ncat > '\(log).stdin'\n".utf8).write(
      to: URL(fileURLWithPath: hooks + "/pre-push"))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hooks + "/pre-push")
    try fixture.octo("install")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1")
    try fixture.commitAll("work")
    try fixture.git("push", "-q", "origin", "main")
    #expect(try String(contentsOfFile: log + ".args", encoding: .utf8) == "origin \(remote)\n")
    let head = try fixture.git("rev-parse", "HEAD")
    #expect(
      try String(contentsOfFile: log + ".stdin", encoding: .utf8).hasPrefix("refs/heads/main \(head) refs/heads/main "))
    #expect(try fixture.git("notes", "--ref=octo/usage", "list", in: remote).split(separator: "\n").count == 1)
  }

  @Test("the push still succeeds with the octo-git binary gone, and with a remote that refuses notes")
  func pushNeverFails() throws {
    let (fixture, remote, _) = try clones()
    // Binary gone: the stub names the problem in one line and exits 0.
    let hooks = fixture.path + "/.git/hooks"
    let stub = try String(contentsOfFile: hooks + "/pre-push", encoding: .utf8)
      .replacingOccurrences(of: OctoGitBinary.path, with: fixture.root + "/gone/octo-git")
    try Data(stub.utf8).write(to: URL(fileURLWithPath: hooks + "/pre-push"))
    try fixture.commitAll("one")
    let gone = try Shell.run(
      Shell.git, ["push", "-q", "origin", "main"], in: fixture.path, environment: ["PATH": "/usr/bin:/bin"],
      home: fixture.home)
    #expect(gone.status == 0)
    #expect(gone.stderr.contains("octo-git: binary not found"))
    try fixture.octo("install", "--force")

    // A remote that refuses notes.
    try Data("#!/bin/sh\ncase \"$1\" in refs/notes/*) echo 'notes refused' >&2; exit 1;; esac\nexit 0\n".utf8)
      .write(to: URL(fileURLWithPath: remote + "/hooks/update"))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: remote + "/hooks/update")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1")
    try fixture.commitAll("two")
    let refused = try Shell.run(Shell.git, ["push", "-q", "origin", "main"], in: fixture.path, home: fixture.home)
    #expect(refused.status == 0)
    #expect(refused.stderr.contains("notes not pushed"))
    #expect(try fixture.git("rev-parse", "main", in: remote) == (try fixture.git("rev-parse", "HEAD")))
  }

  @Test("post-rewrite: an amend without notes.rewriteRef still carries the usage, exactly once")
  func postRewrite() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try fixture.git("config", "--unset-all", "notes.rewriteRef")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "kept")
    try fixture.commitAll("first")
    try fixture.git("commit", "-q", "--amend", "--allow-empty", "-m", "first, amended")
    let note = try fixture.git("notes", "--ref=octo/usage", "show", "HEAD")
    #expect(note.split(separator: "\n").count == 1 && note.contains("\"id\":\"kept\""))
    // With notes.rewriteRef back, git copies and the hook adds nothing twice.
    try fixture.git("config", "--add", "notes.rewriteRef", "refs/notes/octo/*")
    try fixture.git("commit", "-q", "--amend", "--allow-empty", "-m", "again")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").split(separator: "\n").count == 1)
  }

  @Test("post-rewrite: a commit a rebase drops (already upstream) does not leave its usage on the commit before it")
  func rebaseDropsCommit() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try fixture.git("switch", "-q", "-c", "topic")
    var commits: [String: String] = [:]
    for name in ["a", "b", "c"] {
      try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "usage-\(name)")
      try fixture.write("\(name).txt", "\(name)\n")
      commits[name] = try fixture.commitAll("add \(name)")
    }
    try fixture.git("switch", "-q", "main")
    try fixture.git("cherry-pick", commits["b"]!)
    try fixture.git("switch", "-q", "topic")
    // b's change is upstream now: the rebase drops it; git 2.39 reports it rewritten into a's new commit.
    try fixture.git("rebase", "-q", "--reapply-cherry-picks", "main")
    let newA = try fixture.git("log", "--format=%H", "--grep=^add a$", "main..topic")
    let newC = try fixture.git("log", "--format=%H", "--grep=^add c$", "main..topic")
    let noteA = try fixture.git("notes", "--ref=octo/usage", "show", newA)
    #expect(noteA.contains("usage-a") && !noteA.contains("usage-b"), "\(noteA)")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", newC).contains("usage-c"))
    // b's usage is still counted, once: on its own (now unreachable) commit.
    let report = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "model", "--json"))
    #expect(report["total"]?["events"]?.intValue == 3)
    // A squash keeps both: neither commit has the new commit's whole change.
    try fixture.git("reset", "-q", "--hard", commits["c"]!)
    try fixture.git("reset", "-q", "--soft", "HEAD~2")
    try fixture.git("commit", "-q", "-m", "squashed")
    let rewrite =
      "\(commits["b"]!) \(try fixture.git("rev-parse", "HEAD"))\n"
      + "\(commits["c"]!) \(try fixture.git("rev-parse", "HEAD"))\n"
    try fixture.octo(["hook", "post-rewrite", "rebase"], input: rewrite)
    let squashed = try fixture.git("notes", "--ref=octo/usage", "show", "HEAD")
    #expect(squashed.contains("usage-b") && squashed.contains("usage-c"))
    // So does the squash of a commit that changes nothing into one that does.
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "usage-empty")
    try fixture.git("commit", "-q", "--allow-empty", "-m", "nothing")
    let empty = try fixture.git("rev-parse", "HEAD")
    try fixture.write("d.txt", "d\n")
    try fixture.git("add", "d.txt")
    try fixture.git("commit", "-q", "-m", "d", environment: ["OCTO_GIT_HOOKS": "0"])
    let last = try fixture.git("rev-parse", "HEAD")
    try fixture.git("reset", "-q", "--soft", "HEAD~2")
    try fixture.git("commit", "-q", "-m", "d and nothing", environment: ["OCTO_GIT_HOOKS": "0"])
    try fixture.octo(
      ["hook", "post-rewrite", "rebase"],
      input: "\(empty) \(try fixture.git("rev-parse", "HEAD"))\n\(last) \(try fixture.git("rev-parse", "HEAD"))\n")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").contains("usage-empty"))
  }

  @Test("post-rewrite: a rebase that skips its first commit leaves the upstream tip's usage alone")
  func rebaseSkipsFirstCommit() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try fixture.git("switch", "-q", "-c", "topic")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "usage-topic")
    try fixture.write("f.txt", "topic\n")
    try fixture.commitAll("topic change")
    try fixture.git("switch", "-q", "main")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "usage-main")
    try fixture.write("f.txt", "main\n")
    try fixture.commitAll("main change")
    try fixture.git("switch", "-q", "topic")
    // A conflict, skipped: git 2.39 reports the skipped commit as rewritten into main's tip, someone else's.
    #expect(throws: (any Error).self) { try fixture.git("rebase", "-q", "main") }
    try fixture.git("rebase", "--skip")
    let mainNote = try fixture.git("notes", "--ref=octo/usage", "show", "main")
    #expect(mainNote.contains("usage-main") && !mainNote.contains("usage-topic"), "\(mainNote)")
    let report = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "model", "--json"))
    #expect(report["total"]?["events"]?.intValue == 2)
  }
}

@Suite("Hook stubs")
struct HookStubTests {
  @Test("a binary path with spaces, quotes and dollars is baked in safely")
  func awkwardBinaryPath() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "octo-git-stub-\(UUID())/my \"odd\" $dir"
    ).path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
    let fake = folder + "/octo-git"
    try Data("#!/bin/sh\necho \"called $*\"\n".utf8).write(to: URL(fileURLWithPath: fake))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
    let fixture = try TestRepository()
    let stub = HookInstaller.stub("pre-push", binary: fake)
    let path = fixture.root + "/pre-push"
    try Data(stub.utf8).write(to: URL(fileURLWithPath: path))
    let result = try Shell.run(
      "/bin/sh", [path, "origin", "url"], in: fixture.path, input: Data("x\n".utf8), home: fixture.home)
    #expect(result.status == 0)
    #expect(result.stdout == "called hook pre-push origin url\n", "\(result.stdout)\(result.stderr)")
  }
}
