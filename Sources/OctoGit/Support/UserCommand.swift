import Foundation

/// Runs the user's own programs: a feature's test command and the repository's hooks (libgit2 runs no
/// hooks, so octo-git runs `pre-commit`, `commit-msg` and `post-commit` itself when it commits). The one
/// place besides ``GitCLI`` that starts processes.
///
/// Output goes straight to octo-git's own stdout or stderr as it comes (a test run can be long); `GIT_*`
/// variables are removed so a hook's `GIT_DIR` cannot aim the program at another repository, then the
/// ones git itself would give the program are set.
public enum UserCommand {
  public struct Result: Sendable {
    public let status: Int32
    public let duration: TimeInterval
    public let timedOut: Bool
    public var succeeded: Bool { status == 0 && !timedOut }
  }

  /// Where the program's output goes.
  public enum Output: Sendable { case standardOutput, standardError }

  /// Runs `command` with `/bin/sh -c` in `directory`.
  public static func shell(
    _ command: String, in directory: String, output: Output = .standardOutput, environment extra: [String: String] = [:],
    timeout: TimeInterval? = nil
  ) throws -> Result {
    try run("/bin/sh", ["-c", command], in: directory, output: output, environment: extra, timeout: timeout)
  }

  /// Runs `executable` with `arguments` in `directory`.
  public static func run(
    _ executable: String, _ arguments: [String], in directory: String, output: Output = .standardOutput,
    environment extra: [String: String] = [:], timeout: TimeInterval? = nil
  ) throws -> Result {
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
    environment.merge(extra) { $1 }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = output == .standardOutput ? FileHandle.standardOutput : FileHandle.standardError
    process.standardError = FileHandle.standardError
    let started = Date()
    do {
      try process.run()
    } catch {
      throw OctoError("cannot run \(executable): \(error.localizedDescription)", hint: "check that it exists and is executable")
    }
    let deadline = KillTimer(process, after: timeout)
    process.waitUntilExit()
    deadline.cancel()
    return Result(
      status: process.terminationStatus, duration: Date().timeIntervalSince(started), timedOut: deadline.fired)
  }
}
