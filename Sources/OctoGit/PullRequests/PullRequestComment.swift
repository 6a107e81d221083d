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
      let event = environment.value("GITHUB_EVENT_NAME") ?? "an unknown event"
      throw OctoError(
        "pr comment needs a pull request: this job runs for \(event)",
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

    // Usage by commit, each event once, as reports count it: its best copy (EventCopy), of equal copies the
    // one on the newest commit (by commit time, then id, as `usage --by commit` decides). A line added on a
    // later commit to lower an event's cost changes nothing.
    let ids = entries.map(\.id)
    let usageNotes = try repository.notes(on: ids, ref: UsageNote.ref)
    let featureNotes = try repository.notes(on: ids, ref: FeatureRecord.ref)
    var context = PullRequestContext(title: "", summary: nil, base: target.baseRef, head: target.headRef)
    var rows = entries.map { CommitRow(id: $0.id, subject: $0.subject) }
    var best: [String: (row: Int, event: UsageEvent)] = [:]
    var order: [String] = []
    var malformed = 0
    var times: [Int: Int64] = [:]
    func isNewer(_ row: Int, than other: Int) -> Bool {
      func time(_ row: Int) -> Int64 {
        if let known = times[row] { return known }
        let found = (try? repository.commit(rows[row].id).committer.time).map { Int64($0.timeIntervalSince1970) }
        times[row] = found ?? .min
        return found ?? .min
      }
      return (time(row), rows[row].id.hex) > (time(other), rows[other].id.hex)
    }
    for index in rows.indices.reversed() {
      guard let text = usageNotes[rows[index].id] else { continue }
      let parsed = UsageNote.events(in: text)
      malformed += parsed.malformed
      for event in parsed.events {
        guard let held = best[event.id] else {
          best[event.id] = (index, event)
          order.append(event.id)
          continue
        }
        if EventCopy.isBetter(event, than: held.event)
          || (!EventCopy.isBetter(held.event, than: event) && isNewer(index, than: held.row))
        {
          best[event.id] = (index, event)
        }
      }
    }
    for id in order {
      let (index, event) = best[id]!
      context.addUsage([event])
      rows[index].totals.add(event)
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
    let pending = environment.isCI ? UsageTotals() : pendingUsage(branch: target.headRef, excluding: Set(order))

    let config = try repository.config()
    let amount = try options.budget ?? Budget.amount(config, "octo.budget.pr")
    var spent = context.usage
    spent.merge(pending)
    let budget = amount.map { BudgetCheck(amount: $0, spent: spent.cost.decimal) }

    let template = try loadTemplate()
    let body = try render(
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
          "PATCH \(issue)/comments/<id> when a comment starts with \(Self.marker), "
            + "else POST \(issue)/\(number)/comments",
        ]
      }
      return outcome(.dryRun, nil, requests: requests)
    }
    guard let client, let number = target.number else {
      throw OctoError("no pull request to comment on", hint: "pass --pr N", status: .usage)
    }
    return try explainingForbidden(number: number, environment: environment) {
      let existing = Self.sticky(
        among: try client.comments(onIssue: number), viewer: client.viewerLogin,
        actionsBot: environment.isActions ? Self.actionsBot : nil)
      if let existing {
        if existing.body.replacingOccurrences(of: "\r\n", with: "\n") == body {
          return outcome(.unchanged, existing)
        }
        return outcome(.updated, try client.updateComment(id: existing.id, body: body))
      }
      return outcome(.created, try client.createComment(onIssue: number, body: body))
    }
  }

  /// The account GitHub Actions' own token writes as.
  static let actionsBot = "github-actions[bot]"

  /// The comment this command keeps up to date among `comments`: one that begins with ``marker`` and was
  /// written by the token's account (`viewer`, asked only when a marked comment exists). When GitHub does not
  /// say who the token is (an app's or GitHub Actions' token: only bots' tokens are refused `/user`), the
  /// newest marked comment of `actionsBot` (in GitHub Actions), else the newest marked comment of any bot: the
  /// one the last run wrote, so a run never adds a second comment. A person's marked comment is never edited.
  /// Comments that name no author at all (not GitHub's answers) are taken as they come.
  static func sticky(
    among comments: [GitHubClient.IssueComment], viewer: () -> String?, actionsBot: String? = nil
  ) -> GitHubClient.IssueComment? {
    let marked = comments.filter { $0.body.hasPrefix(marker) }
    guard let first = marked.first else { return nil }
    guard marked.contains(where: { $0.author != nil }) else { return first }
    if let login = viewer() { return marked.first { $0.author == login } }
    if let actionsBot, let own = marked.last(where: { $0.author == actionsBot }) { return own }
    return marked.last(where: \.authorIsBot)
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
