import Foundation

/// The message of a commit made by `feature pass`: a Conventional Commits subject of at most 72
/// characters derived from the feature's description, a body naming the test run, and trailers.
public struct CommitMessage: Equatable, Sendable {
  public var subject: String
  public var body: String
  public var trailers: [(String, String)]

  public static func == (lhs: CommitMessage, rhs: CommitMessage) -> Bool {
    lhs.subject == rhs.subject && lhs.body == rhs.body && lhs.trailers.elementsEqual(rhs.trailers, by: ==)
  }

  public static let subjectLimit = 72

  /// The full text, as git stores it.
  public var text: String {
    var parts = [subject]
    if !body.isEmpty { parts.append(body) }
    if !trailers.isEmpty { parts.append(trailers.map { "\($0.0): \($0.1)" }.joined(separator: "\n")) }
    return parts.joined(separator: "\n\n") + "\n"
  }

  /// The Conventional Commits types, with the words in a description that suggest each (checked in this
  /// order; `feat` when none matches).
  static let typeWords: [(String, [String])] = [
    ("revert", ["revert", "reverts", "undo"]),
    (
      "fix",
      [
        "fix", "fixes", "fixed", "fixing", "bug", "bugs", "bugfix", "hotfix", "repair", "crash", "crashes",
        "broken", "regression", "correct", "resolve", "resolves", "wrong", "error", "errors",
      ]
    ),
    ("docs", ["doc", "docs", "documentation", "document", "readme", "changelog", "typo", "typos"]),
    ("test", ["test", "tests", "testing", "spec", "specs", "coverage"]),
    (
      "perf",
      [
        "perf", "performance", "faster", "speed", "speedup", "optimise", "optimize", "optimisation",
        "optimization", "latency",
      ]
    ),
    (
      "refactor",
      [
        "refactor", "refactoring", "rename", "restructure", "simplify", "cleanup", "extract",
        "reorganise", "reorganize", "deduplicate", "split",
      ]
    ),
    ("build", ["build", "dependency", "dependencies", "deps", "bump", "upgrade", "makefile", "package"]),
    ("ci", ["ci", "pipeline", "workflow", "workflows", "actions"]),
    ("style", ["format", "formatting", "lint", "style", "whitespace", "indentation"]),
    ("chore", ["chore", "tidy", "housekeeping"]),
  ]

  /// The Conventional Commits type a description's words suggest.
  public static func guessType(_ description: String) -> String {
    let words = Set(
      description.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init))
    for (type, hints) in typeWords where hints.contains(where: words.contains) { return type }
    return "feat"
  }

  /// The scope: the deepest folder every changed path shares (its last name), if any.
  public static func scope(of paths: [String]) -> String? {
    let folders = paths.map { $0.split(separator: "/").dropLast().map(String.init) }
    guard var common = folders.first, !common.isEmpty else { return nil }
    for folder in folders.dropFirst() {
      common = Array(zip(common, folder).prefix { $0.0 == $0.1 }.map(\.0))
      if common.isEmpty { return nil }
    }
    let name = FeatureSlug.make(from: common.last ?? "")
    return name == "feature" || name.count > 24 ? nil : name
  }

  /// A subject already in Conventional Commits form (`fix(api): …`, `feat!: …`)?
  static func isConventional(_ text: String) -> Bool {
    text.range(of: #"^[a-z]+(\([^)]+\))?!?: \S"#, options: .regularExpression) != nil
  }

  /// `type(scope): summary`, at most 72 characters: the summary is the description's first line with its
  /// first letter lowered (unless it is an acronym) and any final period dropped, cut at a word.
  /// Control characters in the description are written as escapes (`\e`): a log shown on a terminal must
  /// not run them.
  public static func subject(description: String, scope: String?, type: String? = nil) -> String {
    var line = SafeText.terminal(
      description.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "")
    if isConventional(line) { return shortened(line, to: subjectLimit) }
    while line.hasSuffix(".") { line.removeLast() }
    let chosenType = type ?? guessType(description)
    // "Fix crash on empty input" reads "fix: crash on empty input".
    if chosenType == "fix", let first = line.split(separator: " ").first,
      ["fix", "fixes", "fixed"].contains(first.lowercased()), line.split(separator: " ").count > 1
    {
      line = String(line.dropFirst(first.count + 1))
    }
    if let first = line.first, first.isUppercase, !(line.dropFirst().first?.isUppercase ?? false) {
      line = first.lowercased() + line.dropFirst()
    }
    let prefix = chosenType + (scope.map { "(\($0))" } ?? "") + ": "
    if line.isEmpty { line = "update" }
    return prefix + shortened(line, to: subjectLimit - prefix.count)
  }

  static func shortened(_ text: String, to limit: Int) -> String {
    guard text.count > limit else { return text }
    let cut = text.prefix(limit + 1)
    if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) >= limit / 2 {
      return String(cut[..<space]).trimmingCharacters(in: .whitespaces)
    }
    return String(text.prefix(limit))
  }

  /// The co-author line of an agent octo-git knows, for the `Co-authored-by` trailer.
  public static func coAuthor(ofAgent agent: String) -> String? {
    switch agent.lowercased() {
    case "claude-code", "claude": return "Claude <noreply@anthropic.com>"
    case "codex", "codex-cli": return "Codex <noreply@openai.com>"
    case "aider": return "aider (AI) <noreply@aider.chat>"
    case "copilot", "github-copilot": return "Copilot <175728472+Copilot@users.noreply.github.com>"
    default: return nil
    }
  }
}
