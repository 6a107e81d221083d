import Foundation
import GRDB

/// What a usage report groups by.
public enum ReportDimension: String, CaseIterable, Sendable {
  case commit, branch, feature, model, user, agent, day, week, month, cycle
}

/// The choices behind a usage report.
public struct ReportOptions: Sendable {
  public var dimension: ReportDimension
  public var since: Date?
  /// Exclusive end.
  public var until: Date?
  public var timeZone: TimeZone
  /// First day of a billing cycle (1–28).
  public var cycleDay: Int

  public init(
    dimension: ReportDimension = .commit, since: Date? = nil, until: Date? = nil, timeZone: TimeZone = .current,
    cycleDay: Int = 1
  ) {
    self.dimension = dimension
    self.since = since
    self.until = until
    self.timeZone = timeZone
    self.cycleDay = cycleDay
  }
}

/// A usage report: one row per group, totals, what is still pending, and budget warnings.
public struct UsageReport: Sendable {
  public struct Row: Sendable {
    /// The group: a commit id, branch, model, day… (`(none)` when events do not say).
    public let key: String
    /// A commit's subject, for `--by commit`.
    public let detail: String?
    public let totals: UsageTotals
  }

  public let options: ReportOptions
  public let rows: [Row]
  public let total: UsageTotals
  /// Events recorded in this repository and not yet committed (in every worktree).
  public let pending: UsageTotals
  public let budgets: [BudgetStatus]
  /// Note lines that could not be read (not in any total), and the newest commits holding them.
  public var malformedLines = 0
  /// Of ``malformedLines``, those written in a later format version (a newer octo-git).
  public var newerLines = 0
  public var malformedCommits: [String] = []

  /// Builds the report from the cache (refreshed first, so it always matches the notes).
  ///
  /// SQLite sums each group (costs as integer pico-dollars); only the few costs with no exact pico
  /// value are added as decimals here. Time groups are summed per 15-minute slot, which every time zone's
  /// offset and every daylight-saving change align with, and the slots are then put in their day, week,
  /// month or cycle in the report's time zone.
  public static func build(ledger: Ledger, options: ReportOptions) throws -> UsageReport {
    try ledger.store.refreshCache(from: ledger.repository)
    let calendar = CalendarMath(timeZone: options.timeZone)
    let slot: Int64 = 15 * 60 * 1000
    let column: String
    switch options.dimension {
    case .commit: column = "commit_id"
    case .branch: column = "branch"
    case .feature: column = "feature"
    case .model: column = "model"
    case .user: column = "user"
    case .agent: column = "agent"
    case .day, .week, .month, .cycle: column = "at_ms / \(slot)"
    }
    var groups: [String: UsageTotals] = [:]
    var commitRows: [Row] = []
    var total = UsageTotals()
    var normalisedModels: [String: String] = [:]
    try ledger.store.read { db in
      let (filter, arguments) = PeriodFilter.condition("shadowed = 0", since: options.since, until: options.until)
      let sql = """
        SELECT \(column) AS grp, count(*), sum(tin), sum(tout), sum(cw5m), sum(cw1h), sum(cr),
          coalesce(sum(cost_pico % 1000000), 0),
          sum(cost IS NULL), sum(CASE WHEN cost IS NULL THEN tin + tout + cw5m + cw1h + cr ELSE 0 END),
          group_concat(CASE WHEN cost IS NOT NULL AND cost_pico IS NULL THEN cost END, ' '),
          max(commit_time), coalesce(sum(cost_pico / 1000000), 0)\(
            options.dimension == .commit ? ", (SELECT summary FROM note_commit c WHERE c.commit_id = note_line.commit_id)" : "")
        FROM note_line WHERE \(filter) GROUP BY grp
        \(options.dimension == .commit ? "ORDER BY max(commit_time) DESC, grp DESC" : "")
        """
      let rows = try GRDB.Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
      while let row = try rows.next() {
        let key: String
        let raw = row[0] as DatabaseValue
        switch options.dimension {
        case .commit:
          key = String.fromDatabaseValue(raw) ?? ""
        case .branch: key = String.fromDatabaseValue(raw) ?? "(detached)"
        case .feature: key = String.fromDatabaseValue(raw) ?? "(none)"
        case .user, .agent: key = String.fromDatabaseValue(raw) ?? "(unknown)"
        case .model:
          let model = String.fromDatabaseValue(raw) ?? ""
          if normalisedModels[model] == nil { normalisedModels[model] = ModelName.normalise(model) }
          key = normalisedModels[model]!
        case .day, .week, .month, .cycle:
          let date = Date(timeIntervalSince1970: Double((Int64.fromDatabaseValue(raw) ?? 0) * slot) / 1000)
          switch options.dimension {
          case .day: key = calendar.day(of: date).text
          case .week: key = calendar.isoWeek(of: date)
          case .month: key = calendar.month(of: date)
          default:
            let cycle = calendar.cycle(of: date, startDay: options.cycleDay)
            key = "\(cycle.first.text)..\(cycle.last.text)"
          }
        }
        // Costs are summed as whole micro-dollars plus pico-dollar remainders, so SQLite's 64-bit sums
        // cannot overflow however large the totals.
        let extras = ((row[10] as String?) ?? "").split(separator: " ").compactMap {
          Decimal(string: String($0), locale: Locale(identifier: "en_US_POSIX"))
        }
        let tokens = TokenCounts(input: row[2], output: row[3], cacheWrite5m: row[4], cacheWrite1h: row[5], cacheRead: row[6])
        let (count, micro, pico, unpriced, unpricedTokens): (Int, Int64, Int64, Int, Int) = (row[1], row[12], row[7], row[8], row[9])
        var totals = UsageTotals()
        totals.add(
          events: count, tokens: tokens, microDollars: micro, picoDollars: pico, extraCosts: extras, unpriced: unpriced,
          unpricedTokens: unpricedTokens)
        if options.dimension == .commit {
          // One SQL group per commit, already in order: no merging needed.
          commitRows.append(Row(key: key, detail: row[13], totals: totals))
        } else {
          groups[key, default: UsageTotals()].merge(totals)
        }
        total.add(
          events: count, tokens: tokens, microDollars: micro, picoDollars: pico, extraCosts: extras, unpriced: unpriced,
          unpricedTokens: unpricedTokens)
      }
    }
    try total.checked("this repository")
    var rows = commitRows
    switch options.dimension {
    case .commit: break
    case .day, .week, .month, .cycle:
      rows = groups.keys.sorted().map { Row(key: $0, detail: nil, totals: groups[$0]!) }
    default:
      // Most expensive first.
      rows = groups.map { Row(key: $0.key, detail: nil, totals: $0.value) }
        .sorted { ($0.totals.cost, $1.key) > ($1.totals.cost, $0.key) }
    }
    var pending = UsageTotals()
    for item in try ledger.store.pending() { pending.add(item.event) }
    try pending.checked("the pending events")
    var report = UsageReport(
      options: options, rows: rows, total: total, pending: pending, budgets: try Budget.statuses(ledger: ledger))
    (report.malformedLines, report.newerLines, report.malformedCommits) = try ledger.store.malformedLines()
    return report
  }
}
