/// The exit codes of every octo-git command. They are part of the contract with scripts and agents.
public enum ExitStatus: Int32, Sendable, CaseIterable {
  /// Everything asked for was done.
  case success = 0
  /// The operation ran and failed: a git or database error, or a test run that failed.
  case failure = 1
  /// The command line was wrong: unknown command, bad flag or argument.
  case usage = 2
  /// Not inside a usable git repository: none found, a bare repository, or one owned by another user.
  case notARepository = 3
  /// A value, file or id that octo-git cannot accept (malformed, unknown, ambiguous).
  case badInput = 4
  /// Another writer held a lock or kept moving a ref through every retry: running again will work.
  case tryAgain = 5
  /// Something outside octo-git failed: the network, a remote, a service.
  case unavailable = 6

  /// One line per code, for `--help` and the README.
  public var meaning: String {
    switch self {
    case .success: "success"
    case .failure: "the operation failed (git or database error, failing tests)"
    case .usage: "bad command line (unknown command, flag or argument)"
    case .notARepository: "not in a usable git repository (none, bare, or owned by another user)"
    case .badInput: "bad input (malformed value or file, unknown or ambiguous id)"
    case .tryAgain: "busy (a lock or a concurrent writer won every retry): run it again"
    case .unavailable: "a network, remote or service failure"
    }
  }

  /// The table printed in `octo-git --help`.
  public static var table: String {
    allCases.map { "  \($0.rawValue)  \($0.meaning)" }.joined(separator: "\n")
  }
}
