/// A failure a user can act on: what failed, and what to do about it, on one line.
///
/// Everything the core library throws at the command line is either an `OctoError` or a ``GitError``;
/// the executable prints `octo-git: <description>` and exits with ``status``.
public struct OctoError: Error, Sendable, CustomStringConvertible {
  /// What failed, naming the input or object concerned.
  public let message: String
  /// What the user can do about it; `nil` when there is nothing to add.
  public let hint: String?
  /// The exit code the command ends with.
  public let status: ExitStatus

  public init(_ message: String, hint: String? = nil, status: ExitStatus = .failure) {
    self.message = message
    self.hint = hint
    self.status = status
  }

  public var description: String {
    guard let hint else { return message }
    return "\(message); \(hint)"
  }

  public static func badInput(_ message: String, hint: String? = nil) -> OctoError {
    OctoError(message, hint: hint, status: .badInput)
  }

  public static func notARepository(_ message: String, hint: String? = nil) -> OctoError {
    OctoError(message, hint: hint, status: .notARepository)
  }
}
