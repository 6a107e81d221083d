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
    var paragraphs = message.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .newlines) }
      .filter { !$0.isEmpty }
    let subject = paragraphs.isEmpty ? "" : paragraphs.removeFirst().split(separator: "\n").first.map(String.init) ?? ""
    var trailers: [(String, String)] = []
    if let last = paragraphs.last {
      let lines = last.split(separator: "\n").map(String.init)
      let parsed = lines.compactMap { line -> (String, String)? in
        guard let colon = line.firstIndex(of: ":"), line[..<colon].range(of: #"^[A-Za-z][A-Za-z0-9-]*$"#, options: .regularExpression) != nil
        else { return nil }
        return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
      }
      if !lines.isEmpty, parsed.count == lines.count {
        trailers = parsed
        paragraphs.removeLast()
      }
    }
    self.trailers = trailers
    body = paragraphs.joined(separator: "\n\n")
    let pattern = #"^([A-Za-z]+)(\(([^)]*)\))?(!)?: (.+)$"#
    if let match = subject.range(of: pattern, options: .regularExpression), match == subject.startIndex..<subject.endIndex {
      let expression = try? NSRegularExpression(pattern: pattern)
      let result = expression?.firstMatch(in: subject, range: NSRange(subject.startIndex..., in: subject))
      func group(_ index: Int) -> String? {
        guard let result, let range = Range(result.range(at: index), in: subject) else { return nil }
        return String(subject[range])
      }
      type = group(1)?.lowercased()
      scope = group(3).flatMap { $0.isEmpty ? nil : $0 }
      description = group(5) ?? subject
      breaking = group(4) != nil || trailers.contains { $0.0 == "BREAKING CHANGE" || $0.0 == "BREAKING-CHANGE" }
        || body.contains("BREAKING CHANGE:")
    } else {
      type = nil
      scope = nil
      description = subject
      breaking = body.contains("BREAKING CHANGE:")
    }
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
