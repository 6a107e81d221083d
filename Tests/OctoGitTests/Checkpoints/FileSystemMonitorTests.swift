import Foundation
import Testing

@testable import OctoGit

/// Checkpoints with a file-system monitor (`core.fsmonitor`, issue 22): what the monitor does not name is
/// not looked at, as in git; a monitor that fails, garbles or says "everything" leaves every file looked
/// at. The `git` CLI is the witness (run with `core.fsmonitor=false`, so that it never asks the hook).
@Suite("Checkpoints: a file-system monitor (core.fsmonitor) spares the stat walk")
struct FileSystemMonitorTests {
  // MARK: - Helpers

  /// Runs `octo-git checkpoint` (stopped after two minutes: a hook must never hang a test), which must
  /// succeed.
  func take(_ fixture: TestRepository) throws -> (id: String, stderr: String) {
    let result = try ProcessRunner.run(
      OctoGitBinary.path, ["checkpoint"], in: fixture.path, environment: Shell.scrubbedEnvironment(home: fixture.home),
      input: Data(), timeout: 120)
    guard result.status == 0, !result.timedOut else {
      throw Shell.Failure(
        command: ["octo-git", "checkpoint"],
        result: Shell.Result(status: result.status, stdout: result.stdout, stderr: result.stderr))
    }
    return (result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), result.stderr)
  }

  /// `git` without the monitor.
  @discardableResult
  func git(_ fixture: TestRepository, _ arguments: String..., environment: [String: String] = [:]) throws -> String {
    let result = try Shell.run(
      Shell.git, ["-c", "core.fsmonitor=false"] + arguments, in: fixture.path, environment: environment,
      home: fixture.home)
    guard result.status == 0 else { throw Shell.Failure(command: ["git"] + arguments, result: result) }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A file's content in a checkpoint, as git reads it.
  func content(_ fixture: TestRepository, _ checkpoint: String, _ path: String) throws -> String {
    try git(fixture, "show", "\(checkpoint):\(path)")
  }

  /// The tree of a checkpoint against the tree git itself makes of the work tree (`git add -A` into an
  /// empty index).
  func matchesGit(_ fixture: TestRepository, _ checkpoint: String) throws -> Bool {
    let index = fixture.root + "/witness-index"
    try? FileManager.default.removeItem(atPath: index)
    try git(fixture, "add", "-A", environment: ["GIT_INDEX_FILE": index])
    let witness = try git(fixture, "write-tree", environment: ["GIT_INDEX_FILE": index])
    return try git(fixture, "rev-parse", "\(checkpoint)^{tree}") == witness
  }

  func doctor(_ fixture: TestRepository) throws -> DoctorReport {
    let result = try OctoGitBinary.run(["doctor", "--json"], in: fixture.path, home: fixture.home)
    return try JSONDecoder().decode(DoctorReport.self, from: Data(result.stdout.utf8))
  }

  /// A version 2 hook written for the test: it logs its arguments (one line per question), prints the
  /// answer the test wrote (NULs included), and, while `failing`, says so on stderr and exits 1.
  final class ScriptedHook {
    let folder: String

    init(_ fixture: TestRepository) throws {
      folder = fixture.path + "/.git/monitor"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      let script = """
        #!/bin/sh
        printf '%s\\n' "$*" >> '\(folder)/hook.log'
        cat '\(folder)/hook.answer'
        if [ -f '\(folder)/hook.fail' ]; then echo 'boom: the watcher went away' >&2; exit 1; fi
        exit 0

        """
      try Data(script.utf8).write(to: URL(fileURLWithPath: folder + "/hook"))
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder + "/hook")
      try fixture.git("config", "core.fsmonitor", folder + "/hook")
    }

    /// What the hook prints next (`\0` for NUL).
    func answer(_ text: String) throws {
      try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/hook.answer"))
    }

    func failing(_ on: Bool) throws {
      if on {
        try Data().write(to: URL(fileURLWithPath: folder + "/hook.fail"))
      } else {
        try? FileManager.default.removeItem(atPath: folder + "/hook.fail")
      }
    }

    /// The arguments of each question asked so far (`2 <token>`).
    var calls: [String] {
      ((try? String(contentsOfFile: folder + "/hook.log", encoding: .utf8)) ?? "").split(separator: "\n").map(
        String.init)
    }
  }

  /// Whether `call` is git's first question: version 2 and the time in nanoseconds.
  func isFirstQuestion(_ call: String?) -> Bool {
    guard let call, call.hasPrefix("2 ") else { return false }
    let token = call.dropFirst(2)
    return token.count >= 10 && token.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
  }

  func isFailure(_ answer: FileSystemMonitor.Answer) -> Bool {
    if case .failed = answer { return true }
    return false
  }

  // MARK: - Reading answers

  @Test("an answer: token, NUL, paths; `/` first for everything; a folder's slash and .git dropped")
  func answers() {
    #expect(
      FileSystemMonitor.parse(Array("tok\0a.txt\0src/lib/\0.git\0.git/index\0.gitignore".utf8))
        == .changed(token: "tok", paths: ["a.txt", "src/lib", ".gitignore"]))
    #expect(FileSystemMonitor.parse(Array("c:1:2\0".utf8)) == .changed(token: "c:1:2", paths: []))
    #expect(FileSystemMonitor.parse(Array("tok\0a\0".utf8)) == .changed(token: "tok", paths: ["a"]))
    // Watchman's sample hook, first time: "everything", then a second answer it appends.
    #expect(FileSystemMonitor.parse(Array("c:1:2\0/c:1:3\0a\0b".utf8)) == .everything(token: "c:1:2"))
    #expect(FileSystemMonitor.parse(Array("tok\0/etc/passwd".utf8)) == .everything(token: "tok"))
    // A name that is not UTF-8 stays itself.
    #expect(
      FileSystemMonitor.parse([UInt8(ascii: "t"), 0, UInt8(ascii: "n"), 0xFF])
        == .changed(token: "t", paths: [RawPath.string([UInt8(ascii: "n"), 0xFF])]))
  }

  @Test("an answer naming a path outside the work tree, or with a bad token, is not trusted at all")
  func hostileAnswers() {
    let refused = [
      "no NUL at all", "\0a.txt", "tok\0a\0../up", "tok\0a\0/etc/passwd", "tok\0./a", "tok\0a//b", "tok\0a\0\0b",
      "tok\0src/..", "tok\0a/./b", "to\nk\0a", String(repeating: "x", count: 5000) + "\0a",
    ]
    for answer in refused {
      #expect(isFailure(FileSystemMonitor.parse(Array(answer.utf8))), "\(answer.prefix(40))")
    }
    #expect(isFailure(FileSystemMonitor.parse([])))
  }

  @Test("core.fsmonitor is read as git reads it: a boolean is git's daemon or nothing, anything else a hook")
  func modes() throws {
    let fixture = try TestRepository()
    func mode() throws -> FileSystemMonitor.Mode { FileSystemMonitor.mode(try fixture.open().config()) }
    #expect(try mode() == .off)
    let cases: [(String, FileSystemMonitor.Mode)] = [
      ("true", .daemon), ("Yes", .daemon), ("1", .daemon), ("false", .off), ("off", .off), ("0", .off),
      (".git/hooks/query-watchman", .hook(".git/hooks/query-watchman")),
      ("~/bin/monitor", .hook(NSHomeDirectory() + "/bin/monitor")),
    ]
    for (value, expected) in cases {
      try fixture.git("config", "core.fsmonitor", value)
      #expect(try mode() == expected, "\(value)")
    }
    try fixture.git("config", "core.fsmonitorHookVersion", "1")
    #expect(try mode() == .hookVersionOne(NSHomeDirectory() + "/bin/monitor"))
    try fixture.git("config", "core.fsmonitorHookVersion", "2")
    #expect(try mode() == .hook(NSHomeDirectory() + "/bin/monitor"))
  }

  @Test("the record keeps the token with one version of the state, and reads back what was written")
  func record() throws {
    let fixture = try TestRepository()
    let path = fixture.root + "/snapshot.fsmonitor"
    var record = FileSystemMonitor.Record(
      command: "hooks/query \"x\"\\n", workTree: "/work\ntree", checkedAt: 1_700_000_000,
      outcome: .failed("one\\two\r"))
    record.save(path)
    #expect(FileSystemMonitor.Record.load(path) == record)
    record.token = "c:1:2:3"
    record.state = FileVersion(device: 1, inode: UInt64.max, size: 3, seconds: -1, nanoseconds: 999)
    record.outcome = .changed(12)
    record.save(path)
    #expect(FileSystemMonitor.Record.load(path) == record)
    try Data("octo-git fsmonitor 1\ncommand x\n".utf8).write(to: URL(fileURLWithPath: path))
    #expect(FileSystemMonitor.Record.load(path) == nil)
  }

  @Test("the folders a monitor's paths touch: the folder itself, those below it, the nearest one above")
  func foldersTouched() {
    var cache = FolderCache(scannedAt: 0)
    for folder in ["", "src", "src/a", "src/a/b", "srcx", "docs"] {
      cache.folders[folder] = FolderCache.Folder(stamp: FolderCache.Stamp(seconds: 1, nanoseconds: 0, inode: 7))
    }
    #expect(WorkTreeScan.foldersTouched(by: [], in: cache).isEmpty)
    #expect(WorkTreeScan.foldersTouched(by: ["src/a/new.txt"], in: cache) == ["src/a"])
    #expect(WorkTreeScan.foldersTouched(by: ["src/a/x/y/new.txt"], in: cache) == ["src/a"])
    #expect(WorkTreeScan.foldersTouched(by: ["src"], in: cache) == ["", "src", "src/a", "src/a/b"])
    cache.folders["docs"] = FolderCache.Folder(stamp: .unknown)
    #expect(WorkTreeScan.foldersTouched(by: ["top.txt"], in: cache) == ["", "docs"])
  }

  // MARK: - Checkpoints with a scripted hook

  @Test("a scripted hook: only what it names is looked at; everything, a failure or garbage means every file")
  func scriptedHook() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a1\n")
    try fixture.write("b.txt", "b1\n")
    try fixture.write("gone.txt", "gone\n")
    try fixture.commitAll("base")
    let hook = try ScriptedHook(fixture)

    // The first question: a token made of the time in nanoseconds; every file looked at.
    try hook.answer("tok-1\0")
    let first = try take(fixture).id
    #expect(hook.calls.count == 1 && isFirstQuestion(hook.calls.last))
    #expect(try matchesGit(fixture, first))

    // Both files change but the hook names only a.txt: b.txt is not looked at and keeps its old content, as
    // git status would not see it either.
    try fixture.write("a.txt", "a2 changed\n")
    try fixture.write("b.txt", "b2 changed\n")
    try hook.answer("tok-2\0a.txt")
    let second = try take(fixture).id
    #expect(hook.calls.last == "2 tok-1")
    #expect(try content(fixture, second, "a.txt") == "a2 changed")
    #expect(try content(fixture, second, "b.txt") == "b1")

    // "/": anything may have changed; every file looked at, and its token kept.
    try hook.answer("tok-3\0/")
    let third = try take(fixture).id
    #expect(hook.calls.last == "2 tok-2")
    #expect(try content(fixture, third, "b.txt") == "b2 changed")

    // An answer without a NUL: every file looked at; the next question is a first one again.
    try fixture.write("a.txt", "a3 changed again\n")
    try fixture.write("b.txt", "b3 changed again\n")
    try hook.answer("garbage without a NUL")
    let garbled = try take(fixture).id
    #expect(hook.calls.last == "2 tok-3")
    #expect(try matchesGit(fixture, garbled))
    try hook.answer("tok-5\0")
    _ = try take(fixture)
    #expect(isFirstQuestion(hook.calls.last))

    // A hook that fails: every file looked at, nothing said on the checkpoint, and doctor says why.
    try fixture.write("a.txt", "a4\n")
    try fixture.write("b.txt", "b4\n")
    try hook.answer("tok-6\0a.txt")
    try hook.failing(true)
    let failed = try take(fixture)
    #expect(hook.calls.last == "2 tok-5")
    #expect(try matchesGit(fixture, failed.id))
    #expect(!failed.stderr.contains("boom"))
    var report = try doctor(fixture)
    #expect(report.fileSystemMonitor?.mode == "hook" && report.fileSystemMonitor?.inUse == true)
    #expect(report.fileSystemMonitor?.lastQuery?.contains("boom: the watcher went away") == true)
    #expect(report.problems.contains { $0.contains("boom") })
    try hook.failing(false)

    // Answering again: a new folder and a deleted file it names are in the checkpoint.
    try hook.answer("tok-7\0")
    _ = try take(fixture)
    #expect(isFirstQuestion(hook.calls.last))
    try fixture.write("new/x.txt", "x\n")
    try FileManager.default.removeItem(atPath: fixture.path + "/gone.txt")
    try hook.answer("tok-8\0new/x.txt\0new\0gone.txt")
    let added = try take(fixture).id
    #expect(hook.calls.last == "2 tok-7")
    let names = try git(fixture, "ls-tree", "-r", "--name-only", added).split(separator: "\n")
    #expect(names.contains("new/x.txt") && !names.contains("gone.txt"))
    #expect(try matchesGit(fixture, added))
    report = try doctor(fixture)
    #expect(report.fileSystemMonitor?.lastQuery == "3 paths may have changed")
    #expect(report.fileSystemMonitor?.tokenKept == true)
    #expect(!report.problems.contains { $0.contains("fsmonitor") })
    #expect(
      try OctoGitBinary.run(["doctor"], in: fixture.path, home: fixture.home).stdout.contains("file-system monitor"))
  }

  @Test("a restore leaves the monitor's token as the last checkpoint kept it: the next checkpoint asks from it")
  func restoreKeepsToken() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a1\n")
    try fixture.commitAll("base")
    let hook = try ScriptedHook(fixture)
    try hook.answer("tok-1\0")
    let first = try take(fixture).id
    try hook.answer("tok-2\0")
    _ = try take(fixture)
    try fixture.write("a.txt", "a2\n")
    try hook.answer("tok-3\0a.txt")
    let restored = try OctoGitBinary.run(["restore", first], in: fixture.path, home: fixture.home)
    #expect(restored.status == 0, "\(restored.stderr)")
    #expect(try String(contentsOfFile: fixture.path + "/a.txt", encoding: .utf8) == "a1\n")
    try hook.answer("tok-4\0a.txt")
    let after = try take(fixture).id
    #expect(hook.calls.last == "2 tok-2")
    #expect(try matchesGit(fixture, after))
  }

  @Test("git's daemon, a version 1 hook and a missing hook are said by doctor and cost only the full walk")
  func unusableMonitors() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a\n")
    #expect(try doctor(fixture).fileSystemMonitor?.mode == "off")

    try fixture.git("config", "core.fsmonitor", "true")
    var report = try doctor(fixture)
    #expect(report.fileSystemMonitor?.mode == "daemon" && report.fileSystemMonitor?.inUse == false)
    #expect(report.problems.contains { $0.contains("core.fsmonitor=true") })
    #expect(try matchesGit(fixture, take(fixture).id))

    let hook = try ScriptedHook(fixture)
    try hook.answer("tok\0")
    try fixture.git("config", "core.fsmonitorHookVersion", "1")
    report = try doctor(fixture)
    #expect(report.fileSystemMonitor?.mode == "hook-version-1" && report.fileSystemMonitor?.inUse == false)
    #expect(report.problems.contains { $0.contains("core.fsmonitorHookVersion is 1") })
    try fixture.write("b.txt", "b\n")
    #expect(try matchesGit(fixture, take(fixture).id))
    #expect(hook.calls.isEmpty)

    try fixture.git("config", "--unset", "core.fsmonitorHookVersion")
    try fixture.git("config", "core.fsmonitor", fixture.path + "/.git/no-such-hook")
    #expect(try doctor(fixture).problems.contains { $0.contains("no-such-hook does not exist") })
    try fixture.write("c.txt", "c\n")
    #expect(try matchesGit(fixture, take(fixture).id))
    report = try doctor(fixture)
    #expect(report.fileSystemMonitor?.lastQuery?.hasPrefix("failed") == true)
    #expect(report.fileSystemMonitor?.tokenKept == false)
  }
}
