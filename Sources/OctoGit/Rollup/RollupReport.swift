import Foundation
import GRDB

/// What a rollup groups by; several make one row per combination.
public enum RollupDimension: String, CaseIterable, Sendable {
  case repo, user, model, agent, branch, feature, day, week, month, cycle

  var isTime: Bool { [.day, .week, .month, .cycle].contains(self) }

  /// The event column it reads (time dimensions read the local day).
  var column: String? {
    switch self {
    case .repo: return "repo"
    case .user, .model, .agent, .branch, .feature: return rawValue
    default: return nil
    }
  }

  /// Parses `repo,model,month`.
  public static func parseList(_ text: String) throws -> [RollupDimension] {
    var dimensions: [RollupDimension] = []
    for part in text.split(separator: ",") {
      let name = part.trimmingCharacters(in: .whitespaces).lowercased()
      guard let dimension = RollupDimension(rawValue: name) else {
        throw OctoError(
          "cannot group by '\(name)'", hint: "use one or more of \(allCases.map(\.rawValue).joined(separator: ",")), comma-separated",
          status: .usage)
      }
      if !dimensions.contains(dimension) { dimensions.append(dimension) }
    }
    if dimensions.isEmpty { throw OctoError("--by names nothing", hint: "e.g. --by repo,month", status: .usage) }
    return dimensions
  }
}

/// The choices behind a rollup.
public struct RollupOptions: Sendable {
  public var dimensions: [RollupDimension]
  public var since: Date?
  /// Exclusive end.
  public var until: Date?
  public var timeZone: TimeZone
  public var cycleDay: Int
  /// Only these projects (empty: all).
  public var projects: [String]

  public init(
    dimensions: [RollupDimension] = [.repo], since: Date? = nil, until: Date? = nil, timeZone: TimeZone = .current,
    cycleDay: Int = 1, projects: [String] = []
  ) {
    self.dimensions = dimensions
    self.since = since
    self.until = until
    self.timeZone = timeZone
    self.cycleDay = cycleDay
    self.projects = projects
  }

  /// A stable text naming every choice (what a saved result is looked up by).
  var fingerprint: String {
    [
      dimensions.map(\.rawValue).joined(separator: ","), since.map(Timestamp.format) ?? "", until.map(Timestamp.format) ?? "",
      timeZone.identifier, String(cycleDay), projects.joined(separator: ","),
    ].joined(separator: "|")
  }
}

/// Cost across repositories, grouped as asked: one row per combination of keys, with exact totals.
public struct RollupReport: Sendable {
  public struct Row: Sendable {
    /// One key per dimension, in the options' order.
    public let keys: [String]
    public let totals: UsageTotals
  }

  public let options: RollupOptions
  public let rows: [Row]
  public let total: UsageTotals
  /// The repositories read, with what went wrong with each, if anything.
  public let repositories: [RollupStore.Entry]

  /// Sums the stored events as `options` say. SQLite sums each group by local day (the UTC offsets in
  /// force over the events' span are written into the query, so daylight-saving changes are exact); days
  /// are then put in their week, month or cycle here.
  public static func build(store: RollupStore, options: RollupOptions) throws -> RollupReport {
    let entries = try store.entries().filter { options.projects.isEmpty || options.projects.contains($0.project) }
    var groups: [[String]: UsageTotals] = [:]
    var total = UsageTotals()
    try store.read { db in
      let (filter, arguments) = PeriodFilter.condition("1", since: options.since, until: options.until)
      var columns = options.dimensions.compactMap(\.column)
      if options.dimensions.contains(where: \.isTime) {
        columns.append(try localDayExpression(db, timeZone: options.timeZone))
      }
      let groupBy = columns.isEmpty ? "" : "GROUP BY " + columns.indices.map { "g\($0)" }.joined(separator: ", ")
      let sql = """
        SELECT \(columns.enumerated().map { "\($0.element) AS g\($0.offset)" }.joined(separator: ", "))\(columns.isEmpty ? "" : ",")
          count(*), sum(tin), sum(tout), sum(cw5m), sum(cw1h), sum(cr),
          coalesce(sum(cost_pico / 1000000), 0), coalesce(sum(cost_pico % 1000000), 0),
          sum(cost IS NULL), sum(CASE WHEN cost IS NULL THEN tin + tout + cw5m + cw1h + cr ELSE 0 END),
          group_concat(CASE WHEN cost IS NOT NULL AND cost_pico IS NULL THEN cost END, ' ')
        FROM \(eventSource(entries)) WHERE \(filter) \(groupBy)
        """
      let projects = Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0.project) })
      var models: [String: String] = [:]
      var timeKeys: [Int: [String]] = [:]
      let cursor = try GRDB.Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
      let base = columns.count
      while let row = try cursor.next() {
        let count: Int = row[base]
        if count == 0 { continue }
        var keys: [String] = []
        var column = 0
        var dayKeys: [String]?
        for dimension in options.dimensions {
          if dimension.isTime {
            let dayNumber: Int = row[columns.count - 1]
            if dayKeys == nil {
              if timeKeys[dayNumber] == nil { timeKeys[dayNumber] = timeKeysOf(dayNumber, cycleDay: options.cycleDay) }
              dayKeys = timeKeys[dayNumber]
            }
            let position = [RollupDimension.day, .week, .month, .cycle].firstIndex(of: dimension)!
            keys.append(dayKeys![position])
            continue
          }
          if dimension == .repo {
            let id: Int64 = row[column]
            column += 1
            keys.append(projects[id] ?? "(unregistered)")
            continue
          }
          let raw: String? = row[column]
          column += 1
          switch dimension {
          case .model:
            let model = raw ?? ""
            if models[model] == nil { models[model] = ModelName.normalise(model) }
            keys.append(models[model]!)
          case .branch: keys.append(raw ?? "(detached)")
          case .feature: keys.append(raw ?? "(none)")
          default: keys.append(raw ?? "(unknown)")
          }
        }
        let extras = ((row[base + 10] as String?) ?? "").split(separator: " ").compactMap {
          Decimal(string: String($0), locale: Locale(identifier: "en_US_POSIX"))
        }
        let tokens = TokenCounts(
          input: row[base + 1], output: row[base + 2], cacheWrite5m: row[base + 3], cacheWrite1h: row[base + 4],
          cacheRead: row[base + 5])
        var totals = UsageTotals()
        totals.add(
          events: count, tokens: tokens, microDollars: row[base + 6], picoDollars: row[base + 7], extraCosts: extras,
          unpriced: row[base + 8], unpricedTokens: row[base + 9])
        groups[keys, default: UsageTotals()].merge(totals)
        total.merge(totals)
      }
    }
    let timed = options.dimensions.contains(where: \.isTime)
    let rows = groups.map { Row(keys: $0.key, totals: $0.value) }.sorted { lhs, rhs in
      if timed {
        // Periods in order; within one, the most expensive first.
        let left = zip(options.dimensions, lhs.keys).filter { $0.0.isTime }.map(\.1)
        let right = zip(options.dimensions, rhs.keys).filter { $0.0.isTime }.map(\.1)
        if left != right { return left.lexicographicallyPrecedes(right) }
      }
      if lhs.totals.cost != rhs.totals.cost { return lhs.totals.cost > rhs.totals.cost }
      return lhs.keys.lexicographicallyPrecedes(rhs.keys)
    }
    return RollupReport(options: options, rows: rows, total: total, repositories: entries)
  }

  /// Every period of `dimension` (a time dimension) from the first stored event's to the last one's, in
  /// order, empty ones included: what a chart over time needs.
  static func periods(store: RollupStore, options: RollupOptions, dimension: RollupDimension) throws -> [String] {
    guard let position = [RollupDimension.day, .week, .month, .cycle].firstIndex(of: dimension) else { return [] }
    let entries = try store.entries().filter { options.projects.isEmpty || options.projects.contains($0.project) }
    return try store.read { db in
      let (filter, arguments) = PeriodFilter.condition("1", since: options.since, until: options.until)
      let day = try localDayExpression(db, timeZone: options.timeZone)
      guard let span = try GRDB.Row.fetchOne(
        db, sql: "SELECT min(\(day)), max(\(day)) FROM \(eventSource(entries)) WHERE \(filter)", arguments: StatementArguments(arguments)),
        let first = span[0] as Int?, let last = span[1] as Int?, last - first < 40_000
      else { return [] }
      var keys: [String] = []
      for number in first...last {
        let key = timeKeysOf(number, cycleDay: options.cycleDay)[position]
        if keys.last != key { keys.append(key) }
      }
      return keys
    }
  }

  /// The events to sum, each counted once per project: a repository alone in its project is read as it
  /// is; clones of one project are merged by event id (the copy with the most output tokens wins).
  static func eventSource(_ entries: [RollupStore.Entry]) -> String {
    let columns = "at_ms, agent, model, user, branch, feature, tin, tout, cw5m, cw1h, cr, cost, cost_pico"
    let byProject = Dictionary(grouping: entries, by: \.project)
    let singles = byProject.values.filter { $0.count == 1 }.map { String($0[0].id) }
    let clones = byProject.values.filter { $0.count > 1 }
    var parts: [String] = []
    if !singles.isEmpty {
      parts.append("SELECT repo, \(columns) FROM event WHERE repo IN (\(singles.joined(separator: ",")))")
    }
    if !clones.isEmpty {
      let canonical = "CASE repo "
        + clones.flatMap { group in group.map { "WHEN \($0.id) THEN \(group[0].id)" } }.joined(separator: " ") + " END"
      let ids = clones.flatMap { $0.map { String($0.id) } }.joined(separator: ",")
      // SQLite takes the other columns from the row holding the maximum.
      parts.append(
        "SELECT \(canonical) AS repo, at_ms, agent, model, user, branch, feature, tin, max(tout) AS tout, cw5m, cw1h, cr, "
          + "cost, cost_pico FROM event WHERE repo IN (\(ids)) GROUP BY \(canonical), event_id")
    }
    if parts.isEmpty { return "(SELECT repo, \(columns) FROM event WHERE 0)" }
    return "(" + parts.joined(separator: " UNION ALL ") + ")"
  }

  /// `(at_ms + offset) / 86400000`: the local day number of each event, with the offsets in force over
  /// the stored events' span, newest first (most events are recent).
  static func localDayExpression(_ db: Database, timeZone: TimeZone) throws -> String {
    let span = try GRDB.Row.fetchOne(db, sql: "SELECT min(at_ms), max(at_ms) FROM event")
    let low: Int64 = span?[0] ?? 0
    let high: Int64 = span?[1] ?? 0
    let offsets = CalendarMath(timeZone: timeZone).offsets(
      from: Date(timeIntervalSince1970: Double(low) / 1000 - 86_400),
      to: Date(timeIntervalSince1970: Double(high) / 1000 + 86_400))
    let day = 86_400_000
    if offsets.count == 1 { return "((at_ms + \(offsets[0].offsetMs)) / \(day))" }
    var cases = "CASE"
    for (start, offset) in offsets.dropFirst().reversed() { cases += " WHEN at_ms >= \(start) THEN \(offset)" }
    cases += " ELSE \(offsets[0].offsetMs) END"
    return "((at_ms + \(cases)) / \(day))"
  }

  /// Day, ISO week, month and billing cycle of a local day number.
  static func timeKeysOf(_ dayNumber: Int, cycleDay: Int) -> [String] {
    let day = CalendarMath.civil(fromDays: dayNumber)
    let cycle = CalendarMath.cycle(of: day, startDay: cycleDay)
    return [
      day.text, CalendarMath.isoWeek(of: day), String(format: "%04d-%02d", day.year, day.month),
      "\(cycle.first.text)..\(cycle.last.text)",
    ]
  }
}
