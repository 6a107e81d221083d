import Foundation

/// A commit message read the Conventional Commits way: `type(scope)!: description`, a body, trailers.
public struct ConventionalCommit: Sendable {
  /// `feat`, `fix`…; `nil` for a message not in that form.
  public let type: String?
  public let scope: String?
  public let breaking: Bool
  /// The subject without its `type(scope):` prefix (the whole subject when there is none).
  public let description: String
  /// The body without its trailer paragraph.
  public let body: String
  public let trailers: [(key: String, value: String)]

  public init(message: String) {
    var lines = message.split(separator: "\n", omittingEmptySubsequences: false)
    while lines.last?.allSatisfy(\.isWhitespace) == true { lines.removeLast() }
    let subject = lines.first.map(String.init) ?? ""
    // Paragraphs after the subject; the last one is the trailers when every line of it is `Key: value`.
    var paragraphs: [[Substring]] = [[]]
    for line in lines.dropFirst() {
      if line.allSatisfy(\.isWhitespace) {
        if !(paragraphs.last?.isEmpty ?? true) { paragraphs.append([]) }
      } else {
        paragraphs[paragraphs.count - 1].append(line)
      }
    }
    if paragraphs.last?.isEmpty == true { paragraphs.removeLast() }
    var trailers: [(String, String)] = []
    if let last = paragraphs.last {
      let parsed = last.compactMap(Self.trailer)
      if parsed.count == last.count {
        trailers = parsed
        paragraphs.removeLast()
      }
    }
    self.trailers = trailers
    body = paragraphs.map { $0.joined(separator: "\n") }.joined(separator: "\n\n")
    let bodyBreaks =
      body.contains("BREAKING CHANGE:")
      || trailers.contains { $0.0 == "BREAKING CHANGE" || $0.0 == "BREAKING-CHANGE" }
    if let header = Self.header(subject) {
      type = header.type.lowercased()
      scope = header.scope
      description = header.description
      breaking = header.bang || bodyBreaks
    } else {
      type = nil
      scope = nil
      description = subject
      breaking = bodyBreaks
    }
  }

  /// `type(scope)!: description` taken apart; `nil` when the subject is not in that form.
  static func header(_ subject: String) -> (type: String, scope: String?, bang: Bool, description: String)? {
    var rest = Substring(subject)
    let type = rest.prefix { $0.isASCII && $0.isLetter }
    guard !type.isEmpty else { return nil }
    rest = rest.dropFirst(type.count)
    var scope: String?
    if rest.first == "(" {
      guard let close = rest.firstIndex(of: ")") else { return nil }
      let inner = rest[rest.index(after: rest.startIndex)..<close]
      scope = inner.isEmpty ? nil : String(inner)
      rest = rest[rest.index(after: close)...]
    }
    let bang = rest.first == "!"
    if bang { rest = rest.dropFirst() }
    guard rest.hasPrefix(": ") else { return nil }
    let description = rest.dropFirst(2)
    guard let first = description.first, !first.isWhitespace else { return nil }
    return (String(type), scope, bang, String(description))
  }

  /// `Key: value` (a git trailer), or `nil`.
  static func trailer(_ line: Substring) -> (String, String)? {
    guard let colon = line.firstIndex(of: ":") else { return nil }
    let key = line[..<colon]
    guard let first = key.first, first.isASCII, first.isLetter,
      key == "BREAKING CHANGE" || key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
    else { return nil }
    return (String(key), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
  }

  /// The section a type's commits are listed under, in the order sections appear.
  public static let sections: [(title: String, types: [String])] = [
    ("Features", ["feat", "feature"]),
    ("Fixes", ["fix", "bugfix", "hotfix"]),
    ("Performance", ["perf"]),
    ("Refactoring", ["refactor"]),
    ("Documentation", ["docs", "doc"]),
    ("Tests", ["test", "tests"]),
    ("Build and CI", ["build", "ci", "deps"]),
    ("Style", ["style"]),
    ("Reverts", ["revert"]),
    ("Chores", ["chore"]),
  ]

  /// The section title of this commit.
  public var section: String {
    guard let type else { return "Other changes" }
    return Self.sections.first { $0.types.contains(type) }?.title ?? "Other changes"
  }
}
