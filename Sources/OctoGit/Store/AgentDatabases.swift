import Foundation
import GRDB

/// The SQLite databases other programs keep (OpenCode's and Kilo's messages, an editor's state), opened
/// read-only: never written, their write-ahead log read as SQLite reads it (rows may live only there).
enum AgentDatabases {
  /// One OpenCode message row; the session's folder and the times are missing in older schemas.
  struct MessageRow {
    let id: String?
    let session: String?
    let created: Int64?
    let updated: Int64?
    let data: String?
    let directory: String?
    /// When the message's session was created (`nil` in older schemas).
    var sessionCreated: Int64? = nil
  }

  static func open(_ path: String, label: String, busySeconds: Double) throws -> DatabaseQueue {
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(busySeconds)
    configuration.label = label
    return try DatabaseQueue(path: path, configuration: configuration)
  }

  /// Calls `body` with each message of the OpenCode-schema database at `path` updated at or after
  /// `updatedSince` (every message, in an older schema that keeps no times).
  ///
  /// - Throws: GRDB's `DatabaseError` when the file is not such a database.
  static func forEachMessage(
    in path: String, label: String, updatedSince: Int64, _ body: (MessageRow) throws -> Void
  ) throws {
    let database = try open(path, label: label, busySeconds: 5)
    defer { try? database.close() }
    try database.read { db in
      let cursor: RowCursor
      var joined = true
      let select = "SELECT m.id, m.session_id, m.time_created, m.time_updated, m.data, s.directory"
      let from = " FROM message m LEFT JOIN session s ON s.id = m.session_id WHERE m.time_updated >= ?"
      var withSessionTime = true
      do {
        cursor = try Row.fetchCursor(db, sql: select + ", s.time_created" + from, arguments: [updatedSince])
      } catch {
        do {
          withSessionTime = false
          cursor = try Row.fetchCursor(db, sql: select + from, arguments: [updatedSince])
        } catch {
          // An older schema: no session table or no times.
          joined = false
          cursor = try Row.fetchCursor(db, sql: "SELECT id, session_id, data FROM message")
        }
      }
      while let row = try cursor.next() {
        var message = MessageRow(
          id: row[0], session: row[1], created: joined ? row[2] : nil, updated: joined ? row[3] : nil,
          data: joined ? row[4] : row[2], directory: joined ? row[5] : nil)
        if joined && withSessionTime { message.sessionCreated = row[6] }
        try body(message)
      }
    }
  }

  /// The value an editor (VS Code and its forks) keeps under `key` in its `state.vscdb`, or `nil`.
  static func editorState(_ path: String, key: String) -> String? {
    guard let database = try? open(path, label: "editor state", busySeconds: 2) else { return nil }
    defer { try? database.close() }
    return
      (try? database.read { db in
        try String.fetchOne(db, sql: "SELECT value FROM ItemTable WHERE key = ?", arguments: [key])
      }) ?? nil
  }
}
