import CGit2
import Foundation

/// Who made a commit and when.
public struct Signature: Equatable, Sendable {
  public var name: String
  public var email: String
  public var time: Date
  /// Offset from UTC in minutes, as git records it.
  public var offsetMinutes: Int

  public init(name: String, email: String, time: Date = Date(), offsetMinutes: Int? = nil) {
    self.name = name
    self.email = email
    self.time = time
    self.offsetMinutes = offsetMinutes ?? TimeZone.current.secondsFromGMT(for: time) / 60
  }

  init(_ raw: UnsafePointer<git_signature>) {
    name = String(cString: raw.pointee.name)
    email = String(cString: raw.pointee.email)
    time = Date(timeIntervalSince1970: TimeInterval(raw.pointee.when.time))
    offsetMinutes = Int(raw.pointee.when.offset)
  }

  /// The GitHub Actions bot (`github-actions[bot]`), now: the identity notes commits made on GitHub Actions
  /// use when git has none configured. A new value on each use, so its time is the current one.
  public static var gitHubActionsBot: Signature {
    Signature(name: "github-actions[bot]", email: "41898282+github-actions[bot]@users.noreply.github.com")
  }

  /// A libgit2 copy of this signature, owned by the returned handle.
  func makeHandle() throws -> SignatureHandle {
    var raw: UnsafeMutablePointer<git_signature>?
    let result = git_signature_new(
      &raw, name, email, git_time_t(time.timeIntervalSince1970.rounded(.down)), Int32(offsetMinutes))
    try GitError.check(result, "make a signature for \(name) <\(email)>")
    return SignatureHandle(raw!)
  }
}

extension Repository {
  /// The signature git would use for a new commit (`user.name`, `user.email`), or `nil` when they are not
  /// configured.
  public func configuredSignature() -> Signature? {
    var raw: UnsafeMutablePointer<git_signature>?
    guard git_signature_default(&raw, pointer) == 0, let raw else { return nil }
    let handle = SignatureHandle(raw)
    return Signature(handle.pointer)
  }

  /// Who octo-git's own commits (notes, checkpoints) are written as: the configured git user, else
  /// octo-git itself (a fresh machine without `user.name` must not stop a hook).
  public func signatureOrOctoGit() -> Signature {
    configuredSignature() ?? Signature(name: "octo-git", email: "octo-git@localhost")
  }
}
