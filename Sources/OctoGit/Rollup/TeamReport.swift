import Foundation

/// The rollup of a team database: the same rows, totals and formats as `octo-git rollup`, summed by
/// PostgreSQL (`GROUP BY` there, so it answers for the whole team in one query; see ``TeamUsageQuery``).
public struct TeamReport: Sendable {
  public let report: RollupReport
  /// The database's id (from `team init`).
  public let databaseID: String
  /// The database as messages name it (host, port, name).
  public let databaseName: String

  /// The report as a table, JSON (schema `octo-git.rollup/1`, with `team` naming the database and no local
  /// repositories), CSV or Markdown.
  public func render(_ format: RollupFormat, style: OutputStyle) throws -> String {
    switch format {
    case .html:
      throw OctoError("team reports come as table, json, csv or md", hint: "use --format table", status: .usage)
    case .json:
      guard case .object(var members) = report.json else { return CanonicalJSON.string(report.json) }
      members["team"] = .object(["database": .string(databaseID), "name": .string(databaseName)])
      return CanonicalJSON.string(.object(members))
    case .table where report.rows.isEmpty:
      let period = report.options.since != nil || report.options.until != nil ? " in that period" : ""
      return "no usage in the team database \(databaseName)\(period): run octo-git team push on each machine"
    default:
      return report.renderText(format, style: style)
    }
  }

  /// The rollup of the database's grouped `rows` for `options`: rows in the rollup's order (periods in
  /// order, then the most expensive first), totals exact.
  ///
  /// - Throws: ``OctoError`` (bad input) when a sum overflows 64 bits.
  static func rollup(_ rows: [TeamUsageQuery.Row], options: RollupOptions) throws -> RollupReport {
    var merged: [[String]: UsageTotals] = [:]
    var total = UsageTotals()
    for row in rows {
      var keys = row.keys
      // Stored normalised; normalised again in case an older octo-git pushed the row.
      if let position = options.dimensions.firstIndex(of: .model) {
        keys[position] = ModelName.normalise(keys[position])
      }
      var totals = UsageTotals()
      totals.add(
        events: row.events, tokens: row.tokens, microDollars: 0, picoDollars: 0, extraCosts: [try cost(row.cost)],
        unpriced: row.unpriced, unpricedTokens: row.unpricedTokens)
      try totals.checked("the team database's \(keys.joined(separator: ", "))", then: "octo-git team push")
      merged[keys, default: UsageTotals()].merge(totals)
      total.merge(totals)
    }
    try total.checked("the team database", then: "octo-git team push")
    return RollupReport(
      options: options, rows: RollupReport.ordered(merged, options: options), total: total, repositories: [])
  }

  /// A sum of costs as PostgreSQL writes a `numeric` (`12.340000`), in pico-dollars (0 when absent).
  ///
  /// - Throws: ``OctoError`` (bad input) when it is none octo-git's rows can sum to (`NaN`, past 2¹²⁷
  ///   pico-dollars): a row written by hand or damaged, never shown as $0.
  static func cost(_ text: String?) throws -> PicoDollars {
    guard let text, !text.isEmpty else { return .zero }
    guard let cost = PicoDollars(plain: text) else {
      throw OctoError.badInput(
        "the team database sums a cost octo-git cannot read (\(SafeText.terminal(String(text.prefix(40)))))",
        hint: "a row of octo.events was written by hand or damaged: look for a cost that is NaN, negative or over "
          + "$1,000,000,000 and mend or delete that row")
    }
    return cost
  }
}

extension TeamLedger {
  /// The rollup of every event in the team database, grouped and summed by the database.
  public func report(options: RollupOptions) throws -> TeamReport {
    let usage = try groupedUsage(TeamUsageQuery(options))
    let report = try TeamReport.rollup(usage.rows, options: options)
    return TeamReport(report: report, databaseID: usage.databaseID, databaseName: url.displayName)
  }
}

extension TeamUsageQuery {
  /// The query for a rollup's options: one group per dimension, in their order.
  init(_ options: RollupOptions) {
    let groups = options.dimensions.map { dimension -> Group in
      switch dimension {
      case .repo: return .project
      case .user: return .user
      case .agent: return .agent
      case .branch: return .branch
      case .feature: return .feature
      case .model: return .model
      case .day: return .day
      case .week: return .week
      case .month: return .month
      case .cycle: return .cycle
      }
    }
    self.init(
      groups: groups, since: options.since, until: options.until, timeZone: options.timeZone,
      cycleDay: options.cycleDay, projects: options.projects)
  }
}
