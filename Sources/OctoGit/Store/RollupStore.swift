import Foundation
import GRDB

/// The user's rollup database, `$XDG_DATA_HOME/octo-git/rollup.sqlite`: the registered repositories and,
/// for each, its usage events as one compact value (see ``EventArchive``) with the notes tip they were read
/// at, kept current incrementally.
///
/// An event is held once per repository with the number of notes holding it, so an event copied onto a
/// rebased commit counts once and goes away only when no note holds it. Clones of one project hold the
/// same events: the rollup counts each id once, across every repository, when it sums (see
/// ``EventOwners``). Everything but the registry can be rebuilt from the repositories.
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
    // A repository's archive is a value of a few hundred kilobytes: 64 KB pages write a cold rollup's
    // archives (through the log, then into the file) in a sixteenth of the writes 4 KB pages take.
    database = try SQLiteSetup.open(
      path: path, label: "octo-git rollup", migrations: Self.migrations, damaged: Self.damagedHint,
      pageSize: 65536)
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
    """,
    // One row per event cost a cold rollup more than reading the notes; one archive per repository instead.
    """
    DROP TABLE event;
    CREATE TABLE repo_events (
      repo INTEGER PRIMARY KEY,
      archive BLOB NOT NULL
    );
    UPDATE repo SET tip = NULL;
    DELETE FROM result_cache;
    """,
    // Note lines no report can read, per repository and commit (every repository is read again once).
    """
    CREATE TABLE event_owners (
      key TEXT NOT NULL,
      repo INTEGER NOT NULL,
      counted BLOB NOT NULL,
      PRIMARY KEY (key, repo)
    ) WITHOUT ROWID;
    CREATE TABLE repo_unread (
      repo INTEGER NOT NULL,
      commit_id TEXT NOT NULL,
      malformed INTEGER NOT NULL,
      newer INTEGER NOT NULL,
      PRIMARY KEY (repo, commit_id)
    ) WITHOUT ROWID;
    UPDATE repo SET tip = NULL;
    DELETE FROM result_cache;
    """,
    // Copies of an event ranked by EventCopy (then: the most output, then the costlier): archives made again.
    "UPDATE repo SET tip = NULL; DELETE FROM result_cache;",
    // EventCopy ranks the costlier copy first, within a note too: archives made again.
    "UPDATE repo SET tip = NULL; DELETE FROM result_cache;",
    // Origins are kept without credentials, projects without a URL's query or fragment (a token could be in
    // either): the origins kept before are forgotten (the next rollup or registration writes them again,
    // redacted), and projects lose what followed a '?' or '#'.
    """
    UPDATE repo SET origin = NULL;
    UPDATE repo SET project = substr(project, 1, instr(project, '?') - 1)
      WHERE instr(project, '?') > 0 AND substr(project, 1, 1) <> '/';
    UPDATE repo SET project = substr(project, 1, instr(project, '#') - 1)
      WHERE instr(project, '#') > 0 AND substr(project, 1, 1) <> '/';
    DELETE FROM result_cache;
    """,
    // An id over 512 bytes makes its line unreadable: archives made again.
    "UPDATE repo SET tip = NULL; DELETE FROM result_cache; DELETE FROM event_owners;",
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
    /// Why this rollup could not fetch its remote's notes (`rollup --fetch`), if it could not: its events
    /// are as last read from its local notes, and the report shows it as stale. Not stored.
    public var fetchProblem: String? = nil
    /// Note lines of its notes that no report can read (damaged, or of a later format version), and of
    /// those, the ones of a later version.
    public var malformedLines = 0
    public var newerLines = 0
  }

  /// Every registered repository, by project and path.
  public func entries() throws -> [Entry] {
    try read { db in
      let sql = """
        SELECT id, path, project, origin, tip, problem,
          (SELECT coalesce(sum(malformed), 0) FROM repo_unread WHERE repo = repo.id),
          (SELECT coalesce(sum(newer), 0) FROM repo_unread WHERE repo = repo.id)
        FROM repo ORDER BY project, path
        """
      return try Row.fetchAll(db, sql: sql).map {
        Entry(
          id: $0[0], path: $0[1], project: $0[2], origin: $0[3], tip: $0[4], problem: $0[5], malformedLines: $0[6],
          newerLines: $0[7])
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
      guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM repo WHERE path = ?", arguments: [path]) else {
        return
      }
      try db.execute(sql: "DELETE FROM repo_events WHERE repo = ?", arguments: [id])
      try db.execute(sql: "DELETE FROM repo_unread WHERE repo = ?", arguments: [id])
      try db.execute(sql: "DELETE FROM repo WHERE id = ?", arguments: [id])
    }
  }

  /// Runs `body` in one write transaction (a whole refresh is one).
  func transaction<T>(_ body: (Database) throws -> T) throws -> T { try write(body) }

  /// Records, inside `db`'s transaction, what changed in one repository's usage notes, and the tip read;
  /// `false` (nothing recorded) when the change took away a copy the archive held while other notes still
  /// hold the event (see ``EventArchive/apply(_:)``): the repository must be read whole.
  static func apply(_ delta: UsageNotesDelta, to entry: Entry, in db: Database) throws -> Bool {
    var archive = EventArchive()
    if !delta.rebuilt,
      let stored = try Data.fetchOne(db, sql: "SELECT archive FROM repo_events WHERE repo = ?", arguments: [entry.id]),
      let decoded = EventArchive.decode(stored)
    {
      archive = decoded
    }
    guard archive.apply(delta) else { return false }
    try store(archive.encoded(), tip: delta.tip, for: entry, in: db)
    if delta.rebuilt { try db.execute(sql: "DELETE FROM repo_unread WHERE repo = ?", arguments: [entry.id]) }
    let forget = try db.makeStatement(sql: "DELETE FROM repo_unread WHERE repo = ? AND commit_id = ?")
    for commit in delta.removed + delta.notes.map(\.commit.hex) where !delta.rebuilt {
      try forget.execute(arguments: [entry.id, commit])
    }
    try recordUnread(
      delta.notes.filter { $0.unread.malformed > 0 }.map { ($0.commit.hex, $0.unread) }, for: entry, in: db)
    return true
  }

  /// Moves a repository whose origin now names another project to that project.
  static func move(_ entry: Entry, to project: String, origin: String?, in db: Database) throws {
    try db.execute(
      sql: "UPDATE repo SET project = ?, origin = ? WHERE id = ?", arguments: [project, origin, entry.id])
  }

  /// Records the commits whose notes hold lines no report can read (`replacing` what was recorded of the
  /// repository: every note was read).
  static func recordUnread(
    _ notes: [(commit: String, unread: UsageNote.Unread)], for entry: Entry, in db: Database,
    replacing: Bool = false
  ) throws {
    if replacing { try db.execute(sql: "DELETE FROM repo_unread WHERE repo = ?", arguments: [entry.id]) }
    guard !notes.isEmpty else { return }
    let insert = try db.makeStatement(
      sql: "INSERT OR REPLACE INTO repo_unread (repo, commit_id, malformed, newer) VALUES (?, ?, ?, ?)")
    for note in notes {
      try insert.execute(arguments: [entry.id, note.commit, note.unread.malformed, note.unread.newer])
    }
  }

  /// Stores a repository's encoded archive and the notes tip it was read at.
  static func store(_ archive: Data, tip: Oid?, for entry: Entry, in db: Database) throws {
    try db.execute(
      sql: "INSERT OR REPLACE INTO repo_events (repo, archive) VALUES (?, ?)", arguments: [entry.id, archive])
    try db.execute(sql: "UPDATE repo SET tip = ?, problem = NULL WHERE id = ?", arguments: [tip?.hex, entry.id])
  }

  /// The copies that count (see ``EventOwners``) as worked out for the archives fingerprinted by `key`;
  /// `nil` when they were not (an empty result means every copy counts).
  func savedEventOwners(key: String) throws -> [Int64: [Bool]]? {
    try read { db in
      let rows = try Row.fetchAll(db, sql: "SELECT repo, counted FROM event_owners WHERE key = ?", arguments: [key])
      guard !rows.isEmpty else { return nil }
      var result: [Int64: [Bool]] = [:]
      for row in rows where row[0] as Int64 >= 0 {
        result[row[0]] = (row[1] as Data).map { $0 != 0 }
      }
      return result
    }
  }

  /// Keeps the copies that count for `key`, replacing what was kept for other archives (a row with repo
  /// -1 marks a result where every copy counts).
  func saveEventOwners(_ counted: [Int64: [Bool]], key: String) throws {
    try write { db in
      try db.execute(sql: "DELETE FROM event_owners")
      let insert = try db.makeStatement(sql: "INSERT INTO event_owners (key, repo, counted) VALUES (?, ?, ?)")
      try insert.execute(arguments: [key, -1, Data()])
      for (repo, flags) in counted { try insert.execute(arguments: [key, repo, Data(flags.map { $0 ? 1 : 0 })]) }
    }
  }

  /// The encoded archives of these repositories, by repository id.
  func encodedArchives(_ ids: [Int64]) throws -> [Int64: Data] {
    guard !ids.isEmpty else { return [:] }
    return try read { db in
      var result: [Int64: Data] = [:]
      let wanted = Set(ids)
      let rows = try Row.fetchCursor(db, sql: "SELECT repo, archive FROM repo_events")
      while let row = try rows.next() {
        let id: Int64 = row[0]
        if wanted.contains(id) { result[id] = row[1] }
      }
      return result
    }
  }

  /// Forgets every tip seen (the registry stays): the next rollup reads all notes again, replacing each
  /// repository's archive as it goes; the archives of repositories it cannot read are dropped then (see
  /// ``dropUnreadArchives(in:)``), so rewriting them all up front is not needed.
  public func forgetEvents() throws {
    try write { db in
      try db.execute(sql: "DELETE FROM result_cache; DELETE FROM event_owners; UPDATE repo SET tip = NULL")
    }
  }

  /// Drops the archives of repositories whose notes were never read since ``forgetEvents()``.
  static func dropUnreadArchives(in db: Database) throws {
    try db.execute(sql: "DELETE FROM repo_events WHERE repo IN (SELECT id FROM repo WHERE tip IS NULL)")
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
