import Foundation
import GRDB

/// What a usage report groups by, as the cache's columns hold it.
enum UsageGroupColumn {
  case commit, branch, feature, model, user, agent, session
  /// Time, in slots of this many milliseconds (a report puts the slots in its days, weeks, months, cycles).
  case timeSlot(milliseconds: Int64)

  var sql: String {
    switch self {
    case .commit: return "commit_id"
    case .branch: return "branch"
    case .feature: return "feature"
    case .model: return "model"
    case .user: return "user"
    case .agent: return "agent"
    case .session: return "session"
    // Rounded down for times before 1970 too (SQLite's division rounds toward zero).
    case .timeSlot(let size): return "(at_ms - ((at_ms % \(size)) + \(size)) % \(size)) / \(size)"
    }
  }
}

/// One group of a usage report as SQLite sums it: costs as whole micro-dollars plus pico-dollar
/// remainders (64-bit sums that cannot overflow), the few costs with no exact pico value as text.
struct UsageGroupSums {
  /// The group's value: a name, or (time groups) a slot number.
  let name: String?
  let slot: Int64?
  let events: Int
  let tokens: TokenCounts
  let microDollars: Int64
  let picoRemainders: Int64
  let unpricedEvents: Int
  let unpricedTokens: Int
  /// Costs with no exact pico-dollar value, space-separated.
  let inexactCosts: String?
  let lastCommitTime: Int64
  let firstAtMs: Int64
  let lastAtMs: Int64
  /// For commit groups: the commit's subject.
  let summary: String?
}

/// One event line of a commit's note, as a report moves it onto another commit.
struct CachedLine {
  let event: String
  let tokens: TokenCounts
  let costPico: Int64?
  let cost: String?
}

extension LedgerStore {
  /// Calls `body` with each group's sums over the events counted once (not shadowed) in the period; commit
  /// groups come newest first.
  func forEachUsageGroup(
    _ column: UsageGroupColumn, since: Date?, until: Date?, _ body: (UsageGroupSums) throws -> Void
  ) throws {
    let byCommit: Bool
    if case .commit = column { byCommit = true } else { byCommit = false }
    try read { db in
      let (filter, arguments) = PeriodFilter.condition("shadowed = 0", since: since, until: until)
      let sql = """
        SELECT \(column.sql) AS grp, count(*), sum(tin), sum(tout), sum(cw5m), sum(cw1h), sum(cr),
          coalesce(sum(cost_pico % 1000000), 0),
          sum(cost IS NULL), sum(CASE WHEN cost IS NULL THEN tin + tout + cw5m + cw1h + cr ELSE 0 END),
          group_concat(CASE WHEN cost IS NOT NULL AND cost_pico IS NULL THEN cost END, ' '),
          max(commit_time), coalesce(sum(cost_pico / 1000000), 0), min(at_ms), max(at_ms)\(
            byCommit ? ", (SELECT summary FROM note_commit c WHERE c.commit_id = note_line.commit_id)" : "")
        FROM note_line WHERE \(filter) GROUP BY grp
        \(byCommit ? "ORDER BY max(commit_time) DESC, grp DESC" : "")
        """
      let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
      while let row = try rows.next() {
        let raw = row[0] as DatabaseValue
        try body(
          UsageGroupSums(
            name: String.fromDatabaseValue(raw), slot: Int64.fromDatabaseValue(raw), events: row[1],
            tokens: TokenCounts(
              input: row[2], output: row[3], cacheWrite5m: row[4], cacheWrite1h: row[5], cacheRead: row[6]),
            microDollars: row[12], picoRemainders: row[7], unpricedEvents: row[8], unpricedTokens: row[9],
            inexactCosts: row[10], lastCommitTime: row[11], firstAtMs: row[13], lastAtMs: row[14],
            summary: byCommit ? row[15] : nil))
      }
    }
  }

  /// The agent and the branch each session's requests name most often (the earliest named first on a tie),
  /// over the report's period. The requests of no session (`(none)`: recorded by hand, by several agents) name
  /// one only when they all name the same.
  func sessionAgentsAndBranches(since: Date?, until: Date?) throws -> [String: (agent: String?, branch: String?)] {
    try read { db in
      let (filter, arguments) = PeriodFilter.condition("shadowed = 0", since: since, until: until)
      typealias Named = (name: String, count: Int, first: Int64)
      var best: [String: (agent: Named?, branch: Named?)] = [:]
      var namesWithoutSession: [Bool: Set<String>] = [:]
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
        let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
        while let row = try rows.next() {
          let session: String = row[0]
          let key = session.isEmpty ? "(none)" : session
          let candidate: (name: String, count: Int, first: Int64) = (row[1], row[2], row[3])
          if session.isEmpty { namesWithoutSession[isAgent, default: []].insert(candidate.name) }
          var entry = best[key] ?? (nil, nil)
          if isAgent {
            if better(candidate, than: entry.agent) { entry.agent = candidate }
          } else if better(candidate, than: entry.branch) {
            entry.branch = candidate
          }
          best[key] = entry
        }
      }
      var named = best.mapValues { ($0.agent?.name, $0.branch?.name) }
      if let none = named["(none)"] {
        named["(none)"] = (
          (namesWithoutSession[true]?.count ?? 0) > 1 ? nil : none.0,
          (namesWithoutSession[false]?.count ?? 0) > 1 ? nil : none.1
        )
      }
      return named
    }
  }

  /// The lines of `commits`' notes in the period, each line's other holders (commit and commit time), and
  /// those holders' times and subjects: what a report needs to move the usage of commits no ref reaches.
  func linesAndHolders(ofCommits commits: [String], since: Date?, until: Date?) throws -> (
    lines: [CachedLine], holders: [String: [(commit: String, time: Int64)]],
    details: [String: (time: Int64, summary: String?)]
  ) {
    var lines: [CachedLine] = []
    var holders: [String: [(commit: String, time: Int64)]] = [:]
    var details: [String: (time: Int64, summary: String?)] = [:]
    try read { db in
      let (filter, period) = PeriodFilter.condition("shadowed = 0 AND commit_id = ?", since: since, until: until)
      let sql = "SELECT event_id, tin, tout, cw5m, cw1h, cr, cost_pico, cost FROM note_line WHERE \(filter)"
      let others = try db.makeStatement(
        sql: "SELECT commit_id, commit_time FROM note_line WHERE event_id = ? AND commit_id != ?")
      for commit in commits {
        let arguments: [DatabaseValueConvertible] = [commit] + period
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
        while let line = try cursor.next() {
          let event: String = line[0]
          lines.append(
            CachedLine(
              event: event,
              tokens: TokenCounts(
                input: line[1], output: line[2], cacheWrite5m: line[3], cacheWrite1h: line[4], cacheRead: line[5]),
              costPico: line[6], cost: line[7]))
          let copies = try Row.fetchAll(others, arguments: [event, commit])
          holders[event] = copies.map { copy -> (commit: String, time: Int64) in (copy[0], copy[1]) }
        }
      }
      let summary = try db.makeStatement(sql: "SELECT commit_time, summary FROM note_commit WHERE commit_id = ?")
      for commit in Set(holders.values.flatMap { $0.map(\.commit) }) {
        if let found = try Row.fetchOne(summary, arguments: [commit]) {
          let time: Int64 = found[0]
          let text: String? = found[1]
          details[commit] = (time, text)
        }
      }
    }
    return (lines, holders, details)
  }

  /// Which cached events a cost sum covers.
  enum CostScope {
    case branch(String), session(String), everything
  }

  /// The cost of the cached events counted once in `scope`: how many, whole micro-dollars and pico-dollar
  /// remainders, how many are unpriced, and the costs with no exact pico value.
  struct CostSums {
    var events = 0
    var microDollars: Int64 = 0
    var picoRemainders: Int64 = 0
    var unpricedEvents = 0
    var inexactCosts: String?
  }

  func costSums(of scope: CostScope) throws -> CostSums {
    let (condition, arguments): (String, [DatabaseValueConvertible]) =
      switch scope {
      case .branch(let branch): ("branch = ?", [branch])
      case .session(let session): ("session = ?", [session])
      case .everything: ("1", [])
      }
    let sql = """
      SELECT count(*), coalesce(sum(cost_pico / 1000000), 0), coalesce(sum(cost_pico % 1000000), 0), sum(cost IS NULL),
        group_concat(CASE WHEN cost IS NOT NULL AND cost_pico IS NULL THEN cost END, ' ')
      FROM note_line WHERE shadowed = 0 AND \(condition)
      """
    return try read { db in
      guard let row = try Row.fetchOne(db, sql: sql, arguments: StatementArguments(arguments)) else {
        return CostSums()
      }
      return CostSums(
        events: row[0], microDollars: row[1], picoRemainders: row[2], unpricedEvents: (row[3] as Int?) ?? 0,
        inexactCosts: row[4])
    }
  }
}
