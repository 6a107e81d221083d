import Foundation
import Mustache

/// `octo-git pr comment`: one comment on a pull request that shows its AI cost — tokens and cost by model,
/// by agent and by commit, the feature test runs, checkpoints, what is still pending — and where it stands
/// against a budget; posted once and then updated in place.
///
/// The comment starts with ``marker``; later runs find it by that marker (reading every page of the
/// pull request's comments) and rewrite it, never adding a second one. In a GitHub Actions `pull_request`
/// job the pull request, its head and base come from the event file and the repository from
/// `GITHUB_REPOSITORY`; the checkout has no notes, so they are fetched from the remote first (in any CI).
/// Elsewhere the pull request is `--pr N`, else the open one of the current branch.
///
/// The body is rendered with Mustache, as `pr describe`'s is, from `templates/pr-comment.md.mustache`
/// (built in), which a repository may override in `.octo/templates/pr-comment.md.mustache`. Everything
/// from the notes, git or GitHub reaches it escaped for Markdown.
///
/// Budget: `octo.budget.pr` (USD) or `--budget`. From 80% the comment warns; over it the comment says so
/// and ``Outcome/budgetFailure`` holds the one-line error the command ends with.
public struct PullRequestComment {
  public let repository: Repository

  public init(repository: Repository) { self.repository = repository }

  /// The first line of the comment: how later runs find it.
  public static let marker = "<!-- octo-git:cost -->"
  static let templatePath = "templates/pr-comment.md.mustache"
  /// GitHub's limit on a comment's body.
  public static let bodyLimit = 65_536

  public struct Options: Sendable {
    /// `--pr N`; by default the event's pull request, else the open one of the current branch.
    public var pullRequest: Int?
    /// `--budget`, in USD; by default `octo.budget.pr`.
    public var budget: Decimal?
    public var dryRun: Bool
    public var remote: String
    public var environment: [String: String]

    public init(
      pullRequest: Int? = nil, budget: Decimal? = nil, dryRun: Bool = false, remote: String = "origin",
      environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
      self.pullRequest = pullRequest
      self.budget = budget
      self.dryRun = dryRun
      self.remote = remote
      self.environment = environment
    }
  }

  /// Where a pull request's cost stands against its budget.
  public struct BudgetCheck: Equatable, Sendable {
    public enum Level: String, Sendable { case within, warning, over }

    public let amount: Decimal
    public let spent: Decimal

    public init(amount: Decimal, spent: Decimal) {
      self.amount = amount
      self.spent = spent
    }

    /// `over` when the cost exceeds the budget, `warning` from 80% of it.
    public var level: Level {
      if spent > amount { return .over }
      if spent * 5 >= amount * 4 { return .warning }
      return .within
    }

    /// The share of the budget spent, in whole percent (rounded down; at most 10^9).
    public var percent: Int {
      guard amount > 0 else { return 0 }
      var share = spent * 100 / amount
      var rounded = Decimal()
      NSDecimalRound(&rounded, &share, 0, .down)
      if rounded > 1_000_000_000 { return 1_000_000_000 }
      return NSDecimalNumber(decimal: rounded).intValue
    }

    /// Cost and budget as people read them; exact when they would look alike rounded to the cent.
    public var shown: (spent: String, amount: String) {
      let spentText = Money.format(spent)
      let amountText = Money.format(amount)
      if spentText == amountText && spent != amount { return (Money.exact(spent), Money.exact(amount)) }
      return (spentText, amountText)
    }

    var json: JSONValue {
      .object([
        "amount": .decimal(amount), "spent": .decimal(spent), "percent": .int(percent),
        "level": .string(level.rawValue),
      ])
    }
  }

  public struct Outcome: Sendable {
    public enum Action: String, Sendable {
      case created, updated, unchanged
      case dryRun = "dry-run"
    }
    public let action: Action
    /// The pull request (unknown only in a dry run without GitHub).
    public let number: Int?
    /// The comment's id and address on GitHub (after posting).
    public let commentID: Int?
    public let url: String?
    public let body: String
    public let commits: Int
    public let usage: UsageTotals
    public let pending: UsageTotals
    public let budget: BudgetCheck?
    /// What would be sent, in a dry run.
    public let requests: [String]
    /// Whether the notes were fetched from the remote first.
    public let fetchedNotes: Bool

    /// The one-line error the command ends with (exit 1) when the pull request is over its budget.
    public var budgetFailure: OctoError? {
      guard let budget, budget.level == .over else { return nil }
      let shown = budget.shown
      let subject = number.map { "pull request #\($0)" } ?? "the pull request"
      return OctoError(
        "\(subject) is over its budget: it cost \(shown.spent), the budget is \(shown.amount) (\(budget.percent)%)")
    }

    /// The one-line warning from 80% of the budget, when it is not over.
    public var budgetWarning: String? {
      guard let budget, budget.level == .warning else { return nil }
      let shown = budget.shown
      let subject = number.map { "pull request #\($0)" } ?? "the pull request"
      return "\(subject) has used \(budget.percent)% of its budget: \(shown.spent) of \(shown.amount)"
    }

    /// The machine-readable form (`--json`).
    public var json: JSONValue {
      var members: [String: JSONValue] = [
        "action": .string(action.rawValue), "pullRequest": number.map(JSONValue.int) ?? .null,
        "commentId": commentID.map(JSONValue.int) ?? .null, "url": url.map(JSONValue.string) ?? .null,
        "commits": .int(commits), "cost": .object(usage.json), "pending": .object(pending.json),
        "budget": budget?.json ?? .null, "fetchedNotes": .bool(fetchedNotes),
      ]
      if action == .dryRun {
        members["body"] = .string(body)
        members["requests"] = .array(requests.map(JSONValue.string))
      }
      return .object(members)
    }
  }

  /// A `--budget` value: a positive amount in USD (`25`, `$12.50`).
  public static func parseBudget(_ text: String) throws -> Decimal {
    let cleaned = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "$", with: "")
    guard let value = Decimal(string: cleaned, locale: Locale(identifier: "en_US_POSIX")), value > 0,
      cleaned.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
    else {
      throw OctoError("--budget must be an amount in USD, not '\(text)'", hint: "e.g. --budget 25", status: .usage)
    }
    return value
  }

  /// The pull request the comment is for: its number, head and base.
  struct Target {
    var number: Int?
    var headRef: String
    var headSHA: Oid?
    var baseRef: String
    var baseSHA: Oid?
  }

  /// One commit of the pull request with what its note holds.
  struct CommitRow {
    let id: Oid
    let subject: String
    var totals = UsageTotals()
  }

  /// Posts or updates the comment (or, in a dry run, renders it and says what it would send).
  public func post(_ options: Options) throws -> Outcome {
    let environment = GitHubActionsEnvironment(options.environment)
    var eventPull: GitHubActionsEvent.PullRequest?
    if case .pullRequest(let pull)? = try environment.event() { eventPull = pull }
    if environment.isActions, eventPull == nil, options.pullRequest == nil {
      throw OctoError(
        "pr comment needs a pull request: this job runs for \(environment.value("GITHUB_EVENT_NAME") ?? "an unknown event")",
        hint: "run it on pull_request events, or pass --pr N", status: .usage)
    }

    // GitHub first (nothing is fetched without a token), except in a dry run, which renders without it.
    var client: GitHubClient?
    do {
      let github = try environment.repository() ?? GitHubRepository.of(repository, remote: options.remote)
      client = GitHubClient(repository: github, token: try environment.token(for: github))
    } catch {
      guard options.dryRun else { throw error }
    }

    // A CI checkout has no notes.
    var fetched = false
    if environment.isCI {
      _ = try NotesSync.pull(repository, remote: options.remote)
      fetched = true
    }

    let target = try findTarget(options, eventPull: eventPull, client: client)
    let entries = try commits(of: target, client: client)

    // Usage by commit, each event once (on the newest commit holding it, as reports count it).
    let ids = entries.map(\.id)
    let usageNotes = try repository.notes(on: ids, ref: UsageNote.ref)
    let featureNotes = try repository.notes(on: ids, ref: FeatureRecord.ref)
    var context = PullRequestContext(title: "", summary: nil, base: target.baseRef, head: target.headRef)
    var rows = entries.map { CommitRow(id: $0.id, subject: $0.subject) }
    var seen = Set<String>()
    var malformed = 0
    for index in rows.indices.reversed() {
      guard let text = usageNotes[rows[index].id] else { continue }
      let parsed = UsageNote.events(in: text)
      malformed += parsed.malformed
      let fresh = parsed.events.filter { seen.insert($0.id).inserted }
      context.addUsage(fresh)
      for event in fresh { rows[index].totals.add(event) }
    }
    let place = target.number.map { "pull request #\($0)" } ?? "the pull request"
    try context.usage.checked(place)
    for row in rows {
      if let text = featureNotes[row.id] {
        context.passes += FeatureRecord.records(in: text).map { (row.id.abbreviated(7), $0) }
      }
    }
    let idSet = Set(ids)
    let forkPoint = target.baseSHA
    context.checkpoints = ((try? Checkpoints(repository: repository).list(allWorktrees: true)) ?? [])
      .filter { checkpoint in
        checkpoint.branch == target.headRef && (checkpoint.head.map { idSet.contains($0) || $0 == forkPoint } ?? false)
      }
      .sorted { $0.at < $1.at }
    let pending = environment.isCI ? UsageTotals() : pendingUsage(branch: target.headRef, excluding: seen)

    let config = try repository.config()
    let amount = try options.budget ?? Budget.amount(config, "octo.budget.pr")
    var spent = context.usage
    spent.merge(pending)
    let budget = amount.map { BudgetCheck(amount: $0, spent: spent.cost) }

    let template = try loadTemplate()
    let body = render(
      template, context: context, rows: rows, target: target, pending: pending, budget: budget, malformed: malformed)

    func outcome(_ action: Outcome.Action, _ comment: GitHubClient.IssueComment?, requests: [String] = []) -> Outcome {
      Outcome(
        action: action, number: target.number, commentID: comment?.id, url: comment?.url, body: body,
        commits: entries.count, usage: context.usage, pending: pending, budget: budget, requests: requests,
        fetchedNotes: fetched)
    }

    if options.dryRun {
      var requests: [String] = []
      if let client, let number = target.number {
        let issue = "\(client.repository.apiBase)\(client.repositoryPath)/issues"
        requests = [
          "GET \(issue)/\(number)/comments (every page)",
          "PATCH \(issue)/comments/<id> when a comment starts with \(Self.marker), else POST \(issue)/\(number)/comments",
        ]
      }
      return outcome(.dryRun, nil, requests: requests)
    }
    guard let client, let number = target.number else {
      throw OctoError("no pull request to comment on", hint: "pass --pr N", status: .usage)
    }
    return try explainingForbidden(number: number, environment: environment) {
      let existing = try client.comments(onIssue: number).first {
        $0.body.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix(Self.marker)
      }
      if let existing {
        if existing.body.replacingOccurrences(of: "\r\n", with: "\n") == body {
          return outcome(.unchanged, existing)
        }
        return outcome(.updated, try client.updateComment(id: existing.id, body: body))
      }
      return outcome(.created, try client.createComment(onIssue: number, body: body))
    }
  }

  /// The pull request from the event, `--pr`, or the current branch's open one.
  func findTarget(_ options: Options, eventPull: GitHubActionsEvent.PullRequest?, client: GitHubClient?) throws
    -> Target
  {
    if let pull = eventPull, options.pullRequest == nil || options.pullRequest == pull.number {
      return Target(
        number: pull.number, headRef: pull.headRef, headSHA: pull.headSHA, baseRef: pull.baseRef, baseSHA: pull.baseSHA)
    }
    if let number = options.pullRequest {
      guard let client else {
        throw OctoError(
          "no GitHub token to look up pull request #\(number)", hint: "export GH_TOKEN", status: .unavailable)
      }
      let details = try client.pullRequest(number: number)
      return Target(
        number: number, headRef: details.headRef, headSHA: details.headSHA, baseRef: details.baseRef,
        baseSHA: details.baseSHA)
    }
    guard case .branch(let branch, let tip) = try repository.head() else {
      throw OctoError(
        "HEAD is not on a branch with commits", hint: "switch to the pull request's branch, or pass --pr N",
        status: .usage)
    }
    guard let client else {
      // A dry run without GitHub: the branch against the base pr describe would use.
      return Target(number: nil, headRef: branch, headSHA: tip, baseRef: try localBase(of: branch), baseSHA: nil)
    }
    guard let details = try client.openPullRequestDetails(branch: branch) else {
      let slug = "\(client.repository.owner)/\(client.repository.name)"
      throw OctoError(
        "no open pull request from \(branch) in \(slug)", hint: "open one with octo-git pr create, or pass --pr N")
    }
    // The branch as it is here (it may be ahead of what GitHub has), against the pull request's base.
    return Target(number: details.number, headRef: branch, headSHA: tip, baseRef: details.baseRef, baseSHA: nil)
  }

  /// The base `pr describe` would compare `branch` with.
  func localBase(of branch: String) throws -> String {
    let config = try repository.config()
    return try config.string("branch.\(branch).octoBase") ?? config.string("octo.baseBranch")
      ?? repository.remoteDefaultBranch() ?? "main"
  }

  /// The pull request's commits, oldest first: from the clone when it has the head and the base, else
  /// from GitHub's list (a shallow checkout).
  func commits(of target: Target, client: GitHubClient?) throws -> [(id: Oid, subject: String)] {
    let head = target.headSHA.flatMap { repository.objectExists($0) ? $0 : nil }
    var base = target.baseSHA.flatMap { repository.objectExists($0) ? $0 : nil }
    if base == nil { base = try Features(repository: repository).commitOfBase(target.baseRef) }
    if let head, let base {
      return try repository.commits(from: head, excluding: base).reversed().map {
        (id: $0, subject: try repository.commit($0).summary)
      }
    }
    if let client, let number = target.number {
      return try client.commits(ofPullRequest: number).map { commit in
        (
          id: commit.sha,
          subject: String(
            commit.message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        )
      }
    }
    throw OctoError(
      "the commits of \(target.headRef) are not in this clone",
      hint: "fetch them (actions/checkout with fetch-depth: 0), or pass --pr N with a token")
  }

  /// Usage recorded on `branch` in this clone but not in a note yet (nothing when there is no ledger).
  func pendingUsage(branch: String, excluding ids: Set<String>) -> UsageTotals {
    var totals = UsageTotals()
    guard FileManager.default.fileExists(atPath: repository.commonDirectory + "/octo/ledger.sqlite"),
      let store = try? LedgerStore.open(commonDirectory: repository.commonDirectory),
      let pending = try? store.pending()
    else { return totals }
    for item in pending where item.event.branch == branch && !ids.contains(item.event.id) {
      totals.add(item.event)
    }
    return totals
  }

  /// `.octo/templates/pr-comment.md.mustache` in the work tree, else the built-in one.
  func loadTemplate() throws -> MustacheTemplate {
    let override = repository.workDirectory + "/.octo/" + Self.templatePath
    let text: String
    if !repository.workDirectory.isEmpty, FileManager.default.fileExists(atPath: override) {
      text = try TemplateLimits.read(override)
    } else {
      text = DefaultFiles.content(of: Self.templatePath) ?? ""
    }
    return try TemplateLimits.parse(text, name: override)
  }

  /// The comment: the marker, then the template's output, within GitHub's limit (the per-commit rows are
  /// halved, keeping the costliest, until it fits; as a last resort the text is cut).
  func render(
    _ template: MustacheTemplate, context: PullRequestContext, rows: [CommitRow], target: Target,
    pending: UsageTotals, budget: BudgetCheck?, malformed: Int
  ) -> String {
    let withUsage = rows.enumerated().filter { $0.element.totals.events > 0 }
    var limit = withUsage.count
    while true {
      let kept = Set(
        withUsage.sorted { ($0.element.totals.cost, $1.offset) > ($1.element.totals.cost, $0.offset) }.prefix(limit)
          .map(\.offset))
      let shown = withUsage.filter { kept.contains($0.offset) }.map(\.element)
      let values = Self.mustache(
        context: context, rows: shown, hidden: withUsage.count - shown.count, commitCount: rows.count, target: target,
        pending: pending, budget: budget, malformed: malformed)
      var text = template.render(values)
      while text.hasSuffix("\n\n") { text.removeLast() }
      if !text.hasSuffix("\n") { text += "\n" }
      let body = Self.marker + "\n" + text
      if body.count <= Self.bodyLimit { return body }
      if limit == 0 { return String(body.prefix(Self.bodyLimit - 40)) + "\n\n_(cut to fit GitHub's limit)_\n" }
      limit /= 2
    }
  }

  /// What the template sees. Text from notes, commits and branches is escaped for Markdown here.
  static func mustache(
    context: PullRequestContext, rows: [CommitRow], hidden: Int, commitCount: Int, target: Target, pending: UsageTotals,
    budget: BudgetCheck?, malformed: Int
  ) -> [String: Any] {
    func cost(_ totals: UsageTotals) -> String {
      totals.events > 0 && totals.events == totals.unpricedEvents ? "unpriced" : Money.format(totals.cost)
    }
    func groups(_ groups: [String: UsageTotals]) -> [[String: Any]] {
      groups.sorted { ($0.value.cost, $1.key) > ($1.value.cost, $0.key) }.map { name, totals in
        [
          "name": SafeText.markdown(name), "events": totals.events, "tokens": TextTable.grouped(totals.tokens.total),
          "cost": cost(totals),
        ]
      }
    }
    var costValues: [String: Any] = [
      "hasAny": context.usage.events > 0, "events": context.usage.events,
      "tokens": TextTable.grouped(context.usage.tokens.total), "total": Money.format(context.usage.cost),
      "byModel": groups(context.usageByModel), "byAgent": groups(context.usageByAgent),
    ]
    if context.usage.unpricedEvents > 0 { costValues["unpriced"] = context.usage.unpricedEvents }
    var commitValues: [String: Any] = [
      "hasAny": !rows.isEmpty,
      "rows": rows.map { row -> [String: Any] in
        [
          "id": row.id.hex, "short": row.id.abbreviated(7), "subject": SafeText.markdown(row.subject),
          "events": row.totals.events, "tokens": TextTable.grouped(row.totals.tokens.total), "cost": cost(row.totals),
        ]
      },
    ]
    if hidden > 0 { commitValues["hidden"] = hidden }
    let withoutUsage = commitCount - rows.count - hidden
    if withoutUsage > 0 { commitValues["withoutUsage"] = withoutUsage }
    var values: [String: Any] = [
      "head": SafeText.markdown(target.headRef), "base": SafeText.markdown(target.baseRef),
      "headShort": target.headSHA?.abbreviated(7) ?? "", "commitCount": commitCount,
      "cost": costValues, "commits": commitValues,
      "passes": [
        "hasAny": !context.passes.isEmpty,
        "runs": context.passes.map { pass -> [String: Any] in
          [
            "commit": pass.commit, "test": SafeText.markdown(pass.record.test),
            "result": SafeText.markdown(pass.record.result),
            "duration": String(format: "%.1f s", Double(pass.record.durationMs) / 1000),
            "feature": SafeText.markdown(pass.record.feature),
          ]
        },
      ] as [String: Any],
      "checkpoints": [
        "hasAny": !context.checkpoints.isEmpty, "count": context.checkpoints.count,
        "items": context.checkpoints.map { checkpoint -> [String: Any] in
          var item: [String: Any] = [
            "short": checkpoint.id.abbreviated(), "message": SafeText.markdown(checkpoint.message),
            "at": String(Timestamp.format(checkpoint.at).prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC",
          ]
          if let agent = checkpoint.agent { item["agent"] = SafeText.markdown(agent) }
          return item
        },
      ] as [String: Any],
    ]
    if let number = target.number { values["number"] = number }
    if pending.events > 0 {
      var pendingValues: [String: Any] = [
        "hasAny": true, "events": pending.events, "tokens": TextTable.grouped(pending.tokens.total),
        "total": Money.format(pending.cost),
      ]
      if pending.unpricedEvents > 0 { pendingValues["unpriced"] = pending.unpricedEvents }
      values["pending"] = pendingValues
    }
    if let budget {
      let shown = budget.shown
      values["budget"] =
        [
          "set": true, "amount": shown.amount, "spent": shown.spent, "percent": budget.percent,
          "within": budget.level == .within, "warning": budget.level == .warning, "over": budget.level == .over,
        ] as [String: Any]
    }
    if malformed > 0 { values["malformed"] = malformed }
    return values
  }

  /// Runs `body`; a 403 from GitHub becomes one line saying which permission the token lacks.
  func explainingForbidden<T>(number: Int, environment: GitHubActionsEnvironment, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as OctoError where error.message.hasPrefix("GitHub forbids this") {
      let hint =
        environment.isActions
        ? "give the job permissions: pull-requests: write (a pull request from a fork gets a read-only token)"
        : "the token needs write access to pull requests (fine-grained tokens: Pull requests: write)"
      throw OctoError("cannot comment on pull request #\(number): \(error.message)", hint: hint, status: .unavailable)
    }
  }
}
