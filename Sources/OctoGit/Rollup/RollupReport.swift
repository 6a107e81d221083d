import Foundation

/// What a rollup groups by; several make one row per combination.
public enum RollupDimension: String, CaseIterable, Sendable {
  case repo, user, model, agent, branch, feature, day, week, month, cycle

  /// Where a time dimension's key is in ``RollupReport/timeKeysOf(_:cycleDay:)``; `nil` for the others.
  var timePosition: Int? { [.day, .week, .month, .cycle].firstIndex(of: self) }
  var isTime: Bool { timePosition != nil }

  /// Parses `repo,model,month`.
  public static func parseList(_ text: String) throws -> [RollupDimension] {
    var dimensions: [RollupDimension] = []
    for part in text.split(separator: ",") {
      let name = part.trimmingCharacters(in: .whitespaces).lowercased()
      guard let dimension = RollupDimension(rawValue: name) else {
        throw OctoError(
          "cannot group by '\(name)'",
          hint: "use one or more of \(allCases.map(\.rawValue).joined(separator: ",")), comma-separated",
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
      dimensions.map(\.rawValue).joined(separator: ","), since.map(Timestamp.format) ?? "",
      until.map(Timestamp.format) ?? "",
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

  /// Sums `parts` as `options` say, each part on a thread of its own: each event's local day comes from
  /// the UTC offset in force at its time (daylight-saving changes exact), then its week, month or cycle.
  ///
  /// - Throws: ``OctoError`` (bad input) when a sum overflows 64 bits: no rollup prints a total that is not exact.
  static func build(_ parts: [RollupEvents], entries: [RollupStore.Entry], options: RollupOptions) throws
    -> RollupReport
  {
    let (since, until) = bounds(options)
    // Offsets are looked up from 1990 to twenty years from now (or the period asked for): that holds every
    // event an AI agent can have made; anything outside takes the nearest offset.
    let day = LocalDays(
      timeZone: options.timeZone,
      span: (max(since, 631_152_000_000), min(until, Int64((Date().timeIntervalSince1970 + 20 * 365 * 86_400) * 1000))))
    var merged: [[String]: UsageTotals] = [:]
    var total = UsageTotals()
    for sums in WorkerPool.map(parts, { sum($0, options: options, since: since, until: until, day: day) }) {
      for (keys, totals) in sums {
        merged[keys, default: UsageTotals()].merge(totals)
        total.merge(totals)
      }
    }
    // Sums saturate: when no total reached the end of 64 bits, no row did; one that did is named.
    if total.overflowed {
      let place =
        merged.first { $0.value.overflowed }.map { " (first in " + $0.key.joined(separator: ", ") + ")" } ?? ""
      try total.checked("the registered repositories" + SafeText.terminal(place))
    }
    return RollupReport(options: options, rows: ordered(merged, options: options), total: total, repositories: entries)
  }

  /// The rows of `merged` (totals by their keys) in the rollup's order: with a time dimension, periods in
  /// order and, within one, the most expensive first; else the most expensive first; ties by their keys.
  static func ordered(_ merged: [[String]: UsageTotals], options: RollupOptions) -> [Row] {
    let wantsTime = options.dimensions.contains(where: \.isTime)
    return merged.map { Row(keys: $0.key, totals: $0.value) }.sorted { lhs, rhs in
      if wantsTime {
        let left = zip(options.dimensions, lhs.keys).filter { $0.0.isTime }.map(\.1)
        let right = zip(options.dimensions, rhs.keys).filter { $0.0.isTime }.map(\.1)
        if left != right { return left.lexicographicallyPrecedes(right) }
      }
      if lhs.totals.cost != rhs.totals.cost { return lhs.totals.cost > rhs.totals.cost }
      return lhs.keys.lexicographicallyPrecedes(rhs.keys)
    }
  }

  /// One part's totals, keyed by the names of their groups.
  private static func sum(
    _ data: RollupEvents, options: RollupOptions, since: Int64, until: Int64, day: LocalDays
  ) -> [[String]: UsageTotals] {
    var names = KeyNames()
    var groupIndex: [GroupKey: Int] = [:]
    var totals: [UsageTotals] = []
    // Neighbouring events mostly fall in a group met just before: a few recent groups are compared before
    // the key is hashed (hashing a key for each of hundreds of thousands of events showed).
    var recent = Array(repeating: (key: GroupKey(), index: -1), count: 4)
    var nextRecent = 0
    let wantsTime = options.dimensions.contains(where: \.isTime)
    let projectKeys = data.projects.map { names.index($0.project, for: .repo) }
    let dimensions = Array(options.dimensions.enumerated())
    // Each part's strings numbered on its own thread.
    let strings = RollupEvents.Strings()
    data.forEach(numbering: strings) { project, event in
      guard event.atMs >= since && event.atMs < until else { return }
      var key = GroupKey()
      for (position, dimension) in dimensions {
        let value: Int32
        switch dimension {
        case .repo: value = projectKeys[project]
        case .user: value = names.index(number: event.user, in: strings, for: .user, missing: "(unknown)")
        case .agent: value = names.index(number: event.agent, in: strings, for: .agent, missing: "(unknown)")
        case .branch: value = names.index(number: event.branch, in: strings, for: .branch, missing: "(detached)")
        case .feature: value = names.index(number: event.feature, in: strings, for: .feature, missing: "(none)")
        case .model: value = names.index(number: event.model, in: strings, for: .model, missing: "")
        case .day, .week, .month, .cycle: value = 0
        }
        key.set(position, value)
      }
      if wantsTime { key.day = Int32(day.number(event.atMs)) }
      var index = recent.first { $0.index >= 0 && $0.key == key }?.index ?? -1
      if index < 0 {
        if let known = groupIndex[key] {
          index = known
        } else {
          index = totals.count
          groupIndex[key] = index
          totals.append(UsageTotals())
        }
        recent[nextRecent] = (key, index)
        nextRecent = (nextRecent + 1) % recent.count
      }
      totals[index].add(tokens: event.tokens, cost: event.cost)
    }
    var sums: [[String]: UsageTotals] = [:]
    var timeKeys: [Int32: [String]] = [:]
    for (key, index) in groupIndex {
      let totals = totals[index]
      var keys: [String] = []
      for (position, dimension) in options.dimensions.enumerated() {
        if dimension.isTime {
          if timeKeys[key.day] == nil { timeKeys[key.day] = timeKeysOf(Int(key.day), cycleDay: options.cycleDay) }
          keys.append(timeKeys[key.day]![dimension.timePosition!])
        } else {
          keys.append(names.name(key.get(position), for: dimension))
        }
      }
      sums[keys, default: UsageTotals()].merge(totals)
    }
    return sums
  }

  /// The period's bounds in milliseconds (exclusive end); without them, every event.
  static func bounds(_ options: RollupOptions) -> (Int64, Int64) {
    (
      options.since.map(Timestamp.milliseconds) ?? .min,
      options.until.map(Timestamp.milliseconds) ?? .max
    )
  }

  /// Every period of `dimension` (a time dimension) from the first event's to the last one's in the
  /// options' period, in order, empty ones included: what a chart over time needs.
  static func periods(_ parts: [RollupEvents], options: RollupOptions, dimension: RollupDimension) -> [String] {
    guard let position = dimension.timePosition else { return [] }
    let (since, until) = bounds(options)
    var low = Int64.max
    var high = Int64.min
    for data in parts {
      data.forEach(numbering: RollupEvents.Strings()) { _, event in
        guard event.atMs >= since && event.atMs < until else { return }
        low = min(low, event.atMs)
        high = max(high, event.atMs)
      }
    }
    guard low <= high else { return [] }
    let days = LocalDays(timeZone: options.timeZone, span: (low, high))
    let first = days.number(low)
    let last = days.number(high)
    guard last - first < 40_000 else { return [] }
    var keys: [String] = []
    for number in first...last {
      let key = timeKeysOf(number, cycleDay: options.cycleDay)[position]
      if keys.last != key { keys.append(key) }
    }
    return keys
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
