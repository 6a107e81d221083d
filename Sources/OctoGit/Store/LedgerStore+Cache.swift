import Foundation
import GRDB

extension LedgerStore {
  /// What a cache refresh did.
  public struct CacheRefresh: Equatable, Sendable {
    /// Commits whose notes were (re)read.
    public var commitsRead = 0
    /// Whether the cache was rebuilt from scratch.
    public var rebuilt = false
    /// Note lines that could not be read (counted, skipped).
    public var malformedLines = 0
  }

  /// Brings the cache up to date with the usage notes ref. When the ref has not moved this costs one
  /// ref read; when it has, only the notes that changed between the cached tip and the new one are read.
  @discardableResult
  public func refreshCache(from repository: Repository, ref: String = UsageNote.ref, rebuild: Bool = false) throws
    -> CacheRefresh
  {
    let cachedTip: String? = try read { db in
      try String.fetchOne(db, sql: "SELECT tip FROM notes_tip WHERE ref = ?", arguments: [ref])
    }
    guard let delta = try UsageNotesDelta.read(repository, ref: ref, since: cachedTip, rebuild: rebuild) else {
      return CacheRefresh()
    }
    var refresh = CacheRefresh()
    refresh.rebuilt = delta.rebuilt
    refresh.malformedLines = delta.malformedLines
    refresh.commitsRead = delta.notes.count
    let notes = delta.notes
    let removed = delta.removed
    let current = delta.tip

    try write { db in
      if refresh.rebuilt {
        try db.execute(sql: "DELETE FROM note_line; DELETE FROM note_commit")
      }
      try db.execute(
        sql: "CREATE TEMP TABLE IF NOT EXISTS touched_event (id TEXT PRIMARY KEY); DELETE FROM touched_event")
      let touch = try db.makeStatement(
        sql: "INSERT OR IGNORE INTO touched_event (id) SELECT event_id FROM note_line WHERE commit_id = ?")
      let deleteLines = try db.makeStatement(sql: "DELETE FROM note_line WHERE commit_id = ?")
      let deleteCommit = try db.makeStatement(sql: "DELETE FROM note_commit WHERE commit_id = ?")
      for commit in removed + notes.map(\.commit.hex) where !refresh.rebuilt {
        try touch.execute(arguments: [commit])
        try deleteLines.execute(arguments: [commit])
        try deleteCommit.execute(arguments: [commit])
      }
      let insertCommit = try db.makeStatement(
        sql:
          "INSERT OR REPLACE INTO note_commit (commit_id, commit_time, summary, malformed, newer) VALUES (?, ?, ?, ?, ?)"
      )
      let insertLine = try db.makeStatement(
        sql: """
          INSERT OR REPLACE INTO note_line (commit_id, event_id, commit_time, at_ms, agent, session, model,
            tin, tout, cw5m, cw1h, cr, cost, cost_pico, prices, user, machine, branch, feature)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      let touchEvent = try db.makeStatement(sql: "INSERT OR IGNORE INTO touched_event (id) VALUES (?)")
      for note in notes {
        let commit = note.commit.hex
        try insertCommit.execute(arguments: [commit, note.time, note.summary, note.unread.malformed, note.unread.newer])
        for event in delta.lines[note.lines] {
          let tokens = event.tokens
          try insertLine.execute(
            arguments: [
              commit, event.id, note.time, event.atMs, event.agent, event.session, event.model, tokens.input,
              tokens.output, tokens.cacheWrite5m, tokens.cacheWrite1h, tokens.cacheRead, event.costText, event.costPico,
              event.prices, event.user, event.machine, event.branch, event.feature,
            ])
          if !refresh.rebuilt { try touchEvent.execute(arguments: [event.id]) }
        }
      }
      // An event copied onto several commits (a rebased or amended commit keeps its old note) counts once:
      // on the newest commit holding it.
      let shadow = """
        UPDATE note_line SET shadowed = EXISTS (
          SELECT 1 FROM note_line AS other WHERE other.event_id = note_line.event_id
            AND (other.commit_time > note_line.commit_time
              OR (other.commit_time = note_line.commit_time AND other.commit_id > note_line.commit_id)))
        """
      if refresh.rebuilt {
        try db.execute(sql: shadow)
      } else {
        try db.execute(sql: shadow + " WHERE event_id IN (SELECT id FROM touched_event)")
      }
      if let current {
        try db.execute(
          sql: "INSERT OR REPLACE INTO notes_tip (ref, tip) VALUES (?, ?)", arguments: [ref, current.hex])
      } else {
        try db.execute(sql: "DELETE FROM notes_tip WHERE ref = ?", arguments: [ref])
      }
    }
    return refresh
  }

  /// Note lines of the cached notes that could not be read: how many (and how many of those are of a
  /// later format version), and the commits holding them (newest first, at most `limit`).
  public func malformedLines(limit: Int = 5) throws -> (count: Int, newer: Int, commits: [String]) {
    try read { db in
      let row = try Row.fetchOne(
        db, sql: "SELECT coalesce(sum(malformed), 0), coalesce(sum(newer), 0) FROM note_commit")
      let commits = try String.fetchAll(
        db, sql: "SELECT commit_id FROM note_commit WHERE malformed > 0 ORDER BY commit_time DESC LIMIT ?",
        arguments: [limit])
      return (row?[0] ?? 0, row?[1] ?? 0, commits)
    }
  }

  /// Calls `body` with the cost of each priced event in the notes, counted once (its exact text, its
  /// pico-dollars when exact, and its branch): what budgets add up.
  func forEachCommittedCost(_ body: (String?, Int64?, String?) throws -> Void) throws {
    try read { db in
      let rows = try Row.fetchCursor(
        db, sql: "SELECT cost, cost_pico, branch FROM note_line WHERE shadowed = 0 AND cost IS NOT NULL")
      while let row = try rows.next() { try body(row[0], row[1], row[2]) }
    }
  }
}
