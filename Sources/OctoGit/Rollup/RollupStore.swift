import Foundation
import GRDB

/// The user's rollup database, `$XDG_DATA_HOME/octo-git/rollup.sqlite`: the registered repositories and a
/// copy of every usage event their notes hold, kept current incrementally.
///
/// Events are stored once per project (clones of one project share their ids), with a count of the notes
/// holding them, so an event copied onto a rebased commit, or present in two clones, counts once and goes
/// away only when no note holds it. Everything but the registry can be rebuilt from the repositories.
public final class RollupStore {
  let database: DatabaseQueue
  /// The database file.
  public let path: String

  /// The default location, `$XDG_DATA_HOME/octo-git/rollup.sqlite`.
  public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    Paths.dataHome(environment: environment) + "/octo-git/rollup.sqlite"
  }

  /// Opens (creating and migrating as needed) the rollup database at `path`.
  public init(path: String = RollupStore.defaultPath()) throws {
    self.path = path
    let folder = (path as NSString).deletingLastPathComponent
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw OctoError("cannot create \(folder): \(error.localizedDescription)", hint: "check the folder's permissions, or set XDG_DATA_HOME")
    }
    do {
      database = try DatabaseQueue(path: path, configuration: SQLiteSetup.configuration(label: "octo-git rollup"))
      try SQLiteSetup.migrate(database, Self.migrations)
    } catch let error as DatabaseError {
      throw Self.storeError(error, path: path)
    }
  }

  static func storeError(_ error: DatabaseError, path: String) -> OctoError {
    SQLiteSetup.error(
      error, path: path, damaged: "move it aside and run octo-git repos scan and octo-git rollup again")
  }

  func write<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      return try database.write(body)
    } catch let error as DatabaseError {
      throw Self.storeError(error, path: path)
    }
  }

  func read<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      return try database.read(body)
    } catch let error as DatabaseError {
      throw Self.storeError(error, path: path)
    }
  }

  /// Schema changes, in order (see ``SQLiteSetup/migrate(_:_:)``). Never edit a shipped one: append.
  static let migrations: [String] = [
    """
    CREATE TABLE repo (
      path TEXT PRIMARY KEY,
      project TEXT NOT NULL,
      origin TEXT,
      added_at INTEGER NOT NULL,
      tip TEXT,
      problem TEXT
    ) WITHOUT ROWID;
    CREATE TABLE note (
      path TEXT NOT NULL,
      commit_id TEXT NOT NULL,
      event_ids TEXT NOT NULL,
      PRIMARY KEY (path, commit_id)
    ) WITHOUT ROWID;
    CREATE TABLE event (
      project TEXT NOT NULL,
      event_id TEXT NOT NULL,
      holders INTEGER NOT NULL,
      at_ms INTEGER NOT NULL,
      agent TEXT, session TEXT, model TEXT NOT NULL,
      tin INTEGER NOT NULL, tout INTEGER NOT NULL, cw5m INTEGER NOT NULL, cw1h INTEGER NOT NULL, cr INTEGER NOT NULL,
      cost TEXT, cost_pico INTEGER,
      user TEXT, branch TEXT, feature TEXT,
      PRIMARY KEY (project, event_id)
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

  /// Every registered repository, by path.
  public func entries() throws -> [Entry] {
    try read { db in
      try Row.fetchAll(db, sql: "SELECT path, project, origin, tip, problem FROM repo ORDER BY project, path").map {
        Entry(path: $0[0], project: $0[1], origin: $0[2], tip: $0[3], problem: $0[4])
      }
    }
  }

  /// Registers a repository, or updates its project when its origin changed (its events move along).
  /// Returns whether anything changed.
  @discardableResult
  func register(path: String, project: String, origin: String?) throws -> Bool {
    try write { db in
      if let row = try Row.fetchOne(db, sql: "SELECT project, origin FROM repo WHERE path = ?", arguments: [path]) {
        if row[0] as String == project && row[1] as String? == origin { return false }
        // Read again from scratch under the new project.
        try forget(db, path: path)
      }
      try db.execute(
        sql: "INSERT INTO repo (path, project, origin, added_at) VALUES (?, ?, ?, ?)",
        arguments: [path, project, origin, Int64(Date().timeIntervalSince1970)])
      return true
    }
  }

  /// Removes a repository and the events only it held.
  func unregister(path: String) throws {
    try write { db in
      try forget(db, path: path)
    }
  }

  private func forget(_ db: Database, path: String) throws {
    guard let project = try String.fetchOne(db, sql: "SELECT project FROM repo WHERE path = ?", arguments: [path])
    else { return }
    let notes = try String.fetchAll(db, sql: "SELECT event_ids FROM note WHERE path = ?", arguments: [path])
    try release(db, project: project, eventLists: notes)
    try db.execute(sql: "DELETE FROM note WHERE path = ?", arguments: [path])
    try db.execute(sql: "DELETE FROM repo WHERE path = ?", arguments: [path])
  }

  /// Drops one hold on each event listed; events nobody holds any more are deleted.
  private func release(_ db: Database, project: String, eventLists: [String]) throws {
    let decrement = try db.makeStatement(sql: "UPDATE event SET holders = holders - 1 WHERE project = ? AND event_id = ?")
    for list in eventLists {
      for id in list.split(separator: "\n") { try decrement.execute(arguments: [project, String(id)]) }
    }
    if !eventLists.isEmpty {
      try db.execute(sql: "DELETE FROM event WHERE project = ? AND holders <= 0", arguments: [project])
    }
  }

  /// Records what changed in one repository's usage notes, and the tip read.
  func apply(_ delta: UsageNotesDelta, to entry: Entry) throws {
    try write { db in
      let project = entry.project
      var oldLists: [String] = []
      if delta.rebuilt {
        oldLists = try String.fetchAll(db, sql: "SELECT event_ids FROM note WHERE path = ?", arguments: [entry.path])
        try db.execute(sql: "DELETE FROM note WHERE path = ?", arguments: [entry.path])
      } else {
        let old = try db.makeStatement(sql: "SELECT event_ids FROM note WHERE path = ? AND commit_id = ?")
        let delete = try db.makeStatement(sql: "DELETE FROM note WHERE path = ? AND commit_id = ?")
        for commit in delta.removed + delta.notes.map(\.commit) {
          if let list = try String.fetchOne(old, arguments: [entry.path, commit]) { oldLists.append(list) }
          try delete.execute(arguments: [entry.path, commit])
        }
      }
      let insertNote = try db.makeStatement(sql: "INSERT INTO note (path, commit_id, event_ids) VALUES (?, ?, ?)")
      // A copy with more output tokens (a re-imported, longer answer) wins over a shorter one.
      let upsert = try db.makeStatement(
        sql: """
          INSERT INTO event (project, event_id, holders, at_ms, agent, session, model, tin, tout, cw5m, cw1h, cr,
            cost, cost_pico, user, branch, feature)
          VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (project, event_id) DO UPDATE SET holders = holders + 1,
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
      for note in delta.notes where !note.events.isEmpty {
        try insertNote.execute(arguments: [entry.path, note.commit, note.events.map(\.id).joined(separator: "\n")])
        for event in note.events {
          let tokens = event.tokens
          try upsert.execute(
            arguments: [
              project, event.id, Int64((event.at.timeIntervalSince1970 * 1000).rounded()), event.agent, event.session,
              event.model, tokens.input, tokens.output, tokens.cacheWrite5m, tokens.cacheWrite1h, tokens.cacheRead,
              event.cost.map(CanonicalJSON.plain), event.cost.flatMap(Money.picoDollars), event.user, event.branch,
              event.feature,
            ])
        }
      }
      // Released after the new holds are taken, so an event that merely moved notes is never deleted.
      try release(db, project: project, eventLists: oldLists)
      try db.execute(
        sql: "UPDATE repo SET tip = ?, problem = NULL WHERE path = ?", arguments: [delta.tip?.hex, entry.path])
    }
  }

  /// Records why a repository was skipped (or clears it).
  func setProblem(_ problem: String?, path: String) throws {
    try write { db in
      try db.execute(sql: "UPDATE repo SET problem = ? WHERE path = ?", arguments: [problem, path])
    }
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
