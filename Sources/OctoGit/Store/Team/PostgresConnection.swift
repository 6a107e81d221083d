import CPostgres
import Foundation

/// One connection to a PostgreSQL server through libpq (see ``PostgresLibrary``): owns its `PGconn`, closed
/// in `deinit`. Commands run one at a time, text in and text out. Not `Sendable`: one thread at a time.
final class PostgresConnection {
  private let handle: OpaquePointer
  private let functions: PostgresLibrary.Functions
  /// How many commands (queries, statements, copies) this connection has sent: what tests and `--json`
  /// show to prove that a push with nothing new asked the server about one thing.
  private(set) var commands = 0

  /// Connects with libpq's keyword/value settings, in order; the value of `dbname` may be a whole
  /// connection string (a `postgresql://` URL or `key=value` pairs), whose settings then override the ones
  /// before it. libpq reads what is not given from its environment (`PGPASSWORD`, `PGSERVICE`, `~/.pgpass`…).
  init(settings: [(keyword: String, value: String)]) throws {
    let functions = try PostgresLibrary.functions()
    self.functions = functions
    let keywords = settings.map { strdup($0.keyword) }
    let values = settings.map { strdup($0.value) }
    defer {
      keywords.forEach { free($0) }
      values.forEach { free($0) }
    }
    var keywordList: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer($0) } + [nil]
    var valueList: [UnsafePointer<CChar>?] = values.map { UnsafePointer($0) } + [nil]
    let connection = keywordList.withUnsafeMutableBufferPointer { keywordBuffer in
      valueList.withUnsafeMutableBufferPointer { valueBuffer in
        functions.connectdbParams(
          UnsafePointer(keywordBuffer.baseAddress), UnsafePointer(valueBuffer.baseAddress), 1)
      }
    }
    guard let connection else {
      throw PostgresError("out of memory connecting to PostgreSQL", kind: .unreachable)
    }
    guard functions.status(connection) == CONNECTION_OK else {
      let text = functions.errorMessage(connection).map { String(cString: $0) } ?? "connection failed"
      let needsPassword = functions.connectionNeedsPassword(connection) == 1
      functions.finish(connection)
      throw PostgresError.connectionFailure(text, needsPassword: needsPassword)
    }
    handle = connection
    // libpq prints the server's notices ("schema already exists, skipping") on stderr by default.
    _ = functions.setNoticeProcessor(handle, { _, _ in }, nil)
  }

  deinit { functions.finish(handle) }

  /// The server's version number (`150008` for 15.8).
  var serverVersion: Int { Int(functions.serverVersion(handle)) }

  /// Runs one or more commands without parameters; returns the last one's result.
  @discardableResult
  func execute(_ sql: String) throws -> PostgresResult {
    commands += 1
    return try check(functions.exec(handle, sql))
  }

  /// Runs one command with text parameters (`$1`, `$2`…; `nil` is SQL `NULL`).
  @discardableResult
  func execute(_ sql: String, _ parameters: [String?]) throws -> PostgresResult {
    if parameters.isEmpty { return try execute(sql) }
    commands += 1
    let copies = parameters.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    let result = pointers.withUnsafeBufferPointer { values in
      functions.execParams(handle, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
    }
    return try check(result)
  }

  /// Runs `COPY … FROM STDIN` (`sql`) and sends `data` in text format; returns how many rows the server
  /// read.
  @discardableResult
  func copy(_ sql: String, data: [UInt8]) throws -> Int {
    commands += 1
    guard let started = functions.exec(handle, sql) else { throw connectionError() }
    let start = PostgresResult(started, functions: functions)
    guard start.status == PGRES_COPY_IN else {
      try failure(of: start)
      throw PostgresError("COPY did not start", kind: .query)
    }
    var offset = 0
    let chunk = 1 << 20
    while offset < data.count {
      let count = min(chunk, data.count - offset)
      let sent = data.withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: count) {
          functions.putCopyData(handle, $0, Int32(count))
        }
      }
      guard sent == 1 else { throw connectionError() }
      offset += count
    }
    guard functions.putCopyEnd(handle, nil) == 1 else { throw connectionError() }
    // The command's outcome, then nil once it is over.
    var outcome: PostgresResult?
    while let next = functions.getResult(handle) {
      let result = PostgresResult(next, functions: functions)
      if outcome == nil || result.status != PGRES_COMMAND_OK { outcome = result }
    }
    guard let outcome else { throw connectionError() }
    try failure(of: outcome)
    return outcome.affectedRows
  }

  /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
  func transaction<T>(_ body: () throws -> T) throws -> T {
    try execute("BEGIN")
    do {
      let value = try body()
      try execute("COMMIT")
      return value
    } catch {
      if functions.status(handle) == CONNECTION_OK { _ = try? execute("ROLLBACK") }
      throw error
    }
  }

  /// Whether the connection still works (it breaks when the server stops).
  var isAlive: Bool { functions.status(handle) == CONNECTION_OK }

  private func check(_ pointer: OpaquePointer?) throws -> PostgresResult {
    guard let pointer else { throw connectionError() }
    let result = PostgresResult(pointer, functions: functions)
    try failure(of: result)
    return result
  }

  /// Throws the error a result carries, if it carries one.
  private func failure(of result: PostgresResult) throws {
    let status = result.status
    guard status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR else { return }
    let state = result.errorField("C")
    let primary = result.errorField("M") ?? result.errorMessage
    var message = PostgresError.oneLine(primary.isEmpty ? "command failed" : primary)
    if let detail = result.errorField("D") { message += " (\(PostgresError.oneLine(detail)))" }
    if functions.status(handle) != CONNECTION_OK || (state == nil && message.contains("server closed the connection")) {
      throw PostgresError(message, kind: .connectionLost, sqlState: state)
    }
    throw PostgresError(message, kind: .query, sqlState: state, hint: result.errorField("H").map(PostgresError.oneLine))
  }

  private func connectionError() -> PostgresError {
    let text = functions.errorMessage(handle).map { String(cString: $0) } ?? ""
    return PostgresError(
      PostgresError.oneLine(text.isEmpty ? "the connection to the server broke" : text),
      kind: functions.status(handle) == CONNECTION_OK ? .query : .connectionLost)
  }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}

/// A command's result: owns its `PGresult`, cleared in `deinit`. Values are read as text.
final class PostgresResult {
  private let pointer: OpaquePointer
  private let functions: PostgresLibrary.Functions

  init(_ pointer: OpaquePointer, functions: PostgresLibrary.Functions) {
    self.pointer = pointer
    self.functions = functions
  }

  deinit { functions.clear(pointer) }

  var status: ExecStatusType { functions.resultStatus(pointer) }
  var rowCount: Int { Int(functions.ntuples(pointer)) }
  var columnCount: Int { Int(functions.nfields(pointer)) }

  /// The rows an `INSERT`, `UPDATE`, `DELETE` or `COPY` touched (0 for other commands).
  var affectedRows: Int {
    functions.cmdTuples(pointer).flatMap { Int(String(cString: $0)) } ?? 0
  }

  /// The value at `row` and `column` as text; `nil` for SQL `NULL`.
  subscript(row: Int, column: Int) -> String? {
    guard row < rowCount, column < columnCount else { return nil }
    if functions.getisnull(pointer, Int32(row), Int32(column)) == 1 { return nil }
    guard let value = functions.getvalue(pointer, Int32(row), Int32(column)) else { return nil }
    let length = Int(functions.getlength(pointer, Int32(row), Int32(column)))
    return value.withMemoryRebound(to: UInt8.self, capacity: length) {
      String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
  }

  var errorMessage: String { functions.resultErrorMessage(pointer).map { String(cString: $0) } ?? "" }

  /// A field of the error (`C`: SQLSTATE, `M`: primary message, `D`: detail, `H`: hint).
  func errorField(_ code: Character) -> String? {
    guard let ascii = code.asciiValue else { return nil }
    return functions.resultErrorField(pointer, Int32(ascii)).map { String(cString: $0) }
  }
}

@available(*, unavailable)
extension PostgresResult: Sendable {}
