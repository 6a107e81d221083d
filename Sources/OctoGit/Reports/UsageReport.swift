import Foundation

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
    PhaseTimings.start()
    defer {
      PhaseTimings.mark("report")
      PhaseTimings.report()
    }
    try ledger.store.refreshCache(from: ledger.repository)
    PhaseTimings.mark("cache")
    if options.dimension == .commit { try ledger.store.describeCommits(from: ledger.repository) }
    let calendar = CalendarMath(timeZone: options.timeZone)
    // Events are summed in 15-minute slots, each then put in its local day: every UTC offset in use today is
    // a multiple of 15 minutes. Where the zone had another in the events' time (local mean times, Liberia
    // until 1972), the sums are made again in slots every offset and change of offset is a multiple of.
    var slot: Int64 = 15 * 60 * 1000
    func column() -> UsageGroupColumn {
      switch options.dimension {
      case .commit: return .commit
      case .branch: return .branch
      case .feature: return .feature
      case .model: return .model
      case .user: return .user
      case .agent: return .agent
      case .session: return .session
      case .day, .week, .month, .cycle: return .timeSlot(milliseconds: slot)
      }
    }
    var groups: [String: UsageTotals] = [:]
    var commitRows: [Row] = []
    var commitTimes: [String: Int64] = [:]
    var total = UsageTotals()
    var normalisedModels: [String: String] = [:]
    var spans: [String: (start: Int64, end: Int64)] = [:]
    var sessionLabels: [String: (agent: String?, branch: String?)] = [:]
    var (earliest, latest) = (Int64.max, Int64.min)
    func collect() throws {
      (groups, commitRows, commitTimes, total, spans) = ([:], [], [:], UsageTotals(), [:])
      try ledger.store.forEachUsageGroup(column(), since: options.since, until: options.until) { row in
        earliest = min(earliest, row.firstAtMs)
        latest = max(latest, row.lastAtMs)
        try add(row)
      }
    }
    func add(_ row: UsageGroupSums) throws {
      let key: String
      switch options.dimension {
      case .commit:
        key = row.name ?? ""
      case .branch: key = row.name ?? "(detached)"
      case .feature: key = row.name ?? "(none)"
      case .user, .agent: key = row.name ?? "(unknown)"
      case .session: key = row.name.flatMap { $0.isEmpty ? nil : $0 } ?? "(none)"
      case .model:
        let model = row.name ?? ""
        if normalisedModels[model] == nil { normalisedModels[model] = ModelName.normalise(model) }
        key = normalisedModels[model]!
      case .day, .week, .month, .cycle:
        let date = Date(timeIntervalSince1970: Double((row.slot ?? 0) * slot) / 1000)
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
      let extras = PicoDollars.cachedExtras(row.inexactCosts)
      let tokens = row.tokens
      let (count, micro, pico, unpriced, unpricedTokens) = (
        row.events, row.microDollars, row.picoRemainders, row.unpricedEvents, row.unpricedTokens
      )
      var totals = UsageTotals()
      totals.add(
        events: count, tokens: tokens, microDollars: micro, picoDollars: pico, extraCosts: extras, unpriced: unpriced,
        unpricedTokens: unpricedTokens)
      if options.dimension == .commit {
        // One SQL group per commit, already in order: no merging needed.
        commitRows.append(Row(key: key, detail: row.summary, totals: totals))
        commitTimes[key] = row.lastCommitTime
      } else {
        groups[key, default: UsageTotals()].merge(totals)
      }
      if options.dimension == .session {
        let (first, last) = (row.firstAtMs, row.lastAtMs)
        let known = spans[key] ?? (first, last)
        spans[key] = (min(known.start, first), max(known.end, last))
      }
      total.add(
        events: count, tokens: tokens, microDollars: micro, picoDollars: pico, extraCosts: extras, unpriced: unpriced,
        unpricedTokens: unpricedTokens)
    }
    try collect()
    if case .timeSlot = column(), earliest <= latest {
      let offsets = calendar.offsets(
        from: Date(timeIntervalSince1970: Double(earliest) / 1000),
        to: Date(timeIntervalSince1970: Double(latest) / 1000 + 1))
      // The first offset starts at the earliest event; each later one at a change of offset (whole seconds).
      func divisor(_ one: Int64, _ other: Int64) -> Int64 { other == 0 ? one : divisor(other, one % other) }
      var fitting = slot
      for offset in offsets { fitting = divisor(fitting, abs(offset.offsetMs)) }
      for change in offsets.dropFirst() { fitting = divisor(fitting, abs(change.startMs % slot)) }
      if fitting != slot {
        slot = max(fitting, 1000)
        try collect()
      }
    }
    if options.dimension == .session {
      sessionLabels = try ledger.store.sessionAgentsAndBranches(since: options.since, until: options.until)
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

    let found = try ledger.store.linesAndHolders(
      ofCommits: stranded.map(\.key), since: options.since, until: options.until)
    let (lines, holders, details) = (found.lines, found.holders, found.details)
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
        unreachable.add(tokens: line.tokens, cost: PicoDollars(cachedPico: line.costPico, text: line.cost))
        continue
      }
      var entry =
        kept[best.commit] ?? (UsageTotals(), details[best.commit]?.summary, details[best.commit]?.time ?? best.time)
      entry.totals.add(tokens: line.tokens, cost: PicoDollars(cachedPico: line.costPico, text: line.cost))
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
