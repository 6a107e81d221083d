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

  /// Builds the report from the cache (refreshed first, so it always matches the notes).
  public static func build(ledger: Ledger, options: ReportOptions) throws -> UsageReport {
    try ledger.store.refreshCache(from: ledger.repository)
    let calendar = CalendarMath(timeZone: options.timeZone)
    var groups: [String: UsageTotals] = [:]
    var details: [String: String] = [:]
    var order: [String: Int64] = [:]
    var total = UsageTotals()
    try ledger.store.read { db in
      var sql = """
        SELECT l.commit_id, l.commit_time, l.at_ms, l.agent, l.model, l.tin, l.tout, l.cw5m, l.cw1h, l.cr,
          l.cost, l.cost_pico, l.user, l.branch, l.feature, c.summary
        FROM note_line l LEFT JOIN note_commit c ON c.commit_id = l.commit_id
        WHERE l.shadowed = 0
        """
      var arguments: [DatabaseValueConvertible] = []
      if let since = options.since {
        sql += " AND l.at_ms >= ?"
        arguments.append(Int64(since.timeIntervalSince1970 * 1000))
      }
      if let until = options.until {
        sql += " AND l.at_ms < ?"
        arguments.append(Int64(until.timeIntervalSince1970 * 1000))
      }
      let rows = try GRDB.Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
      while let row = try rows.next() {
        let atMilliseconds: Int64 = row[2]
        let date = Date(timeIntervalSince1970: Double(atMilliseconds) / 1000)
        let key: String
        switch options.dimension {
        case .commit:
          key = row[0]
          if details[key] == nil { details[key] = row[15] }
          order[key] = row[1]
        case .branch: key = (row[13] as String?) ?? "(detached)"
        case .feature: key = (row[14] as String?) ?? "(none)"
        case .model: key = ModelName.normalise(row[4])
        case .user: key = (row[12] as String?) ?? "(unknown)"
        case .agent: key = (row[3] as String?) ?? "(unknown)"
        case .day: key = calendar.day(of: date).text
        case .week: key = calendar.isoWeek(of: date)
        case .month: key = calendar.month(of: date)
        case .cycle:
          let cycle = calendar.cycle(of: date, startDay: options.cycleDay)
          key = "\(cycle.first.text)..\(cycle.last.text)"
        }
        let tokens = TokenCounts(input: row[5], output: row[6], cacheWrite5m: row[7], cacheWrite1h: row[8], cacheRead: row[9])
        groups[key, default: UsageTotals()].add(tokens: tokens, costPico: row[11], costText: row[10])
        total.add(tokens: tokens, costPico: row[11], costText: row[10])
      }
    }
    let keys: [String]
    switch options.dimension {
    case .commit: keys = groups.keys.sorted { (order[$0] ?? 0, $0) > (order[$1] ?? 0, $1) }
    case .day, .week, .month, .cycle: keys = groups.keys.sorted()
    default: keys = groups.keys.sorted { (groups[$0]!.cost, $1) > (groups[$1]!.cost, $0) }
    }
    var pending = UsageTotals()
    for item in try ledger.store.pending() { pending.add(item.event) }
    return UsageReport(
      options: options, rows: keys.map { Row(key: $0, detail: details[$0], totals: groups[$0]!) }, total: total,
      pending: pending, budgets: try Budget.statuses(ledger: ledger))
  }
}
