import Foundation

/// Runs the user's own programs: a feature's test command and the repository's hooks (libgit2 runs no
/// hooks, so octo-git runs `pre-commit`, `commit-msg` and `post-commit` itself when it commits, asks
/// a file-system monitor's hook, `core.fsmonitor`, what changed, and runs a filter driver's smudge command
/// when it restores a file git would check out through it). The one place besides ``GitCLI`` that starts
/// processes.
///
/// Output goes straight to octo-git's own stdout or stderr as it comes (a test run can be long); `GIT_*`
/// variables are removed so a hook's `GIT_DIR` cannot aim the program at another repository, then the
/// ones git itself would give the program are set. A time limit stops the program with everything it
/// started (its own process group: a test command's background jobs too); see ``ProcessRunner``.
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
    _ command: String, in directory: String, output: Output = .standardOutput,
    environment extra: [String: String] = [:],
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
    // What octo-git printed so far comes before what the program prints.
    fflush(nil)
    let started = Date()
    let destination: ProcessRunner.Destination = .inherit(output == .standardOutput ? STDOUT_FILENO : STDERR_FILENO)
    func start(_ program: String, _ arguments: [String]) throws -> ProcessRunner.Completion {
      try ProcessRunner.execute(
        program, arguments, in: directory, environment: environment, input: nil, stdout: destination,
        stderr: .inherit(STDERR_FILENO), timeout: timeout)
    }
    let completion: ProcessRunner.Completion
    do {
      do {
        completion = try start(executable, arguments)
      } catch let error as ProcessRunner.LaunchError where error.code == ENOEXEC {
        // A script without a #! line: run by sh, as git runs such a hook.
        completion = try start("/bin/sh", [executable] + arguments)
      }
    } catch {
      throw OctoError(
        "cannot run \(executable): \(OctoError.reason(error))", hint: "check that it exists and is executable")
    }
    return Result(status: completion.status, duration: Date().timeIntervalSince(started), timedOut: completion.timedOut)
  }

  /// What a program run by ``capture(_:_:in:timeout:outputLimit:errorsLimit:)`` printed, and how it ended.
  struct Captured: Sendable {
    let status: Int32
    /// Its stdout, cut after `outputLimit` bytes when it wrote more (then ``outputOverflowed``).
    let stdout: Data
    /// The first `errorsLimit` bytes of its stderr (one more when it wrote more).
    let stderr: Data
    let timedOut: Bool
    /// Whether it was stopped for writing more than `outputLimit` bytes on stdout.
    let outputOverflowed: Bool
    var succeeded: Bool { status == 0 && !timedOut && !outputOverflowed }
  }

  /// Runs `executable` with `arguments` in `directory` in the environment ``run(_:_:in:output:environment:timeout:)``
  /// gives, `input` on its stdin, and returns its stdout and stderr instead of showing them (a program answering
  /// octo-git, such as a file-system monitor's hook). Stopped with everything it started after `timeout` seconds, or
  /// once its stdout passes `outputLimit` bytes; its stderr is read to the end but only `errorsLimit` bytes are kept.
  static func capture(
    _ executable: String, _ arguments: [String], in directory: String, input: Data? = nil, timeout: TimeInterval,
    outputLimit: Int, errorsLimit: Int
  ) throws -> Captured {
    let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
    let completion: ProcessRunner.Completion
    do {
      completion = try ProcessRunner.execute(
        executable, arguments, in: directory, environment: environment, input: input, stdout: .capture,
        stderr: .capture, timeout: timeout, outputLimit: outputLimit, errorsLimit: errorsLimit)
    } catch {
      throw OctoError(
        "cannot run \(executable): \(OctoError.reason(error))", hint: "check that it exists and is executable")
    }
    return Captured(
      status: completion.status, stdout: completion.stdout, stderr: completion.stderr, timedOut: completion.timedOut,
      outputOverflowed: completion.outputOverflowed)
  }
}
