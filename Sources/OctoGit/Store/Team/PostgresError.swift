import Foundation

/// A failure reported by libpq or by the PostgreSQL server: its message on one line, the SQLSTATE code
/// when the server sent one, and what kind of failure it is (what the command line's exit code and hint
/// follow from).
struct PostgresError: Error, Sendable, CustomStringConvertible {
  enum Kind: Sendable, Equatable {
    /// libpq is not installed.
    case libraryMissing
    /// The connection string cannot be read.
    case badSettings
    /// The server could not be reached (down, wrong host or port, timeout).
    case unreachable
    /// The server refused the credentials (or needs a password that was not given).
    case authentication
    /// The server answered the connection with another error (no such database…).
    case refused
    /// The connection broke during a command (the server stopped or ended the session).
    case connectionLost
    /// A command failed; ``sqlState`` says why.
    case query
  }

  let message: String
  let kind: Kind
  /// The five-character SQLSTATE code (`42501`: permission denied…), when the server sent one.
  let sqlState: String?
  let hint: String?

  init(_ message: String, kind: Kind, sqlState: String? = nil, hint: String? = nil) {
    self.message = message
    self.kind = kind
    self.sqlState = sqlState
    self.hint = hint
  }

  var description: String { hint.map { "\(message); \($0)" } ?? message }

  /// Permission denied (`42501`, insufficient privilege).
  var isPermissionDenied: Bool { sqlState == "42501" }
  /// A deadlock or serialisation failure: the transaction may simply be run again.
  var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }
  /// The schema or table does not exist (`3F000`, `42P01`).
  var isMissingRelation: Bool { sqlState == "3F000" || sqlState == "42P01" }
  /// The server is shutting down or ended the session (class 57P), or the connection failed (class 08).
  var isServerGone: Bool {
    kind == .connectionLost || sqlState.map { $0.hasPrefix("08") || $0.hasPrefix("57P") } ?? false
  }

  /// libpq's (possibly several-line) message as one line: lines trimmed and joined, the `ERROR:` prefix kept
  /// out.
  static func oneLine(_ text: String) -> String {
    let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
    var joined = lines.joined(separator: " ")
    for prefix in ["ERROR:  ", "FATAL:  ", "ERROR: ", "FATAL: "] where joined.hasPrefix(prefix) {
      joined = String(joined.dropFirst(prefix.count))
    }
    return joined.isEmpty ? "unknown PostgreSQL error" : joined
  }

  /// What a failed connection's message means: the server's own refusals carry a severity (`FATAL`) and
  /// name the authentication when that was the problem; anything else never reached a server.
  static func connectionFailure(_ text: String, needsPassword: Bool) -> PostgresError {
    let line = oneLine(text)
    let lower = line.lowercased()
    if needsPassword || lower.contains("no password supplied") {
      return PostgresError(line, kind: .authentication)
    }
    if lower.contains("authentication failed") || lower.contains("pg_hba.conf") || lower.contains("password")
      || lower.contains("certificate")
    {
      return PostgresError(line, kind: .authentication)
    }
    if text.contains("FATAL") { return PostgresError(line, kind: .refused) }
    // libpq refusing a setting before connecting (`invalid sslmode value`, `invalid integer value … for
    // connection option "port"`): the URL is wrong, no server was tried.
    if lower.hasPrefix("invalid "), lower.contains(" value") {
      return PostgresError(PostgresLibrary.withoutQuotedParts(line), kind: .badSettings)
    }
    return PostgresError(line, kind: .unreachable)
  }
}
