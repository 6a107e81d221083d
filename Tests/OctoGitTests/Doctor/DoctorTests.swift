import Foundation
import Testing

@testable import OctoGit

@Suite("octo-git doctor")
struct DoctorTests {
  func doctor(_ directory: String, home: String) throws -> DoctorReport {
    let result = try OctoGitBinary.run(["doctor", "--json"], in: directory, home: home)
    #expect(result.status == 0, "\(result.stderr)")
    return try JSONDecoder().decode(DoctorReport.self, from: Data(result.stdout.utf8))
  }

  @Test("a notes ref that holds no notes (a tree, as a bad fetch could leave it) is a problem, not a failure")
  func unreadableNotesRef() throws {
    let fixture = try TestRepository()
    let tree = try fixture.git("rev-parse", "HEAD^{tree}")
    try fixture.git("update-ref", "refs/notes/octo/usage", tree)
    try fixture.git("notes", "--ref=octo/checkpoints", "add", "-m", "{}", "HEAD")
    let report = try doctor(fixture.path, home: fixture.home)
    let notes = Dictionary(uniqueKeysWithValues: report.notes.map { ($0.ref, $0) })
    #expect(notes["refs/notes/octo/usage"]?.exists == true && notes["refs/notes/octo/usage"]?.notes == 0)
    #expect(notes["refs/notes/octo/checkpoints"]?.notes == 1)
    #expect(
      report.problems.contains {
        $0.hasPrefix("refs/notes/octo/usage cannot be read as notes") && $0.contains("git update-ref -d")
      }, "\(report.problems)")
  }

  @Test("reports directories, HEAD, hooks, notes counts, settings and library versions")
  func report() throws {
    let fixture = try TestRepository()
    try fixture.commitAll("second")
    try fixture.git("notes", "--ref=octo/usage", "add", "-m", "{}", "HEAD")
    try fixture.git("notes", "--ref=octo/usage", "add", "-m", "{}", "HEAD~1")
    try fixture.git("notes", "--ref=octo/checkpoints", "add", "-m", "{}", "HEAD")
    try fixture.git("config", "octo.checkpoint.keep", "50")
    try fixture.git("config", "octo.custom", "yes")
    let report = try doctor(fixture.path, home: fixture.home)
    #expect(report.repository.workTree == fixture.path)
    #expect(report.repository.commonDir == fixture.path + "/.git")
    #expect(report.repository.headState == "branch" && report.repository.branch == "main")
    #expect(report.repository.commit == (try fixture.git("rev-parse", "HEAD")))
    #expect(report.hooks.directory == (try fixture.git("rev-parse", "--path-format=absolute", "--git-path", "hooks")))
    let notes = Dictionary(uniqueKeysWithValues: report.notes.map { ($0.ref, $0) })
    #expect(notes["refs/notes/octo/usage"]?.notes == 2)
    #expect(notes["refs/notes/octo/checkpoints"]?.notes == 1)
    #expect(notes["refs/notes/octo/features"]?.exists == false)
    let settings = Dictionary(uniqueKeysWithValues: report.settings.map { ($0.key, $0) })
    #expect(settings["octo.checkpoint.keep"]?.value == "50" && settings["octo.checkpoint.keep"]?.source == "local")
    #expect(settings["octo.pushNotes"]?.value == "true" && settings["octo.pushNotes"]?.source == "default")
    #expect(settings["octo.custom"]?.value == "yes")
    #expect(report.runtime.libgit2 == LibGit2.version)
    #expect(report.runtime.sqlite.hasPrefix("3."))
    #expect(!report.runtime.libcurl.isEmpty)
    #expect(report.problems.contains { $0.contains("octo-git install") })

    let text = try OctoGitBinary.run(["doctor"], in: fixture.path, home: fixture.home)
    #expect(text.stdout.contains("refs/notes/octo/usage"))
    #expect(text.stdout.contains("libgit2"))
    // Every setting's value starts in one column, however long its key.
    let settingLines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false)
      .drop { $0 != "settings" }.dropFirst().prefix { !$0.isEmpty }
    let columns = Set(
      settingLines.map {
        $0.dropFirst(2).prefix { $0 != " " }.count + $0.dropFirst(2).drop { $0 != " " }.prefix { $0 == " " }.count
      })
    #expect(settingLines.count > 5 && columns.count == 1)
  }

  @Test("inside a linked worktree it reports that worktree; hooks come from the common dir")
  func linkedWorktree() throws {
    let fixture = try TestRepository()
    let worktree = try fixture.addWorktree("wt two", branch: "topic")
    try fixture.git("checkout", "-q", "--detach", in: worktree)
    let report = try doctor(worktree, home: fixture.home)
    #expect(report.repository.linkedWorktree)
    #expect(report.repository.workTree == worktree)
    #expect(report.repository.headState == "detached")
    #expect(report.repository.commonDir == fixture.path + "/.git")
    #expect(report.hooks.directory == fixture.path + "/.git/hooks")
  }

  @Test("core.hooksPath set globally is the hooks directory it reports, and foreign hooks are told apart")
  func globalHooksPath() throws {
    let fixture = try TestRepository()
    let hooks = fixture.root + "/global hooks"
    try fixture.git("config", "--global", "core.hooksPath", hooks)
    try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
    try Data("#!/bin/sh\nexit 0\n".utf8).write(to: URL(fileURLWithPath: hooks + "/pre-push"))
    try Data(DefaultFiles.content(of: "hooks/post-commit")!.utf8).write(
      to: URL(fileURLWithPath: hooks + "/post-commit"))
    let report = try doctor(fixture.path, home: fixture.home)
    #expect(report.hooks.directory == hooks)
    let states = Dictionary(uniqueKeysWithValues: report.hooks.hooks.map { ($0.name, $0.state) })
    #expect(states == ["post-commit": "octo-git", "pre-push": "other", "post-rewrite": "missing"])
  }

  @Test("an unborn branch is reported as such")
  func unborn() throws {
    let fixture = try TestRepository(initialCommit: false)
    let report = try doctor(fixture.path, home: fixture.home)
    #expect(report.repository.headState == "unborn")
    #expect(report.repository.branch == "main")
    #expect(report.repository.commit == nil)
  }

  @Test("doctor names what stops octo-git while all looks installed; install makes a hook executable again")
  func healthProblems() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try fixture.octo("repos", "add", ".")
    #expect(try doctor(fixture.path, home: fixture.home).problems.isEmpty)
    let hook = fixture.path + "/.git/hooks/post-commit"
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: hook)
    try fixture.git("config", "octo.timeZone", "Mars/Olympus")
    try fixture.git("config", "octo.budget.pr", "abc")
    try FileManager.default.createDirectory(atPath: fixture.path + "/.git/octo", withIntermediateDirectories: true)
    try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: fixture.path + "/.git/octo/ledger.sqlite"))
    let problems = try doctor(fixture.path, home: fixture.home).problems
    #expect(problems.contains { $0.contains("post-commit is not executable") }, "\(problems)")
    #expect(problems.contains { $0.contains("octo.timeZone") }, "\(problems)")
    #expect(problems.contains { $0.contains("octo.budget.pr") && $0.contains("abc") }, "\(problems)")
    #expect(problems.contains { $0.contains("ledger.sqlite") && $0.contains("damaged") }, "\(problems)")
    #expect(try fixture.octo("install").contains("post-commit: made executable again"))
    #expect(FileManager.default.isExecutableFile(atPath: hook))
    // The stub's binary gone, and none on PATH.
    let stub = try String(contentsOfFile: hook, encoding: .utf8)
      .replacingOccurrences(of: OctoGitBinary.path, with: fixture.root + "/gone/octo-git")
    try Data(stub.utf8).write(to: URL(fileURLWithPath: hook))
    let gone = try doctor(fixture.path, home: fixture.home).problems
    #expect(gone.contains { $0.contains("/gone/octo-git is gone, and none is on PATH") }, "\(gone)")
  }

  @Test("doctor reads a bare mirror too, with no hook problem (no commit is made there)")
  func bareMirror() throws {
    let fixture = try TestRepository()
    let mirror = fixture.root + "/mirror.git"
    try fixture.git("clone", "-q", "--mirror", fixture.path, mirror)
    let report = try doctor(mirror, home: fixture.home)
    #expect(report.repository.gitDir.hasSuffix("mirror.git") && report.problems.isEmpty, "\(report.problems)")
  }
}
