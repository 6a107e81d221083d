import Foundation

/// The one place octo-git runs the `git` program, for what libgit2 cannot do for it: network fetch and
/// push with the user's own credentials, transports and certificates (libgit2 has none of the user's
/// credential helpers or ssh configuration), `git notes merge` (libgit2 has no notes merge), and a
/// `feature pass` commit when `commit.gpgsign` is set (signing uses the user's gpg or ssh setup).
///
/// Every call runs with `GIT_*` variables removed (a hook's `GIT_DIR` would aim it elsewhere), with
/// `OCTO_GIT_INTERNAL=1` (so octo-git's own hooks do not recurse), without a terminal prompt, and with a
/// time limit after which git is stopped together with what it started (`git-remote-http`, ssh); see
/// ``ProcessRunner``. A remote name the user gave is checked with ``checkRemote(_:in:)`` (Git/GitCLI+Remotes.swift:
/// it reads the repository's config) and follows `--end-of-options` on the command line.
public enum GitCLI {
  public struct Result: Sendable {
    public let status: Int32
    public let output: String
    public let errors: String
    public let timedOut: Bool
    public var succeeded: Bool { status == 0 && !timedOut }
    /// git's whole message on stderr as one line (see ``GitCLI/oneLine(_:)``), for one-line errors.
    public var lastError: String {
      let said = GitCLI.oneLine(errors)
      return !said.isEmpty ? said : timedOut ? "timed out" : "git exited \(status)"
    }
  }

  /// The longest message kept from git (a remote can say a lot on stderr).
  static let messageLimit = 2000

  /// git's stderr as one line: lines of a paragraph joined with a space, each `fatal:`/`error:` line and
  /// each paragraph set apart with "; " (after a full stop, a space), control characters dropped, at most
  /// ``messageLimit`` characters.
  ///
  /// `fatal: 'x' does not appear to be a git repository` / `fatal: Could not read from remote repository.` /
  /// (empty) / `Please make sure you have the correct access rights` / `and the repository exists.` gives
  /// `fatal: 'x' does not appear to be a git repository; fatal: Could not read from remote repository.
  /// Please make sure you have the correct access rights and the repository exists.`
  static func oneLine(_ errors: String) -> String {
    var text = ""
    var newParagraph = false
    for raw in errors.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
      let line = String(
        raw.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) }
      )
      .trimmingCharacters(in: .whitespaces)
      if line.isEmpty {
        newParagraph = true
        continue
      }
      if !text.isEmpty {
        let labelled = ["fatal:", "error:", "warning:", "hint:", "remote:"].contains { line.lowercased().hasPrefix($0) }
        if newParagraph || labelled {
          text += text.hasSuffix(".") || text.hasSuffix("!") || text.hasSuffix("?") ? " " : "; "
        } else {
          text += " "
        }
      }
      text += line
      newParagraph = false
      if text.count > messageLimit { break }
    }
    // git repeats a remote's URL, and the token in it (a user name, `?access_token=…`).
    text = RedactedURL.inText(text)
    return text.count > messageLimit ? String(text.prefix(messageLimit - 1)) + "…" : text
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
      throw OctoError("cannot run git: \(error)", hint: "install git or put it on PATH", status: .unavailable)
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
