import Foundation

/// The one place octo-git runs the `git` program, for what libgit2 cannot do for it: network fetch and
/// push with the user's own credentials, transports and certificates (libgit2 has none of the user's
/// credential helpers or ssh configuration), `git notes merge` (libgit2 has no notes merge), and a
/// `feature pass` commit when `commit.gpgsign` is set (signing uses the user's gpg or ssh setup).
///
/// Every call runs with `GIT_*` variables removed (a hook's `GIT_DIR` would aim it elsewhere), with
/// `OCTO_GIT_INTERNAL=1` (so octo-git's own hooks do not recurse), without a terminal prompt, and with a
/// time limit after which git is killed.
public enum GitCLI {
  public struct Result: Sendable {
    public let status: Int32
    public let output: String
    public let errors: String
    public let timedOut: Bool
    public var succeeded: Bool { status == 0 && !timedOut }
    /// The last non-empty line git wrote on stderr, for one-line error messages.
    public var lastError: String {
      errors.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init)
        ?? (timedOut ? "timed out" : "git exited \(status)")
    }
  }

  /// Runs `git -C directory arguments…`.
  public static func run(_ arguments: [String], in directory: String, timeout: TimeInterval = 30) throws -> Result {
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
    environment["OCTO_GIT_INTERNAL"] = "1"
    environment["GIT_TERMINAL_PROMPT"] = "0"
    environment["GIT_EDITOR"] = "true"
    let result: ProcessRunner.Result
    do {
      result = try ProcessRunner.run(
        executable, ["-C", directory] + arguments, in: directory, environment: environment, timeout: timeout)
    } catch {
      throw OctoError("cannot run git: \(error.localizedDescription)", hint: "install git or put it on PATH", status: .unavailable)
    }
    return Result(status: result.status, output: result.stdout, errors: result.stderr, timedOut: result.timedOut)
  }

  /// The git program: `$OCTO_GIT_GIT` when set, else the first `git` on `PATH`.
  static var executable: String {
    let environment = ProcessInfo.processInfo.environment
    if let explicit = environment["OCTO_GIT_GIT"], !explicit.isEmpty { return explicit }
    for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let candidate = String(folder) + "/git"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return "/usr/bin/git"
  }
}
