import Foundation
import Mustache

/// A pull request's title and description, written from the branch: commits grouped by Conventional
/// Commits type, the diffstat (renames, the largest files), feature test runs, checkpoints, AI usage by
/// model and agent, a warning when the branch does not merge cleanly, the repository's own pull-request
/// template, and a hidden `<!-- octo-git:v1 … -->` footer that lets `pr create` find its pull request again.
///
/// The body is rendered with Mustache from `templates/pr.md.mustache` (built in), which a repository may
/// override in `.octo/templates/pr.md.mustache`. It stays under GitHub's 65,536 characters by leaving out,
/// in this order: checkpoints, commit bodies, the file table, conflicting paths past the first 20, the summary
/// past 4,000 characters, then commits beyond what fits.
public struct PullRequestDescriber {
  public let repository: Repository

  public init(repository: Repository) { self.repository = repository }

  /// GitHub's limit on a pull request body.
  public static let bodyLimit = 65_536
  static let templatePath = "templates/pr.md.mustache"

  public struct Description: Sendable {
    public let title: String
    public let body: String
    public let base: String
    public let head: String
    public let headCommit: Oid
    /// Everything the template saw, for `--format json`.
    public let data: JSONValue
  }

  /// Describes the current branch against `base` (else the feature's base, `octo.baseBranch`, the remote's
  /// default branch, `main`), rendered with `templateFile` when given.
  public func describe(base requestedBase: String? = nil, templateFile: String? = nil) throws -> Description {
    guard case .branch(let head, let headCommit) = try repository.head() else {
      throw OctoError("HEAD is not on a branch with commits", hint: "switch to the branch the pull request is for")
    }
    let config = try repository.config()
    let features = Features(repository: repository)
    let storedBase = try config.string("branch.\(head).octoBase")
    let configuredBase = try config.string("octo.baseBranch")
    let remoteDefault = try repository.remoteDefaultBranch()
    let base = requestedBase ?? storedBase ?? configuredBase ?? remoteDefault ?? "main"
    guard base != head else {
      throw OctoError("the branch \(head) is its own base", hint: "pass --base, e.g. --base main", status: .usage)
    }
    let baseTips = try features.tipsOfBase(base)
    guard var baseCommit = baseTips.first else {
      throw OctoError.badInput("no branch named \(base) to compare with", hint: "pass an existing branch with --base")
    }
    // Compared with the newer of the local base and its remote-tracking branch when one holds the other.
    if let tracking = baseTips.dropFirst().first, repository.isAncestor(baseCommit, of: tracking) {
      baseCommit = tracking
    }
    let analysis = try repository.mergeAnalysis(ours: baseCommit, theirs: headCommit)
    let commitIDs = Array(try repository.commits(from: headCommit, excludingAll: baseTips).reversed())
    let commits = try commitIDs.map { try repository.commit($0) }
    let forkTree = try analysis.base.map { try repository.commit($0).tree }
    let stats = try repository.diff(from: forkTree, to: try repository.commit(headCommit).tree)

    let description = try config.string("branch.\(head).description")?.trimmingCharacters(in: .whitespacesAndNewlines)
    let prefix = try features.prefix()
    let title = Self.title(description: description, commits: commits, branch: head, prefix: prefix)
    let parsed = commits.map { ConventionalCommit(message: $0.message) }
    var context = PullRequestContext(
      title: title, summary: Self.summary(description: description, commits: parsed, base: base),
      base: base, head: head)
    context.commits = zip(commits, parsed).map { PullRequestContext.CommitEntry(id: $0.id, parsed: $1) }
    context.addDiffstat(stats)
    context.conflicts = analysis.conflicts
    let featureNotes = try repository.notes(on: commitIDs, ref: FeatureRecord.ref)
    let usageNotes = try repository.notes(on: commitIDs, ref: UsageNote.ref)
    // Each event once, as reports count it: its best copy (EventCopy), of equal ones the newest commit's.
    var best = EventCopy.Best()
    for commit in commitIDs.reversed() {
      guard let text = usageNotes[commit] else { continue }
      let parsed = UsageNote.events(in: text)
      context.malformedLines += parsed.malformed
      for event in parsed.events { best.add(event) }
    }
    context.addUsage(best.events)
    try context.usage.checked("the branch's commits")
    for commit in commitIDs {
      if let text = featureNotes[commit] {
        context.passes += FeatureRecord.records(in: text).map { (commit.abbreviated(), $0) }
      }
    }
    let ids = Set(commitIDs)
    context.checkpoints = try Checkpoints(repository: repository).list(allWorktrees: true)
      .filter { $0.branch == head && ($0.head.map(ids.contains) ?? false || $0.head == analysis.base) }
      .sorted { $0.at < $1.at }
    context.repositoryTemplate = Self.repositoryTemplate(in: repository.workDirectory)

    let template = try loadTemplate(templateFile)
    // Branch names may hold `-->` and `<`: in JSON escapes, they cannot end the comment early.
    let footerJSON = CanonicalJSON.string(
      .object([
        "base": .string(base), "head": .string(head), "headCommit": .string(headCommit.hex),
        "feature": description == nil ? .null : .string(String(head.dropFirst(prefix.count))),
      ]))
    let footer =
      "<!-- octo-git:v1 "
      + footerJSON.replacingOccurrences(of: "--", with: "-\\u002d").replacingOccurrences(of: "<", with: "\\u003c")
      .replacingOccurrences(of: ">", with: "\\u003e") + " -->"
    let body =
      try context.renderWithinLimit(template, limit: Self.bodyLimit - footer.utf8.count - 2) + "\n" + footer + "\n"
    return Description(
      title: title, body: body, base: base, head: head, headCommit: headCommit,
      data: context.json(headCommit: headCommit, body: body))
  }

  /// The feature's description, else the one commit's subject, else the branch name made readable.
  static func title(description: String?, commits: [Commit], branch: String, prefix: String) -> String {
    if let first = description?.split(separator: "\n").first { return String(first) }
    if commits.count == 1 { return commits[0].summary }
    var name = branch.hasPrefix(prefix) ? String(branch.dropFirst(prefix.count)) : branch
    if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
    let words = name.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
    return words.prefix(1).uppercased() + words.dropFirst()
  }

  /// The description's lines after its first (the title), or the one commit's body, then a sentence
  /// counting the commits by kind: Markdown, the repository's text in it escaped.
  static func summary(description: String?, commits: [ConventionalCommit], base: String) -> String {
    var parts: [String] = []
    if let description {
      let rest = description.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).dropFirst()
        .joined().trimmingCharacters(in: .whitespacesAndNewlines)
      if !rest.isEmpty { parts.append(SafeText.markdownProse(rest)) }
    } else if commits.count == 1 {
      if !commits[0].body.isEmpty { parts.append(SafeText.markdownProse(commits[0].body)) }
    }
    var kinds: [String: Int] = [:]
    for commit in commits { kinds[commit.section, default: 0] += 1 }
    let order = ConventionalCommit.sections.map(\.title) + ["Other changes"]
    let counted = order.compactMap { name in kinds[name].map { "\(name): \($0)" } }
    parts.append(
      "\(commits.count) commit\(commits.count == 1 ? "" : "s") to merge into "
        + "`\(SafeText.codeSpanText(base, inTable: false))`"
        + (counted.isEmpty ? "." : " (" + counted.joined(separator: ", ") + ")."))
    return parts.joined(separator: "\n\n")
  }

  /// `--template`, else `.octo/templates/pr.md.mustache` in the work tree, else the built-in one.
  func loadTemplate(_ file: String?) throws -> BoundedTemplate {
    let override = repository.workDirectory + "/.octo/" + Self.templatePath
    let text: String
    var name = file ?? override
    if let file {
      text = try TemplateLimits.read(file)
    } else if Paths.entryExists(override) {
      text = try TemplateLimits.read(inside: repository.workDirectory, at: ".octo/" + Self.templatePath)
    } else {
      text = DefaultFiles.content(of: Self.templatePath) ?? ""
      name = "built in (\(Self.templatePath))"
    }
    return try TemplateLimits.parse(text, name: name)
  }

  /// The repository's own pull-request template (GitHub's API does not apply it, so it is included):
  /// `pull_request_template.md` in `.github/`, the top folder or `docs/` (any case), else the first of
  /// `.github/PULL_REQUEST_TEMPLATE/*.md`.
  static func repositoryTemplate(in root: String) -> String? {
    let manager = FileManager.default
    for folder in [".github", "", "docs"] {
      let directory = folder.isEmpty ? root : root + "/" + folder
      guard let names = try? manager.contentsOfDirectory(atPath: directory) else { continue }
      for name in names.sorted()
      where ["pull_request_template.md", "pull_request_template"].contains(name.lowercased()) {
        if let text = try? TemplateLimits.read(inside: root, at: (folder.isEmpty ? "" : folder + "/") + name) {
          return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
      }
    }
    for folder in [".github/PULL_REQUEST_TEMPLATE", ".github/pull_request_template"] {
      let directory = root + "/" + folder
      guard let names = try? manager.contentsOfDirectory(atPath: directory) else { continue }
      if let first = names.filter({ $0.lowercased().hasSuffix(".md") }).sorted().first,
        let text = try? TemplateLimits.read(inside: root, at: folder + "/" + first)
      {
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
      }
    }
    return nil
  }
}
