import Foundation
import Testing

@testable import OctoGit

/// Checkpoints with Watchman (Debian's `watchman`) and git's sample hook for it: through the hook, and over
/// Watchman's socket when the hook is the sample itself.
extension FileSystemMonitorTests {
  // MARK: - Checkpoints with Watchman

  /// Watchman's client, when it is installed (Debian's `watchman`).
  static let watchmanClient: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
    return folders.map { $0 + "/watchman" }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }()
  /// git's sample hook for Watchman (Perl).
  static let sampleHook = "/usr/share/git-core/templates/hooks/fsmonitor-watchman.sample"
  static let watchmanReady =
    watchmanClient != nil && FileManager.default.fileExists(atPath: sampleHook)
    && FileManager.default.isExecutableFile(atPath: "/usr/bin/perl")

  /// A Watchman server of a test's own: Watchman keeps its state and socket in `$TMPDIR/$USER-state`, here a
  /// folder of the test's (short enough for a socket's path). Started by the first question.
  struct PrivateWatchman {
    let fixture: TestRepository
    let state: String
    let environment: [String: String]

    init(_ fixture: TestRepository) throws {
      self.fixture = fixture
      var state = fixture.root + "/wm"
      if state.utf8.count > 60 { state = "/tmp/octo-wm-" + String(UUID().uuidString.prefix(8)) }
      try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
      var environment = Shell.scrubbedEnvironment(home: fixture.home)
      environment["TMPDIR"] = state
      environment.removeValue(forKey: "WATCHMAN_SOCK")
      self.state = state
      self.environment = environment
    }

    /// Watchman's JSON answer to a command of its client.
    func ask(_ arguments: String...) throws -> JSONValue {
      let result = try ProcessRunner.run(
        FileSystemMonitorTests.watchmanClient!, ["--no-pretty"] + arguments, in: fixture.root,
        environment: environment, input: Data(), timeout: 60)
      return try CanonicalJSON.parse(result.stdout)
    }

    func stop() {
      _ = try? ProcessRunner.run(
        FileSystemMonitorTests.watchmanClient!, ["--no-spawn", "shutdown-server"], in: fixture.root,
        environment: environment, input: Data(), timeout: 30)
      try? FileManager.default.removeItem(atPath: state)
    }
  }

  @Test(
    "with Watchman and git's sample hook, checkpoint after checkpoint is git's own snapshot",
    .enabled(
      if: FileSystemMonitorTests.watchmanReady, "watchman, perl or git's sample hook for it is not installed"))
  func watchmanHook() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a\n")
    try fixture.write("src/one.txt", "one\n")
    try fixture.write("src/deep/two.txt", "two\n")
    try fixture.write("old/three.txt", "three\n")
    try fixture.write("tool.sh", "#!/bin/sh\n")
    try fixture.commitAll("base")

    // The hook inherits octo-git's environment: a wrapper points it at the test's own server.
    let server = try PrivateWatchman(fixture)
    defer { server.stop() }
    let state = server.state
    let wrapper = fixture.path + "/.git/query-watchman"
    let script = """
      #!/bin/sh
      TMPDIR='\(state)'
      export TMPDIR
      unset WATCHMAN_SOCK
      exec '\(Self.sampleHook)' "$@"

      """
    try Data(script.utf8).write(to: URL(fileURLWithPath: wrapper))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
    try fixture.git("config", "core.fsmonitor", wrapper)

    func check(_ step: String) throws {
      let id = try take(fixture).id
      #expect(try matchesGit(fixture, id), "\(step)")
    }
    try check("first")
    try check("nothing changed")

    // Rewritten, added (in a known folder and in a new one), deleted (a file and a whole folder), renamed,
    // made executable.
    try fixture.write("a.txt", "a, rewritten\n")
    try fixture.write("src/deep/new.txt", "new\n")
    try fixture.write("fresh/folder/file.txt", "fresh\n")
    try FileManager.default.removeItem(atPath: fixture.path + "/src/one.txt")
    try FileManager.default.removeItem(atPath: fixture.path + "/old")
    try FileManager.default.moveItem(atPath: fixture.path + "/src/deep/two.txt", toPath: fixture.path + "/two.txt")
    #expect(chmod(fixture.path + "/tool.sh", 0o755) == 0)
    try check("changed")
    try fixture.write("fresh/folder/file.txt", "fresh, again\n")
    try fixture.write("src/deep/new.txt", "new, again\n")
    try check("changed again")

    // The hook answered every time, and its token is kept for the next checkpoint.
    let report = try doctor(fixture)
    #expect(report.fileSystemMonitor?.inUse == true)
    #expect(report.fileSystemMonitor?.lastQuery?.hasSuffix("may have changed") == true)
    #expect(report.fileSystemMonitor?.tokenKept == true)
  }

  @Test(
    "with git's Watchman sample hook itself, Watchman is asked over its socket: the same trees, no hook run",
    .enabled(
      if: FileSystemMonitorTests.watchmanReady, "watchman, perl or git's sample hook for it is not installed"))
  func watchmanSocket() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a\n")
    try fixture.write("src/one.txt", "one\n")
    try fixture.write("old/three.txt", "three\n")
    try fixture.commitAll("base")

    // A Watchman server of the test's own, watching the work tree.
    let server = try PrivateWatchman(fixture)
    defer { server.stop() }
    let socket = try #require(try server.ask("get-sockname")["sockname"]?.stringValue)
    _ = try server.ask("watch", fixture.path)
    // The hook is the sample itself; a log beside it would show a run of it (through the client it starts).
    let hook = fixture.path + "/.git/hooks/query-watchman"
    try FileManager.default.createDirectory(atPath: fixture.path + "/.git/hooks", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: Self.sampleHook, toPath: hook)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
    try fixture.git("config", "core.fsmonitor", ".git/hooks/query-watchman")

    var octoEnvironment = Shell.scrubbedEnvironment(home: fixture.home)
    octoEnvironment["WATCHMAN_SOCK"] = socket
    // No `watchman` client on PATH for a hook to start: only the socket can answer.
    octoEnvironment["PATH"] = "/nonexistent"
    func check(_ step: String) throws {
      let result = try ProcessRunner.run(
        OctoGitBinary.path, ["checkpoint"], in: fixture.path, environment: octoEnvironment, input: Data(),
        timeout: 120)
      #expect(result.status == 0, "\(step): \(result.stderr)")
      let id = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
      #expect(try matchesGit(fixture, id), "\(step)")
      let record = try String(contentsOfFile: fixture.path + "/.git/octo/snapshot.fsmonitor", encoding: .utf8)
      #expect(record.contains("socket " + socket), "\(step): \(record)")
      #expect(!record.contains("outcome failed"), "\(step): \(record)")
    }
    try check("first")
    try check("nothing changed")
    try fixture.write("a.txt", "a, rewritten\n")
    try fixture.write("src/deep/new.txt", "new\n")
    try FileManager.default.removeItem(atPath: fixture.path + "/old")
    try check("changed")
    let record = try String(contentsOfFile: fixture.path + "/.git/octo/snapshot.fsmonitor", encoding: .utf8)
    #expect(record.contains("outcome changed "), "\(record)")
    let report = try doctor(fixture)
    #expect(report.fileSystemMonitor?.lastQuery?.contains("over its socket") == true)

    // Turned off: the hook runs (and, with no watchman client on PATH, fails: every file looked at).
    try fixture.git("config", "octo.checkpoint.watchmanSocket", "false")
    let hooked = try ProcessRunner.run(
      OctoGitBinary.path, ["checkpoint"], in: fixture.path, environment: octoEnvironment, input: Data(), timeout: 120)
    #expect(hooked.status == 0, "\(hooked.stderr)")
    #expect(try matchesGit(fixture, hooked.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    let hookRecord = try String(contentsOfFile: fixture.path + "/.git/octo/snapshot.fsmonitor", encoding: .utf8)
    #expect(!hookRecord.contains("socket "), "\(hookRecord)")
  }
}
