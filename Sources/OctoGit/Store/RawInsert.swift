import GRDB
import GRDBSQLite

/// A prepared statement run many times with values bound straight through SQLite's C API: no argument
/// arrays, no existential boxing. For the hot insert loops (hundreds of thousands of rows).
///
/// Lives only inside the GRDB transaction whose statement it wraps.
struct RawInsert {
  let statement: Statement
  private var index: Int32 = 0

  init(_ statement: Statement) { self.statement = statement }

  /// SQLite copies bound text at once (`SQLITE_TRANSIENT`), so the Swift string may go away after the bind.
  private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  mutating func bind(_ text: String?) {
    index += 1
    guard var text else {
      sqlite3_bind_null(statement.sqliteStatement, index)
      return
    }
    text.withUTF8 { bytes in
      guard let base = bytes.baseAddress, bytes.count > 0 else {
        _ = sqlite3_bind_text(statement.sqliteStatement, index, "", 0, Self.transient)
        return
      }
      _ = sqlite3_bind_text(
        statement.sqliteStatement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count),
        Self.transient)
    }
  }

  mutating func bind(_ number: Int64?) {
    index += 1
    if let number { sqlite3_bind_int64(statement.sqliteStatement, index, number) } else {
      sqlite3_bind_null(statement.sqliteStatement, index)
    }
  }

  mutating func bind(_ number: Int) { bind(Int64(number)) }

  /// Runs the statement with the values bound since the last run.
  mutating func run() throws {
    index = 0
    let code = sqlite3_step(statement.sqliteStatement)
    sqlite3_reset(statement.sqliteStatement)
    guard code == SQLITE_DONE || code == SQLITE_ROW else {
      throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errstr(code)))
    }
  }
}
