import Foundation
import Testing

@testable import OctoGit

@Suite("Running programs: time limits reach the whole process group")
struct ProcessRunnerTests {
  /// A temporary folder, removed when the value goes away.
  final class Folder {
    let path: String

    init() throws {
      path = FileManager.default.temporaryDirectory.appendingPathComponent("octo-git-runner-\(UUID().uuidString)").path
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
  }

  static let environment = Shell.scrubbedEnvironment()

  /// The whole of a small file, read with plain `read` (files under /proc report a size of 0).
  static func contents(of path: String) -> String? {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count <= 0 { break }
      data.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// The processes of process group `group` still running (a zombie waiting for its reaper is over).
  static func runningMembers(of group: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { Int32($0) }.filter { pid in
      // /proc/<pid>/stat: "pid (name) state ppid pgrp …"; the name may hold spaces and parentheses.
      guard let stat = contents(of: "/proc/\(pid)/stat"), let end = stat.lastIndex(of: ")") else { return false }
      let fields = stat[stat.index(after: end)...].split(separator: " ")
      guard fields.count > 2, Int32(fields[2]) == group else { return false }
      return fields[0] != "Z" && fields[0] != "X"
    }
  }

  /// Whether every process of `group` is gone within `seconds` (orphans are reaped by init, in its time).
  static func groupEnds(_ group: Int32, within seconds: TimeInterval) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    repeat {
      if kill(-group, 0) != 0 || runningMembers(of: group).isEmpty { return true }
      usleep(50_000)
    } while Date() < end
    return false
  }

  @Test("at the time limit the program and its background jobs are all stopped, promptly")
  func timeoutStopsTheGroup() throws {
    let folder = try Folder()
    let started = Date()
    let completion = try ProcessRunner.execute(
      "/bin/sh", ["-c", "sleep 30 & sleep 30 & wait"], in: folder.path, environment: Self.environment, input: nil,
      stdout: .capture, stderr: .capture, timeout: 1)
    #expect(Date().timeIntervalSince(started) < 20)
    #expect(completion.timedOut)
    #expect(completion.processID > 0)
    #expect(Self.groupEnds(completion.processID, within: 10), "\(Self.runningMembers(of: completion.processID))")

    // The same through run(), as GitCLI uses it.
    let result = try ProcessRunner.run(
      "/bin/sh", ["-c", "echo started; sleep 30"], in: folder.path, environment: Self.environment, timeout: 1)
    #expect(result.timedOut)
    #expect(result.stdout == "started\n")
  }

  @Test("a program that leaves a background job holding its stdout open returns at once with its output")
  func backgroundJobHoldsThePipe() throws {
    let folder = try Folder()
    let started = Date()
    let result = try ProcessRunner.run(
      "/bin/sh", ["-c", "sleep 30 & echo $!; echo hi"], in: folder.path, environment: Self.environment)
    let elapsed = Date().timeIntervalSince(started)
    if let background = result.stdout.split(separator: "\n").first.flatMap({ Int32($0) }) { kill(background, SIGKILL) }
    #expect(elapsed < 20)
    #expect(!result.timedOut)
    #expect(result.status == 0)
    #expect(result.stdout.hasSuffix("\nhi\n"), "\(result.stdout)")
  }

  @Test("a megabyte of stdin goes through cat and back; a reader that stops early is no problem")
  func largeInput() throws {
    let folder = try Folder()
    let text = String(repeating: "0123456789abcdef\n", count: 65536)
    let echoed = try ProcessRunner.run(
      "/bin/cat", [], in: folder.path, environment: Self.environment, input: Data(text.utf8))
    #expect(echoed.status == 0 && !echoed.timedOut)
    #expect(echoed.stdout.utf8.count == text.utf8.count)
    #expect(echoed.stdout == text)

    // head exits after 5 bytes: writing the rest fails (EPIPE), and octo-git is not killed by SIGPIPE.
    let head = try ProcessRunner.run(
      "/bin/sh", ["-c", "head -c 5"], in: folder.path, environment: Self.environment, input: Data((text + text).utf8),
      timeout: 60)
    #expect(head.status == 0 && !head.timedOut)
    #expect(head.stdout == "01234")
  }

  @Test("exit code, stdout and stderr apart, the folder and the environment given; a signal is 128 + its number")
  func basics() throws {
    let folder = try Folder()
    let result = try ProcessRunner.run(
      "/bin/sh", ["-c", "pwd; echo \"$OCTO_RUNNER_TEST\"; echo oops >&2; exit 3"], in: folder.path,
      environment: ["OCTO_RUNNER_TEST": "a value", "PATH": "/usr/bin:/bin"])
    #expect(result.status == 3 && !result.timedOut)
    let printed = result.stdout.split(separator: "\n").map(String.init)
    #expect(printed.count == 2 && printed.last == "a value", "\(result.stdout)")
    #expect(
      URL(fileURLWithPath: printed.first ?? "").resolvingSymlinksInPath().path
        == URL(fileURLWithPath: folder.path).resolvingSymlinksInPath().path)
    #expect(result.stderr == "oops\n")

    let killed = try ProcessRunner.run("/bin/sh", ["-c", "kill -9 $$"], in: folder.path, environment: Self.environment)
    #expect(killed.status == 128 + 9 && !killed.timedOut)

    #expect(throws: ProcessRunner.LaunchError.self) {
      try ProcessRunner.run(folder.path + "/missing", [], in: folder.path, environment: Self.environment)
    }
    #expect(throws: ProcessRunner.LaunchError.self) {
      try ProcessRunner.run("/bin/sh", ["-c", "true"], in: folder.path + "/missing", environment: Self.environment)
    }
  }

  @Test("a test command's background jobs do not outlive its time limit")
  func userCommandTimeout() throws {
    let folder = try Folder()
    let started = Date()
    let result = try UserCommand.shell(
      "sleep 40 & sleep 40 & wait", in: folder.path, output: .standardError, timeout: 2)
    #expect(Date().timeIntervalSince(started) < 20)
    #expect(result.timedOut)
    #expect(!result.succeeded)
    #expect(result.duration < 20)

    let passed = try UserCommand.shell("exit 0", in: folder.path, output: .standardError, timeout: 30)
    #expect(passed.succeeded && !passed.timedOut)
    let failed = try UserCommand.shell("exit 7", in: folder.path, output: .standardError)
    #expect(failed.status == 7 && !failed.succeeded && !failed.timedOut)
  }
}
