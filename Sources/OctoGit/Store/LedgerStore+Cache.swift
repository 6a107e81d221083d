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
    let current = try repository.reference(ref)?.target
    if !rebuild, cachedTip == current?.hex, cachedTip != nil || current == nil { return CacheRefresh() }
    let cachedTipKnown = cachedTip.flatMap(Oid.init(hex:)).map(repository.objectExists) ?? false
    if let current, rebuild || !cachedTipKnown {
      // `cache rebuild` times its phases itself; a report's first read is timed with the report's.
      if rebuild { PhaseTimings.start() }
      defer { if rebuild { PhaseTimings.report() } }
      return try readingNotes(of: ref) { try rebuildCache(from: repository, tip: current, ref: ref) }
    }
    let delta: UsageNotesDelta?
    do {
      delta = try UsageNotesDelta.read(repository, ref: ref, since: cachedTip, rebuild: rebuild)
    } catch let error where error is GitError || error is UsageNotesDelta.FullReadNeeded {
      // The change could not be read note by note (too large, or a crafted tree libgit2 refuses): every
      // note is read again, with the full read's own rules.
      guard let current else { throw error }
      return try readingNotes(of: ref) { try rebuildCache(from: repository, tip: current, ref: ref) }
    }
    guard let delta else { return CacheRefresh() }
    var refresh = CacheRefresh()
    refresh.rebuilt = delta.rebuilt
    refresh.malformedLines = delta.malformedLines
    refresh.commitsRead = delta.notes.count
    try write { db in
      try db.execute(
        sql: "CREATE TEMP TABLE IF NOT EXISTS touched_event (id TEXT PRIMARY KEY); DELETE FROM touched_event")
      if delta.rebuilt {
        try db.execute(sql: "DELETE FROM note_line; DELETE FROM note_commit")
      } else {
        let touch = try db.makeStatement(
          sql: "INSERT OR IGNORE INTO touched_event (id) SELECT event_id FROM note_line WHERE commit_id = ?")
        let deleteLines = try db.makeStatement(sql: "DELETE FROM note_line WHERE commit_id = ?")
        let deleteCommit = try db.makeStatement(sql: "DELETE FROM note_commit WHERE commit_id = ?")
        for commit in delta.removed + delta.notes.map(\.commit.hex) {
          try touch.execute(arguments: [commit])
          try deleteLines.execute(arguments: [commit])
          try deleteCommit.execute(arguments: [commit])
        }
      }
      try insert(delta, into: db)
      try settle(in: db, from: repository, ref: ref, tip: delta.tip)
      // Notes read one by one are described as read: every commit described before still is.
      if let tip = delta.tip, cachedTip != nil, !delta.notes.contains(where: { !$0.described }),
        try String.fetchOne(db, sql: "SELECT tip FROM notes_tip WHERE ref = ?", arguments: [Self.describedKey])
          == cachedTip
      {
        try db.execute(
          sql: "INSERT OR REPLACE INTO notes_tip (ref, tip) VALUES (?, ?)", arguments: [Self.describedKey, tip.hex])
      }
    }
    return refresh
  }

  /// Runs `read` on the notes of `ref`. A notes ref is fetched from others and may hold anything (a tree, a
  /// blob, a damaged notes tree): git's failure to read it becomes one line naming the ref and what to do.
  private func readingNotes<T>(of ref: String, _ read: () throws -> T) throws -> T {
    do {
      return try read()
    } catch let error as GitError {
      throw OctoError(
        "\(ref) cannot be read as notes (\(error.message))",
        hint: "see what it holds with git log \(ref); if it is not notes, remove it with git update-ref -d \(ref)")
    }
  }

  /// Reads every note of `tip` again into an emptied cache, writing each part as it is read (the reading
  /// goes on on another thread) and building the indexes once at the end.
  private func rebuildCache(from repository: Repository, tip: Oid, ref: String) throws -> CacheRefresh {
    var refresh = CacheRefresh()
    refresh.rebuilt = true
    try write { db in
      try db.execute(
        sql: """
          CREATE TEMP TABLE IF NOT EXISTS touched_event (id TEXT PRIMARY KEY); DELETE FROM touched_event;
          DROP INDEX IF EXISTS note_line_key; DROP INDEX IF EXISTS note_line_event;
          DROP INDEX IF EXISTS note_commit_key;
          DELETE FROM note_line; DELETE FROM note_commit
          """)
      // The same tip may come back: the commits are to be described again all the same.
      try db.execute(sql: "DELETE FROM notes_tip WHERE ref = ?", arguments: [Self.describedKey])
      try UsageNotesDelta.readAll(repository, tip: tip) { part in
        try insert(part, into: db)
        refresh.commitsRead += part.notes.count
        refresh.malformedLines += part.malformedLines
      }
      PhaseTimings.mark("read and insert")
      try db.execute(
        sql: """
          CREATE UNIQUE INDEX note_line_key ON note_line(commit_id, event_id);
          CREATE INDEX note_line_event ON note_line(event_id);
          CREATE UNIQUE INDEX note_commit_key ON note_commit(commit_id);
          INSERT INTO touched_event (id) SELECT event_id FROM note_line GROUP BY event_id HAVING count(*) > 1
          """)
      PhaseTimings.mark("indexes")
      try settle(in: db, from: repository, ref: ref, tip: tip)
      PhaseTimings.mark("settle")
    }
    PhaseTimings.mark("commit")
    return refresh
  }

  /// Finishes a refresh: an event copied onto several commits (a rebased or amended commit keeps its old
  /// note) counts once: its best copy (``EventCopy``), of equal copies the one on the newest commit (so the
  /// times of the commits holding the events touched must be known), and the cache records the notes tip it
  /// now matches.
  private func settle(in db: Database, from repository: Repository, ref: String, tip: Oid?) throws {
    try describeCommits(
      in: db, from: repository,
      holding: "SELECT commit_id FROM note_line WHERE event_id IN (SELECT id FROM touched_event)")
    try describeCommits(in: db, from: repository, holding: "SELECT commit_id FROM note_commit WHERE malformed > 0")
    // Each touched event's lines ranked once (an event on thousands of notes, as a crafted notes tree can
    // give it, costs their sorting, not the square of their number).
    try db.execute(
      sql: """
        UPDATE note_line SET shadowed = ranked.position > 1
        FROM (
          SELECT rowid AS line, row_number() OVER (
            PARTITION BY event_id ORDER BY \(EventCopy.cacheOrder), commit_time DESC, commit_id DESC) AS position
          FROM note_line WHERE event_id IN (SELECT id FROM touched_event)) AS ranked
        WHERE note_line.rowid = ranked.line
        """)
    if let tip {
      try db.execute(sql: "INSERT OR REPLACE INTO notes_tip (ref, tip) VALUES (?, ?)", arguments: [ref, tip.hex])
    } else {
      try db.execute(sql: "DELETE FROM notes_tip WHERE ref = ?", arguments: [ref])
    }
  }

  /// Writes the notes `delta` read (their commits and lines), bound straight through SQLite's C API: a first
  /// read of a long history writes hundreds of thousands of rows.
  private func insert(_ delta: UsageNotesDelta, into db: Database) throws {
    let insertCommit = try db.makeStatement(
      sql: """
        INSERT OR REPLACE INTO note_commit (commit_id, commit_time, summary, malformed, newer, described)
        VALUES (?, ?, ?, ?, ?, ?)
        """)
    let insertLine = try db.makeStatement(
      sql: """
        INSERT OR REPLACE INTO note_line (commit_id, event_id, commit_time, at_ms, agent, session, model,
          tin, tout, cw5m, cw1h, cr, cost, cost_pico, prices, user, machine, branch, feature)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    let touchEvent = try db.makeStatement(sql: "INSERT OR IGNORE INTO touched_event (id) VALUES (?)")
    for note in delta.notes {
      let commit = note.commit.hex
      // A commit not described yet whose every line was read needs no row: its lines say all there is.
      // (A first read of a long history writes and indexes half as many rows.)
      if note.described || note.unread != .init() {
        try insertCommit.bindAndStep(in: db) { bind in
          bind.text(1, commit)
          bind.integer(2, note.time)
          bind.text(3, note.summary)
          bind.integer(4, Int64(note.unread.malformed))
          bind.integer(5, Int64(note.unread.newer))
          bind.integer(6, note.described ? 1 : 0)
        }
      }
      for event in delta.lines[note.lines] {
        try insertLine.bindAndStep(in: db) { bind in
          bind.text(1, commit)
          bind.text(2, event.id)
          bind.integer(3, note.time)
          bind.integer(4, event.atMs)
          bind.text(5, event.agent)
          bind.text(6, event.session)
          bind.text(7, event.model)
          bind.integer(8, Int64(event.tokens.input))
          bind.integer(9, Int64(event.tokens.output))
          bind.integer(10, Int64(event.tokens.cacheWrite5m))
          bind.integer(11, Int64(event.tokens.cacheWrite1h))
          bind.integer(12, Int64(event.tokens.cacheRead))
          bind.text(13, event.cost?.plainText)
          bind.integer(14, event.cost?.int64)
          bind.text(15, event.prices)
          bind.text(16, event.user)
          bind.text(17, event.machine)
          bind.text(18, event.branch)
          bind.text(19, event.feature)
        }
        if !delta.rebuilt { try touchEvent.execute(arguments: [event.id]) }
      }
    }
  }

  /// Reads the time and subject of the cached commits among those `query` (a `SELECT commit_id`) selects
  /// that were left undescribed (a first read of a long history skips them, and writes no `note_commit` row
  /// for a commit whose lines were all read), in the order they are cheapest to read.
  private func describeCommits(in db: Database, from repository: Repository, holding query: String) throws {
    let commits = try String.fetchAll(
      db,
      sql: """
        SELECT DISTINCT held.commit_id FROM (\(query)) AS held
        WHERE NOT EXISTS (SELECT 1 FROM note_commit c WHERE c.commit_id = held.commit_id AND c.described = 1)
        """
    ).compactMap(Oid.init(hex:))
    guard !commits.isEmpty else { return }
    let setCommit = try db.makeStatement(
      sql: """
        INSERT INTO note_commit (commit_id, commit_time, summary, described) VALUES (?, ?, ?, 1)
        ON CONFLICT (commit_id) DO UPDATE SET commit_time = excluded.commit_time, summary = excluded.summary,
          described = 1
        """)
    let setLines = try db.makeStatement(sql: "UPDATE note_line SET commit_time = ? WHERE commit_id = ?")
    try repository.forEachCommitDescription(commits) { id, time, summary in
      try setCommit.execute(arguments: [id.hex, time, summary])
      try setLines.execute(arguments: [time, id.hex])
    }
  }

  /// The `notes_tip` row holding the usage notes tip at which every cached commit was last described.
  static let describedKey = "octo-git:described"

  /// Reads the time and subject of every cached commit left undescribed: what `usage --by commit` shows
  /// and orders by. Costs one look-up once done, until the notes move.
  public func describeCommits(from repository: Repository) throws {
    let (tip, described) = try read { db in
      let query = "SELECT tip FROM notes_tip WHERE ref = ?"
      return (
        try String.fetchOne(db, sql: query, arguments: [UsageNote.ref]),
        try String.fetchOne(db, sql: query, arguments: [Self.describedKey])
      )
    }
    if let tip, tip == described { return }
    try write { db in
      try describeCommits(
        in: db, from: repository, holding: "SELECT commit_id FROM note_line UNION ALL SELECT commit_id FROM note_commit"
      )
      if let tip {
        try db.execute(
          sql: "INSERT OR REPLACE INTO notes_tip (ref, tip) VALUES (?, ?)", arguments: [Self.describedKey, tip])
      }
    }
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

  /// Calls `body` with the cost of each priced event in the notes, counted once, and its branch: what
  /// budgets add up.
  func forEachCommittedCost(_ body: (PicoDollars, String?) throws -> Void) throws {
    try read { db in
      let rows = try Row.fetchCursor(
        db, sql: "SELECT cost, cost_pico, branch FROM note_line WHERE shadowed = 0 AND cost IS NOT NULL")
      while let row = try rows.next() {
        guard let cost = PicoDollars(cachedPico: row[1], text: row[0]) else { continue }
        try body(cost, row[2])
      }
    }
  }
}

extension PicoDollars {
  /// The cost of a cached line (columns `cost_pico`, `cost`): its pico-dollars when they fit in 64 bits,
  /// else its plain decimal text; `nil`: unpriced.
  init?(cachedPico pico: Int64?, text: String?) {
    if let pico {
      self.init(pico)
    } else if let text, let amount = PicoDollars(plain: text) {
      self = amount
    } else {
      return nil
    }
  }

  /// Costs with no 64-bit pico-dollar value, as the cache's sums list them (space-separated texts).
  static func cachedExtras(_ texts: String?) -> [PicoDollars] {
    (texts ?? "").split(separator: " ").compactMap { PicoDollars(plain: String($0)) }
  }
}
