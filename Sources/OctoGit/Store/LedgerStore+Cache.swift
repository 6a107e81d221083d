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
    let current = try repository.reference(ref)?.target
    let cachedTip: String? = try read { db in
      try String.fetchOne(db, sql: "SELECT tip FROM notes_tip WHERE ref = ?", arguments: [ref])
    }
    if !rebuild, cachedTip == current?.hex, cachedTip != nil || current == nil { return CacheRefresh() }

    var refresh = CacheRefresh()
    var changes: [(annotated: Oid, blob: Oid?)] = []
    let previous = cachedTip.flatMap(Oid.init(hex:)).flatMap { repository.objectExists($0) ? $0 : nil }
    if !rebuild, let previous, let current {
      let oldTree = try repository.commit(previous).tree
      let newTree = try repository.commit(current).tree
      for changed in try repository.changedPaths(from: oldTree, to: newTree) {
        guard let annotated = Oid(hex: changed.path.replacingOccurrences(of: "/", with: "")) else { continue }
        changes.append((annotated, changed.newID))
      }
    } else {
      refresh.rebuilt = true
      changes = try repository.notes(ref: ref).map { ($0.annotated, $0.blob) }
    }

    // Read everything from git before opening the write transaction.
    var notes: [(commit: String, time: Int64, summary: String, events: [UsageEvent])] = []
    var removed: [String] = []
    for change in changes {
      guard let blob = change.blob else {
        removed.append(change.annotated.hex)
        continue
      }
      let text = String(decoding: try repository.blobContent(blob), as: UTF8.self)
      let parsed = UsageNote.events(in: text)
      refresh.malformedLines += parsed.malformed
      var time: Int64 = 0
      var summary = ""
      if repository.objectExists(change.annotated), let commit = try? repository.commit(change.annotated) {
        time = Int64(commit.committer.time.timeIntervalSince1970)
        summary = commit.summary
      }
      notes.append((change.annotated.hex, time, summary, parsed.events))
    }
    refresh.commitsRead = notes.count

    try write { db in
      if refresh.rebuilt {
        try db.execute(sql: "DELETE FROM note_line; DELETE FROM note_commit")
      }
      try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS touched_event (id TEXT PRIMARY KEY); DELETE FROM touched_event")
      let touch = try db.makeStatement(
        sql: "INSERT OR IGNORE INTO touched_event (id) SELECT event_id FROM note_line WHERE commit_id = ?")
      let deleteLines = try db.makeStatement(sql: "DELETE FROM note_line WHERE commit_id = ?")
      let deleteCommit = try db.makeStatement(sql: "DELETE FROM note_commit WHERE commit_id = ?")
      for commit in removed + notes.map(\.commit) where !refresh.rebuilt {
        try touch.execute(arguments: [commit])
        try deleteLines.execute(arguments: [commit])
        try deleteCommit.execute(arguments: [commit])
      }
      let insertCommit = try db.makeStatement(
        sql: "INSERT OR REPLACE INTO note_commit (commit_id, commit_time, summary) VALUES (?, ?, ?)")
      let insertLine = try db.makeStatement(
        sql: """
          INSERT OR REPLACE INTO note_line (commit_id, event_id, commit_time, at_ms, agent, session, model,
            tin, tout, cw5m, cw1h, cr, cost, cost_pico, prices, user, machine, branch, feature)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      let touchEvent = try db.makeStatement(sql: "INSERT OR IGNORE INTO touched_event (id) VALUES (?)")
      for note in notes {
        try insertCommit.execute(arguments: [note.commit, note.time, note.summary])
        for event in note.events {
          let tokens = event.tokens
          try insertLine.execute(
            arguments: [
              note.commit, event.id, note.time, Int64((event.at.timeIntervalSince1970 * 1000).rounded()), event.agent,
              event.session, event.model, tokens.input, tokens.output, tokens.cacheWrite5m, tokens.cacheWrite1h,
              tokens.cacheRead, event.cost.map(CanonicalJSON.plain), event.cost.flatMap(Money.picoDollars),
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
}
