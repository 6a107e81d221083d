import Foundation

/// `octo-git statusline`: the one line Claude Code shows under its prompt (its `statusLine` command),
/// refreshed after every message.
///
/// Claude Code hands the command a JSON object on stdin (`session_id`, `transcript_path`, `cwd`,
/// `model.id` and `model.display_name`, `workspace.current_dir` and `project_dir`, `cost.total_cost_usd`…).
/// The line says, at most ``maxWidth`` characters long: the model, the branch and what it cost (its
/// committed and pending usage), this session's cost, what is pending in this work tree, and what is left of
/// the tightest budget (`octo.budget.branch`, `octo.budget`).
///
/// It runs on every prompt, so it reads only octo-git's cache of the notes and the pending store, as they
/// are (no notes are read, no refresh, no network): a few files and three small queries. A directory that is
/// no git repository, or one where octo-git never ran, still gives a line; nothing is created or written.
public enum StatusLine {
  /// The longest line printed, in characters.
  public static let maxWidth = 120
  /// The largest input read (Claude Code sends a few kilobytes).
  public static let sizeLimit = 1 << 20

  /// The fields of Claude Code's status-line JSON that the line uses; anything else is ignored, and input
  /// that is not a JSON object gives empty fields.
  public struct Input: Equatable, Sendable {
    public var sessionID: String?
    /// `workspace.current_dir`, else `cwd`.
    public var directory: String?
    /// `model.display_name`, else `model.id`.
    public var model: String?
    public var transcriptPath: String?
    /// `cost.total_cost_usd`: what Claude Code itself counts for the session so far.
    public var reportedCost: Decimal?

    public init(sessionID: String? = nil, directory: String? = nil, model: String? = nil, reportedCost: Decimal? = nil)
    {
      self.sessionID = sessionID
      self.directory = directory
      self.model = model
      self.reportedCost = reportedCost
    }

    public init(json data: Data) {
      let value = (try? CanonicalJSON.parse(String(decoding: data, as: UTF8.self))) ?? .null
      func text(_ found: JSONValue?) -> String? {
        guard let string = found?.stringValue, !string.isEmpty else { return nil }
        return string
      }
      sessionID = text(value["session_id"])
      directory = text(value["workspace"]?["current_dir"]) ?? text(value["cwd"])
      model = text(value["model"]?["display_name"]) ?? text(value["model"]?["id"])
      transcriptPath = text(value["transcript_path"])
      reportedCost = value["cost"]?["total_cost_usd"]?.decimalValue.flatMap { $0 >= 0 ? $0 : nil }
    }
  }

  /// What the line shows, before it is laid out.
  public struct Figures: Sendable {
    public var model: String?
    /// The branch checked out; nil when HEAD is detached or there is no repository.
    public var branch: String?
    /// Whether `directory` is inside a git work tree.
    public var inRepository = false
    /// Whether octo-git has a ledger in this repository.
    public var hasLedger = false
    /// The branch's usage: committed (as the cache knows it) and pending.
    public var branchTotals = UsageTotals()
    /// This session's usage as octo-git has it (committed and pending); nil without a session id.
    public var sessionTotals: UsageTotals?
    /// What Claude Code counts for the session.
    public var reportedSessionCost: Decimal?
    /// This work tree's pending usage.
    public var pending = UsageTotals()
    /// The tightest budget: its scope, amount and what it has spent.
    public var budget: BudgetStatus?
  }

  /// The line for `input`, never failing: a problem becomes a short note in the line.
  public static func line(
    for input: Input, currentDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment
  )
    -> String
  {
    do {
      return render(try figures(for: input, currentDirectory: currentDirectory, environment: environment))
    } catch {
      return fit([("octo-git: \(error)", nil)])
    }
  }

  /// Gathers the figures from the files alone: HEAD, the git config files, and the ledger's cache and
  /// pending store (read-only; a repository without a ledger gets none).
  public static func figures(for input: Input, currentDirectory: String, environment: [String: String]) throws
    -> Figures
  {
    var figures = Figures()
    figures.model = input.model
    figures.reportedSessionCost = input.reportedCost
    let directory = input.directory.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? currentDirectory
    guard let location = WorktreeLocation.find(from: directory, environment: environment) else { return figures }
    figures.inRepository = true
    figures.branch = branch(gitDirectory: location.gitDirectory)
    let ledgerPath = location.commonDirectory + "/octo/ledger.sqlite"
    guard RegularFile.exists(ledgerPath) else {
      if input.sessionID != nil { figures.sessionTotals = UsageTotals() }
      return figures
    }
    figures.hasLedger = true
    let store = try LedgerStore.open(commonDirectory: location.commonDirectory)
    let budgets = budgetAmounts(commonDirectory: location.commonDirectory)
    var branchTotals = UsageTotals()
    var sessionTotals = UsageTotals()
    var repositoryTotals = UsageTotals()
    if let branch = figures.branch { branchTotals = try costs(store.costSums(of: .branch(branch))) }
    if let session = input.sessionID { sessionTotals = try costs(store.costSums(of: .session(session))) }
    if budgets.repository != nil { repositoryTotals = try costs(store.costSums(of: .everything)) }
    for item in try store.pending() {
      let event = item.event
      if item.worktree == location.key { figures.pending.add(event) }
      if let branch = figures.branch, event.branch == branch { branchTotals.add(event) }
      if let session = input.sessionID, event.session == session { sessionTotals.add(event) }
      if budgets.repository != nil { repositoryTotals.add(event) }
    }
    figures.branchTotals = branchTotals
    if input.sessionID != nil { figures.sessionTotals = sessionTotals }
    var statuses: [BudgetStatus] = []
    if let amount = budgets.repository {
      statuses.append(BudgetStatus(scope: "this repository", budget: amount, spent: repositoryTotals.cost.decimal))
    }
    if let amount = budgets.branch, let branch = figures.branch {
      statuses.append(BudgetStatus(scope: "branch \(branch)", budget: amount, spent: branchTotals.cost.decimal))
    }
    figures.budget = statuses.min { ($0.budget - $0.spent) < ($1.budget - $1.spent) }
    return figures
  }

  /// The line: model, branch and its cost, session, pending, budget, ` | ` between them. When it is longer
  /// than ``maxWidth`` the least useful parts go first (the model, then the notes, pending, session and
  /// budget); the branch stays, cut with `…` if it must.
  public static func render(_ figures: Figures) -> String {
    func cost(_ totals: UsageTotals) -> String {
      if totals.events > 0, totals.unpricedEvents == totals.events { return "unpriced" }
      return Money.format(totals.cost)
    }
    // Each part with the order in which parts are left out to fit (nil: never).
    var parts: [(text: String, drop: Int?)] = []
    if let model = figures.model { parts.append((model, 0)) }
    if figures.inRepository {
      parts.append((figures.branch.map { "\($0) \(cost(figures.branchTotals))" } ?? "detached HEAD", nil))
    } else {
      parts.append(("not in a git repository", nil))
    }
    if figures.sessionTotals != nil || figures.reportedSessionCost != nil {
      // Claude Code also counts the requests octo-git has not imported yet: the larger figure is the live one.
      let recorded = figures.sessionTotals ?? UsageTotals()
      var shown = cost(recorded)
      if let reported = figures.reportedSessionCost, reported > recorded.cost.decimal { shown = Money.format(reported) }
      parts.append(("session \(shown)", 3))
    }
    if figures.pending.events > 0 {
      parts.append(("pending \(cost(figures.pending)) (\(figures.pending.events))", 2))
    }
    if let budget = figures.budget {
      let left = budget.budget - budget.spent
      let scope = budget.scope == "this repository" ? "budget" : "branch budget"
      parts.append((left >= 0 ? "\(scope) \(Money.format(left)) left" : "over \(scope) by \(Money.format(-left))", 4))
    }
    if figures.inRepository, !figures.hasLedger {
      parts.append(("no usage recorded here yet", 1))
    }
    return fit(parts)
  }

  /// The parts made safe for a terminal and joined with ` | `; parts are left out by their `drop` order
  /// until the line fits ``maxWidth``, and a line still too long is cut with `…`.
  static func fit(_ parts: [(text: String, drop: Int?)]) -> String {
    var kept = parts.map { (text: SafeText.terminal($0.text), drop: $0.drop) }
    func joined() -> String { kept.map(\.text).joined(separator: " | ") }
    while joined().count > maxWidth,
      let next = kept.indices.filter({ kept[$0].drop != nil }).min(by: { kept[$0].drop! < kept[$1].drop! })
    {
      kept.remove(at: next)
    }
    let line = joined()
    guard line.count > maxWidth else { return line }
    return String(line.prefix(maxWidth - 1)) + "…"
  }

  /// The branch HEAD names, read from the file (`ref: refs/heads/<name>`); nil when detached or unreadable.
  static func branch(gitDirectory: String) -> String? {
    guard let data = try? RegularFile.contents(gitDirectory + "/HEAD", limit: 4096) else { return nil }
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    let prefix = "ref: refs/heads/"
    guard text.hasPrefix(prefix) else { return nil }
    let name = String(text.dropFirst(prefix.count))
    return name.isEmpty ? nil : name
  }

  /// Sums of costs as ``UsageTotals`` (tokens are not summed).
  static func costs(_ sums: LedgerStore.CostSums) -> UsageTotals {
    var totals = UsageTotals()
    guard sums.events > 0 else { return totals }
    let extras = PicoDollars.cachedExtras(sums.inexactCosts)
    totals.add(
      events: sums.events, tokens: TokenCounts(), microDollars: sums.microDollars, picoDollars: sums.picoRemainders,
      extraCosts: extras, unpriced: sums.unpricedEvents, unpricedTokens: 0)
    return totals
  }

  /// `octo.budget` and `octo.budget.branch` from the user's and the repository's config files, read
  /// without opening the repository; a setting that is not an amount is left out (the line never fails on
  /// it: reports say what is wrong).
  static func budgetAmounts(commonDirectory: String) -> (repository: Decimal?, branch: Decimal?) {
    guard let config = try? Config.outsideRepository(addingLocalFile: commonDirectory + "/config") else {
      return (nil, nil)
    }
    return (try? Budget.amount(config, "octo.budget"), try? Budget.amount(config, "octo.budget.branch"))
  }
}
