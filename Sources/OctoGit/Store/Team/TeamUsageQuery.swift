import Foundation

/// The rollup of a team database: the same rows, totals and formats as `octo-git rollup`, summed by
/// PostgreSQL (`GROUP BY` there, so it answers for the whole team in one query).
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
}

/// The report's query: one `GROUP BY` over `octo.events` (a second one over days when a period is asked
/// for: the day's label is computed once per day and group, not once per event).
enum TeamReportQuery {
  /// The SQL and its parameters for `options`; columns: one key per dimension, in order, then events, the
  /// five token classes, cost, unpriced events and their tokens.
  static func sql(_ options: RollupOptions) -> (sql: String, parameters: [String?]) {
    var parameters: [String?] = []
    func parameter(_ value: String, _ type: String) -> String {
      parameters.append(value)
      return "$\(parameters.count)::\(type)"
    }
    let wantsTime = options.dimensions.contains(where: \.isTime)
    var keys: [String] = []
    for dimension in options.dimensions where !dimension.isTime {
      switch dimension {
      case .repo: keys.append("e.project")
      case .user: keys.append("coalesce(e.user_name, '(unknown)')")
      case .agent: keys.append("coalesce(e.agent, '(unknown)')")
      case .branch: keys.append("coalesce(e.branch, '(detached)')")
      case .feature: keys.append("coalesce(e.feature, '(none)')")
      case .model: keys.append("e.model")
      case .day, .week, .month, .cycle: break
      }
    }
    if wantsTime { keys.append("(e.at AT TIME ZONE \(parameter(options.timeZone.identifier, "text")))::date") }
    var conditions: [String] = []
    if let since = options.since { conditions.append("e.at >= \(parameter(Timestamp.format(since), "timestamptz"))") }
    if let until = options.until { conditions.append("e.at < \(parameter(Timestamp.format(until), "timestamptz"))") }
    if !options.projects.isEmpty {
      conditions.append("e.project IN (\(options.projects.map { parameter($0, "text") }.joined(separator: ", ")))")
    }
    let sums = """
      count(*) AS events, sum(e.tin) AS tin, sum(e.tout) AS tout, sum(e.cw5m) AS cw5m, sum(e.cw1h) AS cw1h, \
      sum(e.cr) AS cr, sum(e.cost) AS cost, count(*) FILTER (WHERE e.cost IS NULL) AS unpriced, \
      sum(e.tin::numeric + e.tout + e.cw5m + e.cw1h + e.cr) FILTER (WHERE e.cost IS NULL) AS unpriced_tokens
      """
    let selected = keys.enumerated().map { "\($0.element) AS k\($0.offset)" } + [sums]
    var inner = "SELECT " + selected.joined(separator: ", ") + " FROM octo.events e"
    if !conditions.isEmpty { inner += " WHERE " + conditions.joined(separator: " AND ") }
    if !keys.isEmpty { inner += " GROUP BY " + (1...keys.count).map(String.init).joined(separator: ", ") }
    guard wantsTime else { return (inner, parameters) }
    // The day is the last inner key; the other keys keep their order.
    let day = "g.k\(keys.count - 1)"
    var outer: [String] = []
    var plain = 0
    for dimension in options.dimensions {
      switch dimension {
      case .day: outer.append("to_char(\(day), 'YYYY-MM-DD')")
      case .week: outer.append("to_char(\(day), 'IYYY-\"W\"IW')")
      case .month: outer.append("to_char(\(day), 'YYYY-MM')")
      case .cycle:
        let cycleDay = parameter(String(options.cycleDay), "integer")
        let start = "octo.cycle_start(\(day), \(cycleDay))"
        outer.append(
          "to_char(\(start), 'YYYY-MM-DD') || '..' || to_char(octo.cycle_end(\(start), \(cycleDay)), 'YYYY-MM-DD')")
      default:
        outer.append("g.k\(plain)")
        plain += 1
      }
    }
    outer += [
      "sum(g.events)", "sum(g.tin)", "sum(g.tout)", "sum(g.cw5m)", "sum(g.cw1h)", "sum(g.cr)", "sum(g.cost)",
      "sum(g.unpriced)", "sum(g.unpriced_tokens)",
    ]
    let sql =
      "SELECT " + outer.joined(separator: ", ") + " FROM (" + inner + ") g GROUP BY "
      + (1...options.dimensions.count).map(String.init).joined(separator: ", ")
    return (sql, parameters)
  }

  /// Runs the query and builds the report: rows in the rollup's order (periods in order, then the most
  /// expensive first), totals exact.
  static func run(_ options: RollupOptions, on connection: PostgresConnection) throws -> RollupReport {
    let (sql, parameters) = sql(options)
    let result = try connection.execute(sql, parameters)
    let width = options.dimensions.count
    var merged: [[String]: UsageTotals] = [:]
    var total = UsageTotals()
    for row in 0..<result.rowCount {
      var keys = (0..<width).map { result[row, $0] ?? "" }
      // Stored normalised; normalised again in case an older octo-git pushed the row.
      if let position = options.dimensions.firstIndex(of: .model) {
        keys[position] = ModelName.normalise(keys[position])
      }
      func number(_ column: Int) -> Int {
        result[row, width + column].flatMap { Int($0) } ?? (result[row, width + column] == nil ? 0 : Int.max)
      }
      var totals = UsageTotals()
      let cost = costParts(result[row, width + 6])
      totals.add(
        events: number(0),
        tokens: TokenCounts(
          input: number(1), output: number(2), cacheWrite5m: number(3), cacheWrite1h: number(4), cacheRead: number(5)),
        microDollars: 0, picoDollars: cost.pico, extraCosts: cost.extra, unpriced: number(7), unpricedTokens: number(8))
      try totals.checked("the team database's \(keys.joined(separator: ", "))")
      merged[keys, default: UsageTotals()].merge(totals)
      total.merge(totals)
    }
    let wantsTime = options.dimensions.contains(where: \.isTime)
    let rows = merged.map { RollupReport.Row(keys: $0.key, totals: $0.value) }.sorted { lhs, rhs in
      if wantsTime {
        let left = zip(options.dimensions, lhs.keys).filter { $0.0.isTime }.map(\.1)
        let right = zip(options.dimensions, rhs.keys).filter { $0.0.isTime }.map(\.1)
        if left != right { return left.lexicographicallyPrecedes(right) }
      }
      if lhs.totals.cost != rhs.totals.cost { return lhs.totals.cost > rhs.totals.cost }
      return lhs.keys.lexicographicallyPrecedes(rhs.keys)
    }
    return RollupReport(options: options, rows: rows, total: total, repositories: [])
  }

  /// A sum of costs as PostgreSQL writes a `numeric` (`12.340000`): whole pico-dollars when exact and in
  /// range, else an exact decimal.
  static func costParts(_ text: String?) -> (pico: Int64, extra: [Decimal]) {
    guard let text, !text.isEmpty else { return (0, []) }
    if text.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }),
      text.utf8.filter({ $0 == UInt8(ascii: ".") }).count <= 1, let pico = StoredUsageLine.picoDollars(text)
    {
      return (pico, [])
    }
    return (0, [Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? 0])
  }
}
