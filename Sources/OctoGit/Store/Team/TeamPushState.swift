import Foundation
import GRDB

/// What `team push` sent, `$XDG_DATA_HOME/octo-git/team.sqlite`: for each team database (by the id `team
/// init` gave it, never its URL) and registered repository, the usage notes tip whose events the database
/// holds. A repository whose notes did not move since costs nothing; a database with another id (a
/// different or recreated one) gets everything. Only a cache: deleting it makes the next push send
/// everything again, which changes nothing in the team database.
final class TeamPushState: SQLiteStore {
  let database: DatabaseQueue
  let path: String
  static let damagedHint = "delete it: the next octo-git team push sends everything again"

  static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    Paths.dataHome(environment: environment) + "/octo-git/team.sqlite"
  }

  init(path: String = TeamPushState.defaultPath()) throws {
    self.path = path
    database = try SQLiteSetup.open(
      path: path, label: "octo-git team", migrations: Self.migrations, damaged: Self.damagedHint)
  }

  /// Schema changes, in order. Never edit a shipped one: append.
  static let migrations: [String] = [
    """
    CREATE TABLE pushed (
      team_database TEXT NOT NULL,
      path TEXT NOT NULL,
      project TEXT NOT NULL,
      tip TEXT NOT NULL,
      pushed_at INTEGER NOT NULL,
      PRIMARY KEY (team_database, path)
    ) WITHOUT ROWID;
    """,
    // Copies ranked by EventCopy: the next push reads every repository whole and re-ranks what the database
    // holds (rows of notes removed before are taken out by `team push --all`).
    "DELETE FROM pushed;",
    // EventCopy ranks the costlier copy first: every repository read and re-ranked again.
    "DELETE FROM pushed;",
    // The last event whose row a push took out (octo.forgotten) that this machine sent its copies of.
    """
    CREATE TABLE forgotten_seen (
      team_database TEXT PRIMARY KEY,
      seq INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
    // How many events the repository's notes held when they were last read whole: the team database holds
    // at least that many, unless it lost some (restored from a backup, rows deleted by hand).
    "ALTER TABLE pushed ADD COLUMN events INTEGER NOT NULL DEFAULT 0;",
  ]

  /// What was pushed of one repository.
  struct Pushed: Sendable, Equatable {
    var project: String
    var tip: String
    /// How many events its notes held when last read whole (0: not known).
    var events = 0
  }

  /// Every repository's last pushed tip in the team database `databaseID`, by path.
  func pushed(to databaseID: String) throws -> [String: Pushed] {
    try read { db in
      var result: [String: Pushed] = [:]
      let rows = try Row.fetchCursor(
        db, sql: "SELECT path, project, tip, events FROM pushed WHERE team_database = ?", arguments: [databaseID])
      while let row = try rows.next() {
        result[row[0]] = Pushed(project: row[1], tip: row[2], events: row[3])
      }
      return result
    }
  }

  /// The most events one repository's notes held when last read whole, for any team database: what a push
  /// counts the database's rows up to.
  func mostEventsHeld() throws -> Int {
    try read { db in try Int.fetchOne(db, sql: "SELECT coalesce(max(events), 0) FROM pushed") ?? 0 }
  }

  /// Records that the team database `databaseID` holds every event of these repositories' notes at these
  /// tips.
  func record(_ repositories: [(path: String, pushed: Pushed)], to databaseID: String) throws {
    guard !repositories.isEmpty else { return }
    let now = Int64(Date().timeIntervalSince1970)
    try write { db in
      for (path, pushed) in repositories {
        try db.execute(
          sql: """
            INSERT INTO pushed (team_database, path, project, tip, pushed_at, events) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (team_database, path) DO UPDATE SET project = excluded.project, tip = excluded.tip,
              pushed_at = excluded.pushed_at, events = excluded.events
            """,
          arguments: [databaseID, path, pushed.project, pushed.tip, now, pushed.events])
      }
    }
  }

  /// The number of the last event taken out of `databaseID` (`octo.forgotten`) whose copies this machine
  /// sent again; `nil` before its first push there.
  func forgottenSeen(in databaseID: String) throws -> Int64? {
    try read { db in
      try Int64.fetchOne(
        db, sql: "SELECT seq FROM forgotten_seen WHERE team_database = ?", arguments: [databaseID])
    }
  }

  func recordForgottenSeen(_ seq: Int64, in databaseID: String) throws {
    try write { db in
      try db.execute(
        sql: """
          INSERT INTO forgotten_seen (team_database, seq) VALUES (?, ?)
          ON CONFLICT (team_database) DO UPDATE SET seq = excluded.seq
          """,
        arguments: [databaseID, seq])
    }
  }

  /// Forgets what was pushed to `databaseID` (every database when `nil`): the next push sends everything.
  func forget(_ databaseID: String?) throws {
    try write { db in
      if let databaseID {
        try db.execute(sql: "DELETE FROM pushed WHERE team_database = ?", arguments: [databaseID])
      } else {
        try db.execute(sql: "DELETE FROM pushed")
      }
    }
  }
}

@available(*, unavailable)
extension TeamPushState: Sendable {}
