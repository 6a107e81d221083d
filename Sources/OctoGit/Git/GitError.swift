import CGit2

/// A libgit2 failure: the operation that failed, libgit2's return code and error class, and its message.
///
/// libgit2 keeps the last error per thread, so it is read right after the failing call (``check(_:_:)``).
public struct GitError: Error, Sendable, Equatable, CustomStringConvertible {
  /// libgit2's return code (`git_error_code`), e.g. `GIT_ENOTFOUND` (-3) or `GIT_EMODIFIED` (-15).
  public let code: Int32
  /// libgit2's error class (`git_error_t`), e.g. `GIT_ERROR_REFERENCE` (4); 0 when libgit2 gave none.
  public let errorClass: Int32
  /// libgit2's message, or a generic one when it gave none.
  public let message: String
  /// What octo-git was doing, e.g. "look up refs/heads/main".
  public let operation: String

  public init(code: Int32, errorClass: Int32 = 0, message: String, operation: String) {
    self.code = code
    self.errorClass = errorClass
    self.message = message
    self.operation = operation
  }

  /// Throws when `result` is negative, capturing `git_error_last()` at once.
  @discardableResult
  public static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
    guard result < 0 else { return result }
    throw GitError.last(code: result, operation: operation())
  }

  /// The error libgit2 recorded for this thread, with the given return code.
  public static func last(code: Int32, operation: String) -> GitError {
    if let error = git_error_last(), let text = error.pointee.message {
      return GitError(
        code: code, errorClass: error.pointee.klass, message: String(cString: text), operation: operation)
    }
    return GitError(code: code, message: "libgit2 error \(code)", operation: operation)
  }

  public var description: String { "cannot \(operation): \(message)" }

  public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
  public var isExists: Bool { code == GIT_EEXISTS.rawValue }
  /// A compare-and-swap lost: the reference moved since it was read, or is locked by another writer.
  public var isConcurrentUpdate: Bool {
    code == GIT_EMODIFIED.rawValue || code == GIT_ELOCKED.rawValue || code == GIT_EEXISTS.rawValue
  }
  public var isOwnershipRefused: Bool { code == GIT_EOWNER.rawValue }
}

extension Error {
  /// The exit code a command ends with when it fails with this error.
  public var exitStatus: ExitStatus {
    switch self {
    case let error as OctoError: error.status
    case let error as GitError where error.isConcurrentUpdate: .tryAgain
    default: .failure
    }
  }
}
