import Foundation
import GRDB

/// What a usage report groups by.
public enum ReportDimension: String, CaseIterable, Sendable {
  case commit, branch, feature, model, user, agent, session, day, week, month, cycle
}

/// The choices behind a usage report.
public struct ReportOptions: Sendable {
  public var dimension: ReportDimension
  public var since: Date?
  /// Exclusive end.
  public var until: Date?
  public var timeZone: TimeZone
  /// First day of a billing cycle (1–31; in shorter months a cycle starts on the month's last day).
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
    /// For `--by session`: when the session's first and last requests were made, and the agent and branch
    /// most of its requests name.
    public var session: SessionSpan? = nil
  }

  /// What a `--by session` row says besides its totals.
  public struct SessionSpan: Equatable, Sendable {
    public let start: Date
    public let end: Date
    public let agent: String?
    public let branch: String?
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
    case .session: column = "session"
    case .day, .week, .month, .cycle: column = "at_ms / \(slot)"
    }
    var groups: [String: UsageTotals] = [:]
    var commitRows: [Row] = []
    var commitTimes: [String: Int64] = [:]
    var total = UsageTotals()
    var normalisedModels: [String: String] = [:]
    var spans: [String: (start: Int64, end: Int64)] = [:]
    var sessionLabels: [String: (agent: String?, branch: String?)] = [:]
    try ledger.store.read { db in
      let (filter, arguments) = PeriodFilter.condition("shadowed = 0", since: options.since, until: options.until)
      let sql = """
        SELECT \(column) AS grp, count(*), sum(tin), sum(tout), sum(cw5m), sum(cw1h), sum(cr),
          coalesce(sum(cost_pico % 1000000), 0),
          sum(cost IS NULL), sum(CASE WHEN cost IS NULL THEN tin + tout + cw5m + cw1h + cr ELSE 0 END),
          group_concat(CASE WHEN cost IS NOT NULL AND cost_pico IS NULL THEN cost END, ' '),
          max(commit_time), coalesce(sum(cost_pico / 1000000), 0), min(at_ms), max(at_ms)\(
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
        case .session: key = String.fromDatabaseValue(raw).flatMap { $0.isEmpty ? nil : $0 } ?? "(none)"
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
        let tokens = TokenCounts(
          input: row[2], output: row[3], cacheWrite5m: row[4], cacheWrite1h: row[5], cacheRead: row[6])
        let (count, micro, pico, unpriced, unpricedTokens): (Int, Int64, Int64, Int, Int) = (
          row[1], row[12], row[7], row[8], row[9]
        )
        var totals = UsageTotals()
        totals.add(
          events: count, tokens: tokens, microDollars: micro, picoDollars: pico, extraCosts: extras, unpriced: unpriced,
          unpricedTokens: unpricedTokens)
        if options.dimension == .commit {
          // One SQL group per commit, already in order: no merging needed.
          commitRows.append(Row(key: key, detail: row[15], totals: totals))
          commitTimes[key] = row[11]
        } else {
          groups[key, default: UsageTotals()].merge(totals)
        }
        if options.dimension == .session {
          let (first, last): (Int64, Int64) = (row[13], row[14])
          let known = spans[key] ?? (first, last)
          spans[key] = (min(known.start, first), max(known.end, last))
        }
        total.add(
          events: count, tokens: tokens, microDollars: micro, picoDollars: pico, extraCosts: extras, unpriced: unpriced,
          unpricedTokens: unpricedTokens)
      }
      if options.dimension == .session {
        sessionLabels = try sessionAgentsAndBranches(db, filter: filter, arguments: arguments)
      }
    }
    try total.checked("this repository")
    var rows = commitRows
    switch options.dimension {
    case .commit:
      rows = try onReachableCommits(commitRows, times: commitTimes, ledger: ledger, options: options)
    case .day, .week, .month, .cycle:
      rows = groups.keys.sorted().map { Row(key: $0, detail: nil, totals: groups[$0]!) }
    case .session:
      // The latest session first, as an agent's own session list shows them.
      rows = groups.map { key, totals in
        let span = spans[key] ?? (0, 0)
        let label = sessionLabels[key]
        return Row(
          key: key, detail: nil, totals: totals,
          session: SessionSpan(
            start: Date(timeIntervalSince1970: Double(span.start) / 1000),
            end: Date(timeIntervalSince1970: Double(span.end) / 1000),
            agent: label?.agent, branch: label?.branch))
      }
      .sorted { ($0.session!.end, $0.key) > ($1.session!.end, $1.key) }
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

  /// The agent and the branch each session's requests name most often (the earliest named first on a tie),
  /// over the report's period.
  static func sessionAgentsAndBranches(_ db: Database, filter: String, arguments: [DatabaseValueConvertible]) throws
    -> [String: (agent: String?, branch: String?)]
  {
    var best:
      [String: (agent: (name: String, count: Int, first: Int64)?, branch: (name: String, count: Int, first: Int64)?)] =
        [:]
    func better(
      _ candidate: (name: String, count: Int, first: Int64), than current: (name: String, count: Int, first: Int64)?
    ) -> Bool {
      guard let current else { return true }
      return candidate.count > current.count || (candidate.count == current.count && candidate.first < current.first)
    }
    for (column, isAgent) in [("agent", true), ("branch", false)] {
      let sql = """
        SELECT coalesce(session, ''), \(column), count(*), min(at_ms) FROM note_line
        WHERE \(filter) AND \(column) IS NOT NULL GROUP BY session, \(column)
        """
      let rows = try GRDB.Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
      while let row = try rows.next() {
        let session: String = row[0]
        let key = session.isEmpty ? "(none)" : session
        let candidate: (name: String, count: Int, first: Int64) = (row[1], row[2], row[3])
        var entry = best[key] ?? (nil, nil)
        if isAgent {
          if better(candidate, than: entry.agent) { entry.agent = candidate }
        } else if better(candidate, than: entry.branch) {
          entry.branch = candidate
        }
        best[key] = entry
      }
    }
    return best.mapValues { ($0.agent?.name, $0.branch?.name) }
  }

  // MARK: - Reachable commits

  /// The `--by commit` key of usage held only by commits no branch, tag, remote-tracking branch or HEAD
  /// reaches (amended, rebased or reset away, or never fetched here).
  public static let unreachableKey = "(unreachable)"

  /// `--by commit` rows moved onto commits reachable from a ref: a row of a commit nothing reaches gives
  /// each of its events to the newest reachable commit whose note holds it too (an amended or rebased
  /// commit's note is copied to its replacement), else to the ``unreachableKey`` row, which comes last.
  /// Each event still counts once and the total does not change. Checking costs one history walk from the
  /// tips, over the time the report's commits span; when every commit is reachable nothing else is read.
  static func onReachableCommits(_ rows: [Row], times: [String: Int64], ledger: Ledger, options: ReportOptions) throws
    -> [Row]
  {
    var candidates: [Oid: Int64] = [:]
    for row in rows {
      if let id = Oid(hex: row.key) { candidates[id] = times[row.key] ?? 0 }
    }
    var reachable = try reachableCommits(candidates, in: ledger.repository, store: ledger.store)
    let stranded = rows.filter { row in Oid(hex: row.key).map { !reachable.contains($0) } ?? true }
    if stranded.isEmpty { return rows }

    struct Line {
      let event: String
      let tokens: TokenCounts
      let costPico: Int64?
      let cost: String?
    }
    var lines: [Line] = []
    var holders: [String: [(commit: String, time: Int64)]] = [:]
    var details: [String: (time: Int64, summary: String?)] = [:]
    try ledger.store.read { db in
      let (filter, period) = PeriodFilter.condition(
        "shadowed = 0 AND commit_id = ?", since: options.since, until: options.until)
      let sql = "SELECT event_id, tin, tout, cw5m, cw1h, cr, cost_pico, cost FROM note_line WHERE \(filter)"
      let others = try db.makeStatement(
        sql: "SELECT commit_id, commit_time FROM note_line WHERE event_id = ? AND commit_id != ?")
      for row in stranded {
        let arguments: [DatabaseValueConvertible] = [row.key] + period
        let cursor = try GRDB.Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
        while let line = try cursor.next() {
          let event: String = line[0]
          lines.append(
            Line(
              event: event,
              tokens: TokenCounts(
                input: line[1], output: line[2], cacheWrite5m: line[3], cacheWrite1h: line[4], cacheRead: line[5]),
              costPico: line[6], cost: line[7]))
          let copies = try GRDB.Row.fetchAll(others, arguments: [event, row.key])
          holders[event] = copies.map { copy -> (commit: String, time: Int64) in (copy[0], copy[1]) }
        }
      }
      let summary = try db.makeStatement(sql: "SELECT commit_time, summary FROM note_commit WHERE commit_id = ?")
      for commit in Set(holders.values.flatMap { $0.map(\.commit) }) {
        if let found = try GRDB.Row.fetchOne(summary, arguments: [commit]) {
          let time: Int64 = found[0]
          let text: String? = found[1]
          details[commit] = (time, text)
        }
      }
    }
    // The other holders not checked yet (a replacement's line was shadowed by the original's).
    var more: [Oid: Int64] = [:]
    for copies in holders.values {
      for copy in copies {
        if let id = Oid(hex: copy.commit), candidates[id] == nil { more[id] = copy.time }
      }
    }
    reachable.formUnion(try reachableCommits(more, in: ledger.repository, store: ledger.store))

    let strandedKeys = Set(stranded.map(\.key))
    var kept: [String: (totals: UsageTotals, detail: String?, time: Int64)] = [:]
    for row in rows where !strandedKeys.contains(row.key) {
      kept[row.key] = (row.totals, row.detail, times[row.key] ?? 0)
    }
    var unreachable = UsageTotals()
    for line in lines {
      let best = (holders[line.event] ?? [])
        .filter { holder in Oid(hex: holder.commit).map { reachable.contains($0) } ?? false }
        .max { ($0.time, $0.commit) < ($1.time, $1.commit) }
      guard let best else {
        unreachable.add(tokens: line.tokens, costPico: line.costPico, costText: line.cost)
        continue
      }
      var entry =
        kept[best.commit] ?? (UsageTotals(), details[best.commit]?.summary, details[best.commit]?.time ?? best.time)
      entry.totals.add(tokens: line.tokens, costPico: line.costPico, costText: line.cost)
      kept[best.commit] = entry
    }
    var result = kept.sorted { ($0.value.time, $0.key) > ($1.value.time, $1.key) }
      .map { Row(key: $0.key, detail: $0.value.detail, totals: $0.value.totals) }
    if unreachable.events > 0 {
      result.append(
        Row(
          key: unreachableKey, detail: "on no branch, tag or remote (amended, rebased or reset away)",
          totals: unreachable))
    }
    return result
  }

  /// Which of `candidates` (commit → committer time, in seconds) HEAD or a ref under `refs/heads`,
  /// `refs/remotes` or `refs/tags` reaches.
  ///
  /// One walk from those tips, newest first, that ends when every candidate is found, or when it has gone a
  /// day (for clock skew) below the oldest candidate not found yet: it reads the history the candidates
  /// span, not all of it.
  ///
  /// What a walk found is kept in the store with the tips it started from: while no tip moved, a commit
  /// found before is reachable still, and a report whose commits were all found costs no walk.
  static func reachableCommits(_ candidates: [Oid: Int64], in repository: Repository, store: LedgerStore? = nil)
    throws -> Set<Oid>
  {
    guard !candidates.isEmpty else { return [] }
    let walk = try RevWalk(repository, order: .time)
    var tips: [Oid] = []
    if let head = try? repository.headCommit(), (try? walk.include(head)) != nil { tips.append(head) }
    for pattern in ["refs/heads/*", "refs/remotes/*", "refs/tags/*"] {
      // A tag of a tree or blob is no commit to start from: skipped.
      for reference in (try? repository.references(matching: pattern)) ?? []
      where (try? walk.include(reference.target)) != nil {
        tips.append(reference.target)
      }
    }
    guard !tips.isEmpty else { return [] }
    var fingerprint = StableHash()
    for tip in tips.map(\.hex).sorted() { fingerprint.combine(tip.utf8) }
    let known = (try? store?.reachableCommits(tips: fingerprint.hex)) ?? nil
    if let known {
      let seen = Set(candidates.keys.filter { known.contains($0.hex) })
      if seen.count == candidates.count { return seen }
    }
    let found = walkForReachable(candidates, walk: walk, repository: repository)
    try? store?.saveReachableCommits(found.map(\.hex), tips: fingerprint.hex, replacing: known == nil)
    return found
  }

  /// The walk of ``reachableCommits(_:in:store:)``.
  private static func walkForReachable(_ candidates: [Oid: Int64], walk: RevWalk, repository: Repository) -> Set<Oid> {
    let oldestFirst = candidates.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
    let slack: Int64 = 86_400
    var found = Set<Oid>()
    var oldestUnfound = 0
    var steps = 0
    while found.count < candidates.count, let id = walk.next() {
      if candidates[id] != nil { found.insert(id) }
      steps += 1
      guard steps % 64 == 0 else { continue }
      while oldestUnfound < oldestFirst.count, found.contains(oldestFirst[oldestUnfound].key) { oldestUnfound += 1 }
      guard oldestUnfound < oldestFirst.count else { break }
      if let time = try? repository.commit(id).committer.time,
        Int64(time.timeIntervalSince1970) < oldestFirst[oldestUnfound].value - slack
      {
        break
      }
    }
    return found
  }
}
