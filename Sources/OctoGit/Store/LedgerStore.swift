import Foundation
import GRDB
import CShims
import GRDBSQLite

/// octo-git's local database, `<git-common-dir>/octo/ledger.sqlite`, shared by every worktree of a
/// repository: usage waiting for a commit (pending), and a cache of the usage notes.
///
/// SQLite in WAL mode with a busy timeout, so hooks and commands in many worktrees can use it at once.
/// The pending events are the only data that lives here alone; everything else is rebuilt from the notes.
public final class LedgerStore {
  let database: DatabaseQueue
  /// The database file.
  public let path: String

  /// Opens (creating and migrating as needed) the store of the repository whose common directory is
  /// `commonDirectory`.
  public static func open(commonDirectory: String) throws -> LedgerStore {
    let folder = commonDirectory + "/octo"
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw OctoError("cannot create \(folder): \(error.localizedDescription)", hint: "check the folder's permissions")
    }
    return try LedgerStore(path: folder + "/ledger.sqlite")
  }

  init(path: String) throws {
    self.path = path
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    configuration.label = "octo-git ledger"
    configuration.prepareDatabase { db in
      // WAL mode is a property of the file: set once, not on every open. Switching needs the file to
      // itself, and SQLite answers "busy" at once rather than waiting when several processes create the
      // database together, so the switch is retried for a while.
      var attempt = 0
      while try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
        do {
          try db.execute(sql: "PRAGMA journal_mode = WAL")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
          attempt += 1
          if attempt > 200 { throw error }
          usleep(UInt32.random(in: 5_000...25_000))
        }
      }
      // In WAL mode, NORMAL loses nothing when a process dies, only (on power loss) the last commits
      // before a checkpoint. Keeping the log file and skipping the checkpoint at close spare every hook
      // run creating, syncing and deleting it.
      try db.execute(sql: "PRAGMA synchronous = NORMAL")
      var persist: Int32 = 1
      _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
      _ = octo_sqlite_skip_checkpoint_on_close(UnsafeMutableRawPointer(db.sqliteConnection))
    }
    do {
      database = try DatabaseQueue(path: path, configuration: configuration)
      try Self.migrate(database)
    } catch let error as DatabaseError {
      throw Self.storeError(error, path: path)
    }
  }

  static func storeError(_ error: DatabaseError, path: String) -> OctoError {
    switch error.resultCode {
    case .SQLITE_BUSY, .SQLITE_LOCKED:
      return OctoError("the octo-git database \(path) is busy", hint: "another octo-git is writing; run it again", status: .tryAgain)
    case .SQLITE_CORRUPT, .SQLITE_NOTADB:
      return OctoError(
        "the octo-git database \(path) is damaged",
        hint: "move it aside and run octo-git cache rebuild (pending usage in it would be lost)")
    case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
      return OctoError("cannot write the octo-git database \(path)", hint: "check the folder's permissions")
    default:
      return OctoError("database error in \(path): \(error.message ?? "\(error.resultCode)")")
    }
  }

  /// Runs `body` in a write transaction, mapping SQLite failures to ``OctoError``.
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

  /// Schema changes, in order; `PRAGMA user_version` records how many are applied. Never edit a shipped
  /// one: append.
  static let migrations: [String] = [
    """
    CREATE TABLE pending_event (
      id TEXT PRIMARY KEY,
      worktree TEXT NOT NULL,
      line TEXT NOT NULL,
      recorded_at INTEGER NOT NULL,
      claim_commit TEXT
    );
    CREATE INDEX pending_event_worktree ON pending_event(worktree);
    CREATE TABLE note_line (
      commit_id TEXT NOT NULL,
      event_id TEXT NOT NULL,
      commit_time INTEGER NOT NULL,
      shadowed INTEGER NOT NULL DEFAULT 0,
      at_ms INTEGER NOT NULL,
      agent TEXT, session TEXT, model TEXT NOT NULL,
      tin INTEGER NOT NULL, tout INTEGER NOT NULL, cw5m INTEGER NOT NULL, cw1h INTEGER NOT NULL, cr INTEGER NOT NULL,
      cost TEXT, cost_pico INTEGER, prices TEXT,
      user TEXT, machine TEXT, branch TEXT, feature TEXT,
      PRIMARY KEY (commit_id, event_id)
    ) WITHOUT ROWID;
    CREATE INDEX note_line_event ON note_line(event_id);
    CREATE TABLE note_commit (
      commit_id TEXT PRIMARY KEY,
      commit_time INTEGER NOT NULL,
      summary TEXT NOT NULL,
      malformed INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE TABLE notes_tip (
      ref TEXT PRIMARY KEY,
      tip TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    """
    CREATE TABLE import_offset (
      path TEXT PRIMARY KEY,
      offset INTEGER NOT NULL,
      size INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
  ]

  /// Brings the schema up to date. The version is read first without a lock (the usual case: nothing to
  /// do); otherwise the changes run in one IMMEDIATE transaction that reads the version again, so
  /// processes opening a new database at the same moment apply each change exactly once.
  static func migrate(_ database: DatabaseQueue) throws {
    let current = try database.read { try Int.fetchOne($0, sql: "PRAGMA user_version") ?? 0 }
    if current == migrations.count { return }
    if current > migrations.count {
      throw OctoError(
        "the octo-git database was written by a newer octo-git (schema \(current))", hint: "upgrade octo-git")
    }
    try database.write { db in
      let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
      for (index, migration) in migrations.enumerated() where index >= version {
        try db.execute(sql: migration)
        try db.execute(sql: "PRAGMA user_version = \(index + 1)")
      }
    }
  }
}

@available(*, unavailable)
extension LedgerStore: Sendable {}
