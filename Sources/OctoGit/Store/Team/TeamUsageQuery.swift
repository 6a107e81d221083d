import Foundation

/// What a team report asks the database: the usage events of a period and of some projects, grouped by some
/// of their columns and summed by PostgreSQL (`GROUP BY` there, so it answers for the whole team in one
/// query; a second one over days when a period is asked for: the day's label is computed once per day and
/// group, not once per event). The rollup makes its report of the rows (``TeamReport``).
struct TeamUsageQuery {
  /// What rows are grouped by: a column of `octo.events`, or the local day of an event as a day, an ISO
  /// week, a month or a billing cycle.
  enum Group: Equatable {
    case project, user, agent, branch, feature, model, day, week, month, cycle

    var isTime: Bool { self == .day || self == .week || self == .month || self == .cycle }
  }

  /// One row of the result: its keys, then its sums as the database wrote them.
  struct Row {
    /// One key per group, in the query's order: a missing user or agent is `(unknown)`, a missing branch
    /// `(detached)`, a missing feature `(none)`.
    var keys: [String]
    var events: Int
    var tokens: TokenCounts
    /// The summed cost as PostgreSQL writes a `numeric` (`12.340000`); `nil` when no event had a cost.
    var cost: String?
    /// Events without a cost, and their tokens.
    var unpriced: Int
    var unpricedTokens: Int
  }

  /// One key per group, in order.
  var groups: [Group]
  var since: Date?
  /// Exclusive end.
  var until: Date?
  /// The zone local days are counted in.
  var timeZone: TimeZone
  /// The day of the month billing cycles start on.
  var cycleDay: Int
  /// Only these projects (empty: all).
  var projects: [String]

  /// The SQL and its parameters; columns: one key per group, in order, then events, the five token classes,
  /// cost, unpriced events and their tokens.
  func sql() -> (sql: String, parameters: [String?]) {
    var parameters: [String?] = []
    func parameter(_ value: String, _ type: String) -> String {
      parameters.append(value)
      return "$\(parameters.count)::\(type)"
    }
    let wantsTime = groups.contains(where: \.isTime)
    var keys: [String] = []
    for group in groups where !group.isTime {
      switch group {
      case .project: keys.append("e.project")
      case .user: keys.append("coalesce(e.user_name, '(unknown)')")
      case .agent: keys.append("coalesce(e.agent, '(unknown)')")
      case .branch: keys.append("coalesce(e.branch, '(detached)')")
      case .feature: keys.append("coalesce(e.feature, '(none)')")
      case .model: keys.append("e.model")
      case .day, .week, .month, .cycle: break
      }
    }
    if wantsTime {
      keys.append("(e.at AT TIME ZONE \(parameter(Self.postgresZoneName(timeZone.identifier), "text")))::date")
    }
    var conditions: [String] = []
    if let since { conditions.append("e.at >= \(parameter(Timestamp.format(since), "timestamptz"))") }
    if let until { conditions.append("e.at < \(parameter(Timestamp.format(until), "timestamptz"))") }
    if !projects.isEmpty {
      conditions.append("e.project IN (\(projects.map { parameter($0, "text") }.joined(separator: ", ")))")
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
    for group in groups {
      switch group {
      case .day: outer.append("to_char(\(day), 'YYYY-MM-DD')")
      case .week: outer.append("to_char(\(day), 'IYYY-\"W\"IW')")
      case .month: outer.append("to_char(\(day), 'YYYY-MM')")
      case .cycle:
        let cycle = parameter(String(cycleDay), "integer")
        let start = "octo.cycle_start(\(day), \(cycle))"
        outer.append(
          "to_char(\(start), 'YYYY-MM-DD') || '..' || to_char(octo.cycle_end(\(start), \(cycle)), 'YYYY-MM-DD')")
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
      + (1...groups.count).map(String.init).joined(separator: ", ")
    return (sql, parameters)
  }

  /// Runs the query: its rows in the database's order. A count too large for 64 bits reads as `Int.max`
  /// (summing it then overflows, which the report refuses), a missing one as 0.
  func run(on connection: PostgresConnection) throws -> [Row] {
    let statement = sql()
    let result = try connection.execute(statement.sql, statement.parameters)
    let width = groups.count
    var rows: [Row] = []
    rows.reserveCapacity(result.rowCount)
    for row in 0..<result.rowCount {
      func number(_ column: Int) -> Int {
        result[row, width + column].flatMap { Int($0) } ?? (result[row, width + column] == nil ? 0 : Int.max)
      }
      rows.append(
        Row(
          keys: (0..<width).map { result[row, $0] ?? "" }, events: number(0),
          tokens: TokenCounts(
            input: number(1), output: number(2), cacheWrite5m: number(3), cacheWrite1h: number(4),
            cacheRead: number(5)),
          cost: result[row, width + 6], unpriced: number(7), unpricedTokens: number(8)))
    }
    return rows
  }

  /// The zone as PostgreSQL must be told it. PostgreSQL reads a name it knows as an abbreviation before it
  /// looks for a zone of that name: `CET` would be a fixed UTC+1 all year, where the zone (and the local
  /// rollup) has summer time. These zones are named by the region zone the time zone database links them
  /// to; the abbreviations of fixed offsets (`EST`, `MST`, `HST`) mean the same either way.
  ///
  /// A fixed offset (`UTC+3`, `GMT+0530`) is east of Greenwich to octo-git (the sign of ISO 8601, as the
  /// local rollup reads it) and west to PostgreSQL (POSIX's sign): it goes as a POSIX zone with its sign
  /// turned (`<+03>-03:00`), which both read as the same offset.
  static func postgresZoneName(_ name: String) -> String {
    let identifier = TimeZone(identifier: name)?.identifier ?? name
    switch identifier {
    case "CET", "MET": return "Europe/Brussels"
    case "EET": return "Europe/Athens"
    case "WET": return "Europe/Lisbon"
    case _ where identifier.hasPrefix("GMT+") || identifier.hasPrefix("GMT-"):
      guard let offset = TimeZone(identifier: identifier)?.secondsFromGMT() else { return identifier }
      let minutes = abs(offset) / 60
      let clock = String(format: "%02d%02d", minutes / 60, minutes % 60)
      let posix = String(format: "%02d:%02d", minutes / 60, minutes % 60)
      return offset >= 0 ? "<+\(clock)>-\(posix)" : "<-\(clock)>+\(posix)"
    default: return identifier
    }
  }
}
