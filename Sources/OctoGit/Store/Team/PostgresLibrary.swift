import CPostgres
import Foundation

/// libpq, PostgreSQL's client library, opened with `dlopen` the first time a `team` command needs it rather
/// than linked (as ``CurlLibrary`` opens libcurl): hooks and every other command never load it or its
/// dependencies (TLS, Kerberos, LDAP).
///
/// The functions octo-git calls are looked up once, all together, into typed C function pointers; a
/// libpq that lacks one of them counts as missing.
enum PostgresLibrary {
  typealias Connection = OpaquePointer
  typealias Result = OpaquePointer
  typealias ConnectParams =
    @convention(c) (
      UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?, Int32
    ) -> Connection?
  typealias ConnectionStatus = @convention(c) (Connection?) -> ConnStatusType
  typealias ConnectionText = @convention(c) (Connection?) -> UnsafeMutablePointer<CChar>?
  typealias ConnectionAction = @convention(c) (Connection?) -> Void
  typealias ConnectionNumber = @convention(c) (Connection?) -> Int32
  typealias SetNoticeProcessor =
    @convention(c) (Connection?, PQnoticeProcessor?, UnsafeMutableRawPointer?) ->
    PQnoticeProcessor?
  typealias Exec = @convention(c) (Connection?, UnsafePointer<CChar>?) -> Result?
  typealias ExecParams =
    @convention(c) (
      Connection?, UnsafePointer<CChar>?, Int32, UnsafePointer<UInt32>?, UnsafePointer<UnsafePointer<CChar>?>?,
      UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32
    ) -> Result?
  typealias ResultStatus = @convention(c) (Result?) -> ExecStatusType
  typealias ResultText = @convention(c) (Result?) -> UnsafeMutablePointer<CChar>?
  typealias ResultField = @convention(c) (Result?, Int32) -> UnsafeMutablePointer<CChar>?
  typealias ResultNumber = @convention(c) (Result?) -> Int32
  typealias ResultAction = @convention(c) (Result?) -> Void
  typealias CellText = @convention(c) (Result?, Int32, Int32) -> UnsafeMutablePointer<CChar>?
  typealias CellNumber = @convention(c) (Result?, Int32, Int32) -> Int32
  typealias PutCopyData = @convention(c) (Connection?, UnsafePointer<CChar>?, Int32) -> Int32
  typealias PutCopyEnd = @convention(c) (Connection?, UnsafePointer<CChar>?) -> Int32
  typealias GetResult = @convention(c) (Connection?) -> Result?
  typealias ConninfoParse =
    @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?)
    -> UnsafeMutablePointer<PQconninfoOption>?
  typealias ConninfoFree = @convention(c) (UnsafeMutablePointer<PQconninfoOption>?) -> Void
  typealias FreeMemory = @convention(c) (UnsafeMutableRawPointer?) -> Void
  typealias LibraryVersion = @convention(c) () -> Int32

  /// The typed entry points octo-git uses (C function pointers capture nothing: `Sendable` as they are).
  struct Functions: Sendable {
    let connectdbParams: ConnectParams
    let status: ConnectionStatus
    let errorMessage: ConnectionText
    let finish: ConnectionAction
    let connectionNeedsPassword: ConnectionNumber
    let serverVersion: ConnectionNumber
    let setNoticeProcessor: SetNoticeProcessor
    let exec: Exec
    let execParams: ExecParams
    let resultStatus: ResultStatus
    let resultErrorMessage: ResultText
    let resultErrorField: ResultField
    let ntuples: ResultNumber
    let nfields: ResultNumber
    let getvalue: CellText
    let getisnull: CellNumber
    let getlength: CellNumber
    let cmdTuples: ResultText
    let clear: ResultAction
    let putCopyData: PutCopyData
    let putCopyEnd: PutCopyEnd
    let getResult: GetResult
    let conninfoParse: ConninfoParse
    let conninfoFree: ConninfoFree
    let freemem: FreeMemory
    let libVersion: LibraryVersion
  }

  /// The functions once loaded, and whether loading was tried (it is tried once).
  private static let loaded = Locked<(functions: Functions?, tried: Bool)>((nil, false))

  /// The functions, loading libpq on first use.
  ///
  /// - Throws: ``PostgresError`` when libpq (or one of the functions) is missing.
  static func functions() throws -> Functions {
    try loaded.withLock { state in
      if let functions = state.functions { return functions }
      if state.tried { throw missing }
      state.tried = true
      let functions = try load()
      state.functions = functions
      return functions
    }
  }

  /// libpq's functions, from a `dlopen` of it.
  private static func load() throws -> Functions {
    guard let handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL) ?? dlopen("libpq.so", RTLD_NOW | RTLD_LOCAL)
    else { throw missing }
    func symbol<T>(_ name: String, _ type: T.Type) throws -> T {
      guard let address = dlsym(handle, name) else { throw missing }
      return unsafeBitCast(address, to: type)
    }
    return Functions(
      connectdbParams: try symbol("PQconnectdbParams", ConnectParams.self),
      status: try symbol("PQstatus", ConnectionStatus.self),
      errorMessage: try symbol("PQerrorMessage", ConnectionText.self),
      finish: try symbol("PQfinish", ConnectionAction.self),
      connectionNeedsPassword: try symbol("PQconnectionNeedsPassword", ConnectionNumber.self),
      serverVersion: try symbol("PQserverVersion", ConnectionNumber.self),
      setNoticeProcessor: try symbol("PQsetNoticeProcessor", SetNoticeProcessor.self),
      exec: try symbol("PQexec", Exec.self),
      execParams: try symbol("PQexecParams", ExecParams.self),
      resultStatus: try symbol("PQresultStatus", ResultStatus.self),
      resultErrorMessage: try symbol("PQresultErrorMessage", ResultText.self),
      resultErrorField: try symbol("PQresultErrorField", ResultField.self),
      ntuples: try symbol("PQntuples", ResultNumber.self),
      nfields: try symbol("PQnfields", ResultNumber.self),
      getvalue: try symbol("PQgetvalue", CellText.self),
      getisnull: try symbol("PQgetisnull", CellNumber.self),
      getlength: try symbol("PQgetlength", CellNumber.self),
      cmdTuples: try symbol("PQcmdTuples", ResultText.self),
      clear: try symbol("PQclear", ResultAction.self),
      putCopyData: try symbol("PQputCopyData", PutCopyData.self),
      putCopyEnd: try symbol("PQputCopyEnd", PutCopyEnd.self),
      getResult: try symbol("PQgetResult", GetResult.self),
      conninfoParse: try symbol("PQconninfoParse", ConninfoParse.self),
      conninfoFree: try symbol("PQconninfoFree", ConninfoFree.self),
      freemem: try symbol("PQfreemem", FreeMemory.self),
      libVersion: try symbol("PQlibVersion", LibraryVersion.self))
  }

  /// The error when libpq cannot be loaded.
  static var missing: PostgresError {
    PostgresError(
      "libpq (PostgreSQL's client library) is not installed", kind: .libraryMissing,
      hint: "install it (Debian: apt-get install libpq5)")
  }

  /// libpq's version, e.g. `15.8` (`nil` when it is not installed).
  static var version: String? {
    guard let functions = try? functions() else { return nil }
    let number = Int(functions.libVersion())
    return number >= 100_000
      ? "\(number / 10_000).\(number % 10_000)" : "\(number / 10_000).\(number / 100 % 100).\(number % 100)"
  }

  /// A connection string's settings, as libpq reads it (a `postgresql://` URL or `key=value` pairs), each
  /// keyword with its value; `nil` values are not set.
  /// libpq's parse errors quote what they stumbled on: the whole URI, a percent-encoded token, a word of
  /// key=value settings; any of them can be the password, which may itself hold quotes. Everything from
  /// the first quote to the last is replaced by `"…"`.
  static func withoutQuotedParts(_ message: String) -> String {
    guard let first = message.firstIndex(of: "\""), let last = message.lastIndex(of: "\"") else { return message }
    return String(message[..<first]) + "\"…\"" + (first < last ? String(message[message.index(after: last)...]) : "")
  }

  static func parse(_ conninfo: String) throws -> [String: String] {
    let functions = try functions()
    var message: UnsafeMutablePointer<CChar>?
    guard let options = functions.conninfoParse(conninfo, &message) else {
      let text = message.map { String(cString: $0) } ?? "not a connection string"
      if let message { functions.freemem(message) }
      throw PostgresError(PostgresError.oneLine(Self.withoutQuotedParts(text)), kind: .badSettings)
    }
    defer { functions.conninfoFree(options) }
    var settings: [String: String] = [:]
    var option = options
    while let keyword = option.pointee.keyword {
      if let value = option.pointee.val { settings[String(cString: keyword)] = String(cString: value) }
      option += 1
    }
    return settings
  }
}
