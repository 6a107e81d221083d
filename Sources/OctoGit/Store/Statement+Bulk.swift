import GRDB
import GRDBSQLite

/// Binds values to a prepared statement's parameters (numbered from 1) straight through SQLite's C API.
struct StatementBinder {
  fileprivate let statement: OpaquePointer

  /// SQLite copies the text before the call returns.
  func text(_ index: Int32, _ value: String) {
    var copy = value
    copy.withUTF8 { bytes in
      guard let base = bytes.baseAddress, !bytes.isEmpty else {
        _ = sqlite3_bind_text(statement, index, "", 0, nil)
        return
      }
      _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
        sqlite3_bind_text(statement, index, $0, Int32(bytes.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
      }
    }
  }

  func integer(_ index: Int32, _ value: Int64) { _ = sqlite3_bind_int64(statement, index, value) }

  func text(_ index: Int32, _ value: String?) {
    if let value { text(index, value) } else { _ = sqlite3_bind_null(statement, index) }
  }

  func integer(_ index: Int32, _ value: Int64?) {
    if let value { integer(index, value) } else { _ = sqlite3_bind_null(statement, index) }
  }
}

extension Statement {
  /// Runs this statement once with the values `bind` gives, straight through SQLite's C API: for bulk
  /// writes of tens of thousands of rows, where building GRDB's argument values for every row costs more
  /// than SQLite's own work.
  func bindAndStep(in db: Database, _ bind: (StatementBinder) -> Void) throws {
    sqlite3_reset(sqliteStatement)
    bind(StatementBinder(statement: sqliteStatement))
    let code = sqlite3_step(sqliteStatement)
    guard code == SQLITE_DONE else {
      let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
      sqlite3_reset(sqliteStatement)
      throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }
    sqlite3_reset(sqliteStatement)
  }
}
