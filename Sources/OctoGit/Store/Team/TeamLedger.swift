import Foundation

/// The team's ledger in PostgreSQL (schema `octo`): every machine pushes its registered repositories'
/// usage events (`team push`), anyone reports on them (`team report`, the same report as `rollup`,
/// computed by the database), and dashboards read the views `octo.daily` and `octo.cycles`.
///
/// One connection per value, opened by ``init(url:)``; every failure is an ``OctoError`` on one line:
/// the server down or unreachable within the connect timeout (``ExitStatus/unavailable``), the
/// credentials refused, a schema newer than this octo-git (it refuses to write), permission denied.
/// Credentials never appear in what it prints.
public final class TeamLedger {
  public let url: TeamDatabaseURL
  let connection: PostgresConnection

  /// Connects (libpq is loaded now, not before).
  public init(url: TeamDatabaseURL) throws {
    self.url = url
    do {
      connection = try PostgresConnection(settings: url.connectionSettings())
    } catch let error as PostgresError {
      throw Self.octoError(error, place: url.displayName, secret: url.settings["password"])
    }
  }

  /// Commands sent to the server so far.
  public var commands: Int { connection.commands }

  // MARK: - init

  /// What `team init` did.
  public struct Setup: Sendable {
    /// The schema version before (0: there was none) and now.
    public let from: Int
    public let to: Int
    /// The id the database was given when its schema was made.
    public let databaseID: String
  }

  /// Creates or migrates the schema `octo` (idempotent; safe from several machines at once), and sets the
  /// views' billing cycle day and time zone when given.
  public func initialise(cycleDay: Int? = nil, timeZone: String? = nil) throws -> Setup {
    var settings: [String: String] = [:]
    if let cycleDay {
      guard (1...31).contains(cycleDay) else {
        throw OctoError("--cycle-day must be a day of the month, 1 to 31, not \(cycleDay)", status: .usage)
      }
      settings["cycleDay"] = String(cycleDay)
    }
    if let timeZone {
      guard TimeZone(identifier: timeZone) != nil else {
        throw OctoError(
          "unknown time zone '\(timeZone)'", hint: "use an IANA name such as Europe/Berlin", status: .usage)
      }
      settings["timeZone"] = TeamUsageQuery.postgresZoneName(timeZone)
    }
    let migration = try run { try TeamSchema.migrate(connection, settings: settings) }
    return Setup(from: migration.from, to: migration.to, databaseID: migration.databaseID)
  }

  // MARK: - push

  /// What `team push` did.
  public struct PushSummary: Sendable {
    public let databaseID: String
    public let repositories: Int
    public let read: Int
    /// Repositories skipped as unchanged since the last push to this database.
    public let unchanged: Int
    public let notesRead: Int
    /// Events sent.
    public let pushed: Int
    /// Rows the database inserted or replaced.
    public let written: Int
    /// Rows deleted because the notes that held their events were removed or rewritten.
    public let removed: Int
    /// Events of removed notes whose rows stay: the role may not DELETE on `octo.events`.
    public let notRemoved: Int
    public let batches: Int
    public let malformedLines: Int
    public let skipped: [(path: String, reason: String)]
    /// Commands sent to the server, reading the schema's state included: 1 when nothing was new.
    public let commands: Int
    /// Whether the database held fewer events than this machine had sent (restored from a backup, rows
    /// deleted by hand), so every repository was read whole again.
    public let databaseLostEvents: Bool

    /// The documented JSON form.
    public var json: JSONValue {
      .object([
        "database": .string(databaseID), "repositories": .int(repositories), "read": .int(read),
        "unchanged": .int(unchanged), "notesRead": .int(notesRead), "pushed": .int(pushed), "written": .int(written),
        "removed": .int(removed), "notRemoved": .int(notRemoved),
        "batches": .int(batches), "malformedLines": .int(malformedLines), "commands": .int(commands),
        "databaseLostEvents": .bool(databaseLostEvents),
        "skipped": .array(skipped.map { .object(["path": .string($0.path), "reason": .string($0.reason)]) }),
      ])
    }
  }

  /// Sends the events of `entries` (registered repositories; default: every one) that this database may
  /// lack. `statePath` is the local record of what was pushed (default `$XDG_DATA_HOME/octo-git/team.sqlite`).
  public func push(
    _ entries: [RollupStore.Entry]? = nil, statePath: String? = nil, everything: Bool = false,
    progress: ((Int, Int) -> Void)? = nil
  ) throws -> PushSummary {
    var options = TeamPush.Options()
    options.everything = everything
    return try push(entries, statePath: statePath, options: options, progress: progress)
  }

  func push(
    _ entries: [RollupStore.Entry]?, statePath: String?, options: TeamPush.Options,
    progress: ((Int, Int) -> Void)? = nil
  ) throws -> PushSummary {
    let state = try statePath.map { try TeamPushState(path: $0) } ?? TeamPushState()
    let schema = try run {
      try TeamSchema.state(of: connection, forPush: true, countingUpTo: try state.mostEventsHeld())
    }
    try checkWritable(schema)
    let registered = try entries ?? RollupStore().entries()
    let identity = Self.pusher()
    var push = TeamPush(
      connection: connection, state: state, databaseID: schema.databaseID, pushedBy: identity.user,
      pushedFrom: identity.machine)
    push.options = options
    push.forgottenSeq = schema.forgottenSeq
    push.eventCount = schema.eventCount
    let summary = try run { try push.run(registered, progress: progress) }
    return PushSummary(
      databaseID: summary.databaseID, repositories: summary.repositories, read: summary.read,
      unchanged: summary.unchanged, notesRead: summary.notesRead, pushed: summary.pushed, written: summary.written,
      removed: summary.removed, notRemoved: summary.notRemoved,
      batches: summary.batches, malformedLines: summary.malformedLines, skipped: summary.skipped,
      commands: summary.commands, databaseLostEvents: summary.databaseLostEvents)
  }

  /// Who pushes: `user.email` from the user's git config (else the login name) and the host name.
  static func pusher(environment: [String: String] = ProcessInfo.processInfo.environment) -> (
    user: String, machine: String
  ) {
    let email = (try? Config.outsideRepository().string("user.email")) ?? nil
    let user = email.flatMap { $0.isEmpty ? nil : $0 } ?? environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
    var name = [CChar](repeating: 0, count: 256)
    let machine =
      gethostname(&name, name.count - 1) == 0
      ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
    return (user, machine.isEmpty ? "unknown" : machine)
  }

  /// Refuses to write to a database without the schema, with an older one (`team init` migrates it) or
  /// with a newer one (made by a newer octo-git).
  func checkWritable(_ schema: TeamSchema.State) throws {
    if schema.version == 0 {
      throw OctoError(
        "the team database \(url.displayName) has no octo-git schema",
        hint: "run octo-git team init (with the same URL) once first")
    }
    if schema.version > TeamSchema.version {
      throw Self.newerSchema(found: schema.version, migratedBy: schema.migratedBy, place: url.displayName)
    }
    if schema.version < TeamSchema.version {
      throw OctoError(
        "the team database \(url.displayName) has schema version \(schema.version), older than this octo-git's "
          + "(\(TeamSchema.version))",
        hint: "run octo-git team init to migrate it")
    }
  }

  static func newerSchema(found: Int, migratedBy: String?, place: String) -> OctoError {
    OctoError(
      "the team database \(place) has schema version \(found), newer than this octo-git \(Version.octoGit) knows "
        + "(\(TeamSchema.version)): it does not write to it",
      hint: "upgrade octo-git to \(migratedBy.map { "\($0) (which set the schema up)" } ?? "a newer version") or later")
  }

  // MARK: - report

  /// The usage events `query` asks for, grouped and summed by the database, and the database's id (what the
  /// rollup's ``report(options:)`` is made of).
  func groupedUsage(_ query: TeamUsageQuery) throws -> (rows: [TeamUsageQuery.Row], databaseID: String) {
    let schema = try run { try TeamSchema.state(of: connection) }
    if schema.version == 0 {
      throw OctoError(
        "the team database \(url.displayName) has no octo-git schema",
        hint: "run octo-git team init, then octo-git team push from each machine")
    }
    if schema.version < TeamSchema.version {
      throw OctoError(
        "the team database \(url.displayName) has schema version \(schema.version), older than this octo-git's "
          + "(\(TeamSchema.version))",
        hint: "run octo-git team init to migrate it")
    }
    // A newer schema is read all the same: migrations only add.
    let rows = try run { try query.run(on: connection) }
    return (rows, schema.databaseID)
  }

  /// Which of `projects` the team database holds events of (one query, over every row: asked only to tell a
  /// name that matches nothing from a period with no usage).
  public func projectsHeld(_ projects: [String]) throws -> Set<String> {
    guard !projects.isEmpty else { return [] }
    let result = try run {
      try connection.execute(
        "SELECT DISTINCT project FROM octo.events WHERE project = ANY($1::text[])", [TeamPush.arrayLiteral(projects)])
    }
    return Set((0..<result.rowCount).compactMap { result[$0, 0] })
  }

  // MARK: - errors

  /// Runs `body`, turning PostgreSQL's failures into one-line errors.
  func run<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as PostgresError {
      throw Self.octoError(error, place: url.displayName, secret: url.settings["password"])
    } catch let error as TeamSchemaError {
      switch error {
      case .newer(let found, _, let migratedBy):
        throw Self.newerSchema(found: found, migratedBy: migratedBy, place: url.displayName)
      case .missing:
        throw OctoError("the team database \(url.displayName) has no octo-git schema", hint: "run octo-git team init")
      case .older(let found, let known):
        throw OctoError(
          "the team database \(url.displayName) has schema version \(found), older than \(known)",
          hint: "run octo-git team init to migrate it")
      case .unreadableVersion(let text):
        throw OctoError(
          "the team database \(url.displayName) has an octo schema whose version in octo.meta cannot be read ("
            + (text.map { "'\(SafeText.terminal(String($0.prefix(40))))'" } ?? "no schemaVersion row") + ")",
          hint:
            "if its tables are octo-git's schema version \(TeamSchema.version), set it back with INSERT INTO octo.meta "
            + "VALUES ('schemaVersion', '\(TeamSchema.version)') ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
      case .damaged(let missing):
        let shown = missing.prefix(6).joined(separator: ", ") + (missing.count > 6 ? ", …" : "")
        throw OctoError(
          "the octo schema in the team database \(url.displayName) lacks \(SafeText.terminal(shown))",
          hint: "recreate what is missing from a backup of the schema; or, losing every machine's rows, drop schema "
            + "octo, run octo-git team init, then octo-git team push --all on each machine")
      }
    }
  }

  /// A PostgreSQL failure as a one-line error naming the database (`place`), with what to do and the exit
  /// code that says what kind of failure it was. `secret` (a password) is masked wherever it appears.
  static func octoError(_ error: PostgresError, place: String?, secret: String? = nil) -> OctoError {
    var message = error.message
    if let secret, secret.count >= 3 { message = message.replacingOccurrences(of: secret, with: "***") }
    let at = place.map { " \($0)" } ?? ""
    switch error.kind {
    case .libraryMissing:
      return OctoError(message, hint: error.hint, status: .unavailable)
    case .badSettings:
      return OctoError.badInput("the team database URL cannot be read: \(message)")
    case .unreachable:
      return OctoError(
        "cannot reach the team database\(at): \(message)",
        hint:
          "check that the server runs and the URL's host and port (octo-git waits \(TeamDatabaseURL.connectTimeout) s "
          + "unless the URL's connect_timeout or PGCONNECT_TIMEOUT says otherwise)",
        status: .unavailable)
    case .authentication:
      return OctoError(
        "authentication to the team database\(at) failed: \(message)",
        hint: "give the password through ~/.pgpass, PGPASSWORD or a PGSERVICE entry (never in git config)")
    case .refused:
      return OctoError(
        "the team database\(at) refused the connection: \(message)",
        hint: "check the database name and that your role may connect to it")
    case .connectionLost:
      return OctoError(
        "lost the connection to the team database\(at): \(message)",
        hint: "what was committed before is kept; run it again when the server is back", status: .unavailable)
    case .query:
      if error.isServerGone {
        return OctoError(
          "lost the connection to the team database\(at): \(message)",
          hint: "what was committed before is kept; run it again when the server is back", status: .unavailable)
      }
      if error.isPermissionDenied {
        return OctoError(
          "permission denied in the team database\(at): \(message)",
          hint: "ask its owner to grant your role USAGE (and CREATE, for team init) on schema octo, "
            + "SELECT, INSERT, UPDATE, DELETE on octo.events, SELECT, INSERT on octo.forgotten and USAGE, SELECT "
            + "on octo.forgotten_seq_seq")
      }
      if error.sqlState == "55P03" {
        return OctoError(
          "the team database\(at) kept a table locked for over \(TeamPush.lockTimeout): \(message)",
          hint: "another session holds octo.events (a long query or maintenance); run it again once it ends",
          status: .tryAgain)
      }
      if error.sqlState == "57014" {
        return OctoError(
          "the team database\(at) cancelled a statement: \(message)",
          hint: "a statement_timeout set for your role or database cut it; raise it for the role that pushes "
            + "(ALTER ROLE … SET statement_timeout = '5min'), or run it again", status: .tryAgain)
      }
      if error.isRetryable {
        return OctoError(
          "the team database\(at) was busy with another writer: \(message)", hint: "run it again", status: .tryAgain)
      }
      if error.sqlState == "22023", message.contains("time zone") {
        return OctoError(
          "the team database\(at) does not know the time zone: \(message)",
          hint: "pass --tz with an IANA name such as Europe/Berlin", status: .usage)
      }
      return OctoError("team database\(at): \(message)", hint: error.hint)
    }
  }
}

@available(*, unavailable)
extension TeamLedger: Sendable {}
