import CShims
import Foundation
import GRDB
import GRDBSQLite

/// A store kept in one SQLite file: reads and writes with SQLite failures turned into one-line errors.
protocol SQLiteStore: AnyObject {
  var database: DatabaseQueue { get }
  var path: String { get }
  /// What to do when the file is corrupt.
  static var damagedHint: String { get }
}

extension SQLiteStore {
  /// Runs `body` in a write transaction.
  func write<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      let result = try database.write(body)
      SQLiteSetup.trimLog(database, path: path)
      return result
    } catch let error as DatabaseError {
      throw SQLiteSetup.error(error, path: path, damaged: Self.damagedHint)
    }
  }

  func read<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      return try database.read(body)
    } catch let error as DatabaseError {
      throw SQLiteSetup.error(error, path: path, damaged: Self.damagedHint)
    }
  }
}

/// How octo-git opens its SQLite files (the repository's ledger and the user's rollup): WAL with a busy
/// timeout, migrations numbered by `PRAGMA user_version`, and failures as one-line errors.
enum SQLiteSetup {
  /// Opens the database at `path` (creating its folder, migrating its schema), with failures as one-line
  /// errors; `damaged` is what to do when the file is corrupt. `pageSize` applies to a file created now;
  /// `busySeconds` is how long to wait for another process's write.
  static func open(
    path: String, label: String, migrations: [String], damaged: String, pageSize: Int? = nil,
    busySeconds: TimeInterval = 10, prepare: (@Sendable (Database) throws -> Void)? = nil
  ) throws -> DatabaseQueue {
    let folder = (path as NSString).deletingLastPathComponent
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw OctoError("cannot create \(folder): \(OctoError.reason(error))", hint: "check the folder's permissions")
    }
    var configuration = configuration(label: label, pageSize: pageSize)
    configuration.busyMode = .timeout(busySeconds)
    if let prepare { configuration.prepareDatabase(prepare) }
    do {
      let database = try DatabaseQueue(path: path, configuration: configuration)
      try migrate(database, migrations)
      return database
    } catch let failure as DatabaseError {
      throw error(failure, path: path, damaged: damaged)
    }
  }

  /// A connection configuration for a file used by many processes at once; `pageSize` applies to a file
  /// created with it (an existing file keeps its own).
  static func configuration(label: String, pageSize: Int? = nil) -> Configuration {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    configuration.label = label
    configuration.prepareDatabase { db in
      if let pageSize { try db.execute(sql: "PRAGMA page_size = \(pageSize)") }
      // WAL mode is a property of the file: set once, not on every open. Switching needs the file to
      // itself, and SQLite answers "busy" at once rather than waiting when several processes create the
      // database together, so the switch is retried for a while.
      var attempt = 0
      while try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
        do {
          try db.execute(sql: "PRAGMA journal_mode = WAL")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
        {
          attempt += 1
          if attempt > 200 { throw error }
          usleep(UInt32.random(in: 5_000...25_000))
        }
      }
      // In WAL mode, NORMAL loses nothing when a process dies, only (on power loss) the last commits
      // before a checkpoint. Keeping the log file and skipping the checkpoint at close spare every hook
      // run creating, syncing and deleting it.
      try db.execute(sql: "PRAGMA synchronous = NORMAL")
      // Every octo-git process is usually the file's only connection, and the first connection rebuilds
      // the log's index by reading every frame in it: checkpointing at 64 pages (not 1,000) keeps a
      // hook's log small; see also trimLog for large writes.
      try db.execute(sql: "PRAGMA wal_autocheckpoint = 64")
      // The kept log file is cut back to 1 MB after a checkpoint instead of staying at its largest size.
      try db.execute(sql: "PRAGMA journal_size_limit = 1048576")
      var persist: Int32 = 1
      _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
      _ = octo_sqlite_skip_checkpoint_on_close(UnsafeMutableRawPointer(db.sqliteConnection))
    }
    return configuration
  }

  /// Empties the write-ahead log once it holds more than 1 MB. Every octo-git process is usually the
  /// file's first connection, and a first connection rebuilds the log's index by reading every frame still
  /// in the file, checkpointed or not (the index of what was copied back does not outlive the last
  /// connection): an import's 10 MB log cost every later hook and report that read. A busy checkpoint is
  /// left for the next write.
  static func trimLog(_ database: DatabaseQueue, path: String) {
    var status = stat()
    guard stat(path + "-wal", &status) == 0, status.st_size > 1 << 20 else { return }
    _ = try? database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
  }

  /// Brings the schema up to date. The version is read first without a lock (the usual case: nothing to
  /// do); otherwise the changes run in one IMMEDIATE transaction that reads the version again, so
  /// processes opening a new database at the same moment apply each change exactly once.
  static func migrate(_ database: DatabaseQueue, _ migrations: [String]) throws {
    let current = try database.read { try Int.fetchOne($0, sql: "PRAGMA user_version") ?? 0 }
    if current == migrations.count { return }
    if current > migrations.count {
      throw OctoError(
        "the octo-git database \(database.path) was written by a newer octo-git (schema \(current))",
        hint: "upgrade octo-git")
    }
    try database.write { db in
      let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
      for (index, migration) in migrations.enumerated() where index >= version {
        try db.execute(sql: migration)
        try db.execute(sql: "PRAGMA user_version = \(index + 1)")
      }
    }
  }

  /// A SQLite failure as a one-line error; `damaged` is what to do when the file is corrupt.
  static func error(_ error: DatabaseError, path: String, damaged: String) -> OctoError {
    switch error.resultCode {
    case .SQLITE_BUSY, .SQLITE_LOCKED:
      return OctoError(
        "the octo-git database \(path) is busy", hint: "another octo-git is writing; run it again", status: .tryAgain)
    case .SQLITE_CORRUPT, .SQLITE_NOTADB:
      return OctoError("the octo-git database \(path) is damaged", hint: damaged)
    case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
      return OctoError("cannot write the octo-git database \(path)", hint: "check the folder's permissions")
    case _ where error.message == "integer overflow":
      // sum() past 64 bits: the data holds absurd values (each line is bounded, so only thousands of them).
      return OctoError.badInput(
        "sums in \(path) overflow 64 bits: the notes hold absurd counts",
        hint: UsageLimits.overflowHint)
    default:
      return OctoError("database error in \(path): \(error.message ?? "\(error.resultCode)")")
    }
  }
}
