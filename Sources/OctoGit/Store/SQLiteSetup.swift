import CShims
import Foundation
import GRDB
import GRDBSQLite

/// How octo-git opens its SQLite files (the repository's ledger and the user's rollup): WAL with a busy
/// timeout, migrations numbered by `PRAGMA user_version`, and failures as one-line errors.
enum SQLiteSetup {
  /// A connection configuration for a file used by many processes at once.
  static func configuration(label: String) -> Configuration {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    configuration.label = label
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
    return configuration
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
      return OctoError("the octo-git database \(path) is busy", hint: "another octo-git is writing; run it again", status: .tryAgain)
    case .SQLITE_CORRUPT, .SQLITE_NOTADB:
      return OctoError("the octo-git database \(path) is damaged", hint: damaged)
    case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
      return OctoError("cannot write the octo-git database \(path)", hint: "check the folder's permissions")
    default:
      return OctoError("database error in \(path): \(error.message ?? "\(error.resultCode)")")
    }
  }
}
