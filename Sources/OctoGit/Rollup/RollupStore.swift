import Foundation
import GRDB

/// The user's rollup database, `$XDG_DATA_HOME/octo-git/rollup.sqlite`: the registered repositories and a
/// copy of every usage event their notes hold, kept current incrementally.
///
/// Events are stored per repository with a count of the notes holding them there, so an event copied onto
/// a rebased commit counts once and goes away only when no note holds it. Clones of one project hold the
/// same events: the rollup counts each id once per project when it sums. Everything but the registry can
/// be rebuilt from the repositories.
public final class RollupStore: SQLiteStore {
  let database: DatabaseQueue
  /// The database file.
  public let path: String
  static let damagedHint = "move it aside and run octo-git repos scan and octo-git rollup again"

  /// The default location, `$XDG_DATA_HOME/octo-git/rollup.sqlite`.
  public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    Paths.dataHome(environment: environment) + "/octo-git/rollup.sqlite"
  }

  /// Opens (creating and migrating as needed) the rollup database at `path`.
  public init(path: String = RollupStore.defaultPath()) throws {
    self.path = path
    database = try SQLiteSetup.open(
      path: path, label: "octo-git rollup", migrations: Self.migrations, damaged: Self.damagedHint
    ) { db in
      // A cold rollup inserts events in no particular key order: keep the tree's pages in memory.
      try db.execute(sql: "PRAGMA cache_size = -262144")
    }
  }

  /// Schema changes, in order (see ``SQLiteSetup/migrate(_:_:)``). Never edit a shipped one: append.
  static let migrations: [String] = [
    """
    CREATE TABLE repo (
      id INTEGER PRIMARY KEY,
      path TEXT NOT NULL UNIQUE,
      project TEXT NOT NULL,
      origin TEXT,
      added_at INTEGER NOT NULL,
      tip TEXT,
      problem TEXT
    );
    CREATE TABLE event (
      repo INTEGER NOT NULL,
      event_id TEXT NOT NULL,
      holders INTEGER NOT NULL,
      at_ms INTEGER NOT NULL,
      agent TEXT, session TEXT, model TEXT NOT NULL,
      tin INTEGER NOT NULL, tout INTEGER NOT NULL, cw5m INTEGER NOT NULL, cw1h INTEGER NOT NULL, cr INTEGER NOT NULL,
      cost TEXT, cost_pico INTEGER,
      user TEXT, branch TEXT, feature TEXT,
      PRIMARY KEY (repo, event_id)
    ) WITHOUT ROWID;
    CREATE TABLE result_cache (
      request TEXT PRIMARY KEY,
      generation TEXT NOT NULL,
      body BLOB NOT NULL
    ) WITHOUT ROWID;
    """
  ]

  /// A registered repository.
  public struct Entry: Sendable, Equatable {
    /// The row's id.
    var id: Int64 = 0
    /// The main work tree's path.
    public var path: String
    /// The normalised origin URL, else the path.
    public var project: String
    public var origin: String?
    /// The usage notes tip last read.
    var tip: String?
    /// Why the last rollup skipped it, if it did.
    public var problem: String?
  }

  /// Every registered repository, by project and path.
  public func entries() throws -> [Entry] {
    try read { db in
      try Row.fetchAll(db, sql: "SELECT id, path, project, origin, tip, problem FROM repo ORDER BY project, path").map {
        Entry(id: $0[0], path: $0[1], project: $0[2], origin: $0[3], tip: $0[4], problem: $0[5])
      }
    }
  }

  /// Registers a repository, or updates its project when its origin changed. Returns whether anything
  /// changed.
  @discardableResult
  func register(path: String, project: String, origin: String?) throws -> Bool {
    try write { db in
      if let row = try Row.fetchOne(db, sql: "SELECT project, origin FROM repo WHERE path = ?", arguments: [path]) {
        if row[0] as String == project && row[1] as String? == origin { return false }
        try db.execute(
          sql: "UPDATE repo SET project = ?, origin = ? WHERE path = ?", arguments: [project, origin, path])
        return true
      }
      try db.execute(
        sql: "INSERT INTO repo (path, project, origin, added_at) VALUES (?, ?, ?, ?)",
        arguments: [path, project, origin, Int64(Date().timeIntervalSince1970)])
      return true
    }
  }

  /// Removes a repository and its events.
  func unregister(path: String) throws {
    try write { db in
      guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM repo WHERE path = ?", arguments: [path]) else { return }
      try db.execute(sql: "DELETE FROM event WHERE repo = ?", arguments: [id])
      try db.execute(sql: "DELETE FROM repo WHERE id = ?", arguments: [id])
    }
  }

  /// Runs `body` in one write transaction (a whole refresh is one).
  func transaction<T>(_ body: (Database) throws -> T) throws -> T { try write(body) }

  /// Records, inside `db`'s transaction, what changed in one repository's usage notes, and the tip read.
  static func apply(_ delta: UsageNotesDelta, to entry: Entry, in db: Database) throws {
    if delta.rebuilt {
      try db.execute(sql: "DELETE FROM event WHERE repo = ?", arguments: [entry.id])
    } else if !delta.previousIDs.isEmpty {
      let release = try db.makeStatement(sql: "UPDATE event SET holders = holders - 1 WHERE repo = ? AND event_id = ?")
      var statement = RawInsert(release)
      for id in delta.previousIDs {
        statement.bind(entry.id)
        statement.bind(id)
        try statement.run()
      }
    }
    // A copy with more output tokens (a re-imported, longer answer) wins over a shorter one.
    let upsert = try db.makeStatement(
      sql: """
        INSERT INTO event (repo, event_id, holders, at_ms, agent, session, model, tin, tout, cw5m, cw1h, cr,
          cost, cost_pico, user, branch, feature)
        VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (repo, event_id) DO UPDATE SET holders = holders + 1,
          at_ms = iif(excluded.tout > tout, excluded.at_ms, at_ms),
          agent = iif(excluded.tout > tout, excluded.agent, agent),
          session = iif(excluded.tout > tout, excluded.session, session),
          model = iif(excluded.tout > tout, excluded.model, model),
          tin = iif(excluded.tout > tout, excluded.tin, tin),
          cw5m = iif(excluded.tout > tout, excluded.cw5m, cw5m),
          cw1h = iif(excluded.tout > tout, excluded.cw1h, cw1h),
          cr = iif(excluded.tout > tout, excluded.cr, cr),
          cost = iif(excluded.tout > tout, excluded.cost, cost),
          cost_pico = iif(excluded.tout > tout, excluded.cost_pico, cost_pico),
          user = iif(excluded.tout > tout, excluded.user, user),
          branch = iif(excluded.tout > tout, excluded.branch, branch),
          feature = iif(excluded.tout > tout, excluded.feature, feature),
          tout = max(tout, excluded.tout)
        """)
    var event = RawInsert(upsert)
    for note in delta.notes {
      for line in note.events {
        event.bind(entry.id)
        event.bind(line.id)
        event.bind(line.atMs)
        event.bind(line.agent)
        event.bind(line.session)
        event.bind(line.model)
        event.bind(line.tokens.input)
        event.bind(line.tokens.output)
        event.bind(line.tokens.cacheWrite5m)
        event.bind(line.tokens.cacheWrite1h)
        event.bind(line.tokens.cacheRead)
        event.bind(line.costText)
        event.bind(line.costPico)
        event.bind(line.user)
        event.bind(line.branch)
        event.bind(line.feature)
        try event.run()
      }
    }
    // Released before the new holds were taken; an event that merely moved notes is back to 1 by now.
    if !delta.previousIDs.isEmpty {
      try db.execute(sql: "DELETE FROM event WHERE repo = ? AND holders <= 0", arguments: [entry.id])
    }
    try db.execute(sql: "UPDATE repo SET tip = ?, problem = NULL WHERE id = ?", arguments: [delta.tip?.hex, entry.id])
  }

  /// Forgets every event read and every tip seen (the registry stays): the next rollup reads all notes.
  public func forgetEvents() throws {
    try write { db in
      try db.execute(sql: "DELETE FROM event; DELETE FROM result_cache; UPDATE repo SET tip = NULL")
    }
  }

  /// Records why a repository was skipped (or clears it).
  static func setProblem(_ problem: String?, id: Int64, in db: Database) throws {
    try db.execute(sql: "UPDATE repo SET problem = ? WHERE id = ?", arguments: [problem, id])
  }

  /// A rendered result saved for `request`, if it was made from the same `generation` of the data.
  func cachedResult(request: String, generation: String) throws -> Data? {
    try read { db in
      try Data.fetchOne(
        db, sql: "SELECT body FROM result_cache WHERE request = ? AND generation = ?", arguments: [request, generation])
    }
  }

  func saveResult(_ body: Data, request: String, generation: String) throws {
    try write { db in
      try db.execute(sql: "DELETE FROM result_cache WHERE generation <> ?", arguments: [generation])
      try db.execute(
        sql: "INSERT OR REPLACE INTO result_cache (request, generation, body) VALUES (?, ?, ?)",
        arguments: [request, generation, body])
    }
  }
}

@available(*, unavailable)
extension RollupStore: Sendable {}
