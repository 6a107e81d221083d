import Foundation

/// The team ledger's schema `octo` in PostgreSQL: versioned migrations, applied by `team init` under an
/// advisory lock (two machines running it at once apply each change once), with the schema version, the
/// database's id and its settings in `octo.meta`.
///
/// Migrations only add (tables, columns, indexes, views, functions): an older octo-git can still read a
/// newer schema, but never writes to one (it would not fill what the newer one added).
enum TeamSchema {
  /// The key of the advisory lock `team init` holds while it migrates (any constant unlikely to be used by
  /// another program: "octo" in ASCII, then 17).
  static let lockKey: Int64 = 0x6F63_746F_0000_0011

  /// Schema changes, in order: migration `n` brings the schema to version `n`. Never edit a shipped one:
  /// append.
  static let migrations: [String] = [
    // 1: the events, one row per event id.
    """
    CREATE TABLE octo.events (
      event_id text PRIMARY KEY,
      at timestamptz NOT NULL,
      project text NOT NULL,
      model text NOT NULL,
      model_raw text NOT NULL,
      agent text,
      session text,
      user_name text,
      machine text,
      branch text,
      feature text,
      commit text,
      tin bigint NOT NULL,
      tout bigint NOT NULL,
      cw5m bigint NOT NULL,
      cw1h bigint NOT NULL,
      cr bigint NOT NULL,
      cost numeric,
      prices text,
      pushed_by text NOT NULL,
      pushed_from text NOT NULL,
      pushed_at timestamptz NOT NULL DEFAULT now()
    );
    -- BRIN: events arrive roughly in time order, and a block-range index costs next to nothing to keep up
    -- as pushes insert (a b-tree on at made a push half as slow again); it still narrows a period's scan.
    CREATE INDEX events_at ON octo.events USING brin (at);
    COMMENT ON TABLE octo.events IS \
    'octo-git usage events, one row per event id (the copy with the most output tokens)';
    COMMENT ON COLUMN octo.events.model IS 'the model as octo-git reports group it (normalised)';
    COMMENT ON COLUMN octo.events.model_raw IS 'the model as the usage note wrote it';
    COMMENT ON COLUMN octo.events.cost IS 'USD, exact; NULL when the model had no price';
    COMMENT ON COLUMN octo.events.commit IS 'the commit the usage note is attached to';
    """,
    // 2: settings, billing cycles and the views dashboards read.
    """
    CREATE FUNCTION octo.setting(name text, fallback text) RETURNS text
      LANGUAGE sql STABLE AS $$ SELECT coalesce((SELECT value FROM octo.meta WHERE key = name), fallback) $$;
    -- The day a billing cycle starting on cycle_day starts in day's month: that day, or the month's last
    -- day when the month is shorter.
    CREATE FUNCTION octo.cycle_day_in(day date, cycle_day integer) RETURNS date
      LANGUAGE sql IMMUTABLE AS $$
        SELECT least(
          date_trunc('month', day::timestamp)::date + (greatest(cycle_day, 1) - 1),
          (date_trunc('month', day::timestamp) + interval '1 month')::date - 1)
      $$;
    -- The first day of the billing cycle holding day.
    CREATE FUNCTION octo.cycle_start(day date, cycle_day integer) RETURNS date
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN day >= octo.cycle_day_in(day, cycle_day) THEN octo.cycle_day_in(day, cycle_day)
          ELSE octo.cycle_day_in((date_trunc('month', day::timestamp) - interval '1 month')::date, cycle_day) END
      $$;
    -- The last day of the billing cycle that starts on start.
    CREATE FUNCTION octo.cycle_end(start date, cycle_day integer) RETURNS date
      LANGUAGE sql IMMUTABLE AS $$
        SELECT octo.cycle_day_in((date_trunc('month', start::timestamp) + interval '1 month')::date, cycle_day) - 1
      $$;
    CREATE VIEW octo.daily AS
      SELECT (e.at AT TIME ZONE (SELECT octo.setting('timeZone', 'UTC')))::date AS day, e.project, e.user_name, e.model,
        e.agent, count(*) AS events, sum(e.tin) AS tin, sum(e.tout) AS tout, sum(e.cw5m) AS cw5m, sum(e.cw1h) AS cw1h,
        sum(e.cr) AS cr, sum(e.cost) AS cost, count(*) FILTER (WHERE e.cost IS NULL) AS unpriced_events
      FROM octo.events e
      GROUP BY 1, 2, 3, 4, 5;
    COMMENT ON VIEW octo.daily IS 'usage per day (in octo.meta timeZone), project, user, model and agent';
    -- Summed from the days: the cycle functions run once per day and group, not once per event.
    CREATE FUNCTION octo.cycles_on(cycle_day integer)
      RETURNS TABLE (
        cycle_start date, cycle_end date, project text, user_name text, model text, agent text, events bigint,
        tin numeric, tout numeric, cw5m numeric, cw1h numeric, cr numeric, cost numeric, unpriced_events bigint)
      LANGUAGE sql STABLE AS $$
        SELECT c.start, octo.cycle_end(c.start, cycle_day), d.project, d.user_name, d.model, d.agent,
          sum(d.events)::bigint, sum(d.tin), sum(d.tout), sum(d.cw5m), sum(d.cw1h), sum(d.cr), sum(d.cost),
          sum(d.unpriced_events)::bigint
        FROM octo.daily d CROSS JOIN LATERAL (SELECT octo.cycle_start(d.day, cycle_day) AS start) c
        GROUP BY 1, 2, 3, 4, 5, 6
      $$;
    CREATE VIEW octo.cycles AS
      SELECT * FROM octo.cycles_on((SELECT octo.setting('cycleDay', '1'))::integer);
    COMMENT ON VIEW octo.cycles IS \
    'usage per billing cycle (starting on octo.meta cycleDay), project, user, model and agent';
    """,
    // 3: the events whose rows a push took out (their note removed, or rewritten to a worse copy), numbered:
    // another machine holding a copy of one sends it again at its next push (the sequence's last value,
    // read in the query every push makes anyway, says when there is anything new here).
    """
    CREATE TABLE octo.forgotten (
      seq bigserial PRIMARY KEY,
      event_id text NOT NULL,
      pushed_by text NOT NULL,
      pushed_from text NOT NULL,
      forgotten_at timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE octo.forgotten IS \
    'event ids whose rows a push took out: other machines holding copies of them send those again';
    """,
  ]

  /// The schema version this octo-git writes.
  static var version: Int { migrations.count }

  /// What `octo.meta` says about the database.
  struct State: Sendable, Equatable {
    /// The schema version (0: no schema yet).
    var version: Int
    /// The id `team init` gave the database (empty without a schema).
    var databaseID: String
    /// The octo-git that last migrated the schema.
    var migratedBy: String?
    /// For a push: the last number given to an event whose row a push took out (`octo.forgotten`; 0 when
    /// none was); `nil` when the role may not read it (or before schema 3).
    var forgottenSeq: Int64?
    /// For a push: how many rows `octo.events` holds, counted up to the limit asked (`nil`: not read).
    var eventCount: Int64? = nil
  }

  /// Reads the schema's state in one query; version 0 when there is no schema `octo` yet. `forPush` also
  /// reads ``State/forgottenSeq`` in the same query (a second one only for a role that may not), and
  /// ``State/eventCount`` up to `limit` when it is above 0.
  static func state(of connection: PostgresConnection, forPush: Bool = false, countingUpTo limit: Int = 0) throws
    -> State
  {
    let metaSQL = "SELECT key, value FROM octo.meta WHERE key IN ('schemaVersion', 'databaseId', 'migratedBy')"
    // The sequence of octo.forgotten may not exist (an older schema): to_regclass gives NULL then, and the
    // strict function NULL. And the events the table holds, counted up to `limit` (a push checks that it
    // holds as many as a repository here had: the count stops there, whatever the table's size).
    let pushSQL =
      metaSQL + " UNION ALL SELECT 'forgottenSeq', "
      + "coalesce(pg_sequence_last_value(to_regclass('octo.forgotten_seq_seq')), 0)::text"
      + (limit > 0
        ? " UNION ALL SELECT 'eventCount', count(*)::text FROM (SELECT 1 FROM octo.events LIMIT \(limit)) AS held"
        : "")
    let result: PostgresResult
    do {
      do {
        result = try connection.execute(forPush ? pushSQL : metaSQL)
      } catch let error as PostgresError where forPush && error.isPermissionDenied {
        result = try connection.execute(metaSQL)
      }
    } catch let error as PostgresError where error.isMissingRelation {
      return State(version: 0, databaseID: "", migratedBy: nil)
    }
    var values: [String: String] = [:]
    for row in 0..<result.rowCount {
      if let key = result[row, 0] { values[key] = result[row, 1] }
    }
    // A schema whose version was changed or removed by hand: migrating it from 0 would create what is there.
    if let text = values["schemaVersion"], Int(text) == nil { throw TeamSchemaError.unreadableVersion(text) }
    if values["schemaVersion"] == nil, values["databaseId"] != nil { throw TeamSchemaError.unreadableVersion(nil) }
    return State(
      version: values["schemaVersion"].flatMap(Int.init) ?? 0, databaseID: values["databaseId"] ?? "",
      migratedBy: values["migratedBy"], forgottenSeq: values["forgottenSeq"].flatMap(Int64.init),
      eventCount: values["eventCount"].flatMap(Int64.init))
  }

  /// What `migrate` did.
  struct Migration: Sendable, Equatable {
    var from: Int
    var to: Int
    var databaseID: String
    var created: Bool { from == 0 }
  }

  /// Creates or brings up to date the schema, in one transaction under an advisory lock: two machines
  /// migrating at once apply each change once (the second one waits, then finds nothing to do). `target`
  /// stops at an earlier version (tests migrate from there). `settings` are written to `octo.meta` too.
  ///
  /// - Throws: ``PostgresError``; ``TeamSchemaError/newer`` when the schema is newer than this octo-git.
  static func migrate(
    _ connection: PostgresConnection, to target: Int = TeamSchema.version, settings: [String: String] = [:]
  ) throws -> Migration {
    try connection.transaction {
      try connection.execute("SELECT pg_advisory_xact_lock(\(lockKey))")
      // Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the
      // schema is there, which a role that only pushes lacks (and `team init` is run by every machine).
      let metaExists = try connection.execute("SELECT to_regclass('octo.meta') IS NOT NULL")[0, 0] == "t"
      if !metaExists {
        try connection.execute(
          """
          CREATE SCHEMA IF NOT EXISTS octo;
          CREATE TABLE IF NOT EXISTS octo.meta (key text PRIMARY KEY, value text NOT NULL);
          """)
      }
      let before = try state(of: connection)
      if before.version > version {
        throw TeamSchemaError.newer(found: before.version, known: version, migratedBy: before.migratedBy)
      }
      for (index, migration) in migrations.enumerated() where index >= before.version && index < target {
        try connection.execute(migration)
      }
      let databaseID = before.databaseID.isEmpty ? UUID().uuidString.lowercased() : before.databaseID
      // Only what changes is written: a role that may only push can run `team init` on a current schema.
      var stored: [String: String] = [:]
      if !settings.isEmpty {
        let rows = try connection.execute("SELECT key, value FROM octo.meta")
        for row in 0..<rows.rowCount { if let key = rows[row, 0] { stored[key] = rows[row, 1] } }
      }
      var values = settings.filter { stored[$0.key] != $0.value }
      if before.databaseID.isEmpty { values["databaseId"] = databaseID }
      if target > before.version {
        values["schemaVersion"] = String(target)
        values["migratedBy"] = Version.octoGit
      }
      if before.version == 0 { values["createdAt"] = Timestamp.format(Date()) }
      for (key, value) in values.sorted(by: { $0.key < $1.key }) {
        try connection.execute(
          "INSERT INTO octo.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          [key, value])
      }
      if target == version {
        let missing = try missingObjects(connection)
        if !missing.isEmpty { throw TeamSchemaError.damaged(missing: missing) }
      }
      return Migration(from: before.version, to: max(before.version, target), databaseID: databaseID)
    }
  }

  /// What the current schema holds that reports, dashboards and pushes use: its tables, views and
  /// functions, and the events' columns.
  static let objects = ["octo.events", "octo.forgotten", "octo.daily", "octo.cycles"]
  static let functions = [
    "octo.setting(text,text)", "octo.cycle_day_in(date,integer)", "octo.cycle_start(date,integer)",
    "octo.cycle_end(date,integer)", "octo.cycles_on(integer)",
  ]
  static let eventColumns = [
    "event_id", "at", "project", "model", "model_raw", "agent", "session", "user_name", "machine", "branch",
    "feature", "commit", "tin", "tout", "cw5m", "cw1h", "cr", "cost", "prices", "pushed_by", "pushed_from",
    "pushed_at",
  ]

  /// The objects of the current schema that are not there (dropped by hand), in one query: from the
  /// catalogs, which show every role what exists (information_schema shows only what it may use).
  static func missingObjects(_ connection: PostgresConnection) throws -> [String] {
    func array(_ names: [String]) -> String { "ARRAY[" + names.map { "'\($0)'" }.joined(separator: ",") + "]" }
    let result = try connection.execute(
      """
      SELECT name FROM unnest(\(array(objects))) AS name WHERE to_regclass(name) IS NULL
      UNION ALL SELECT name FROM unnest(\(array(functions))) AS name WHERE to_regprocedure(name) IS NULL
      UNION ALL SELECT 'octo.events.' || name FROM unnest(\(array(eventColumns))) AS name
        WHERE to_regclass('octo.events') IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM pg_attribute
          WHERE attrelid = to_regclass('octo.events') AND attname = name AND attnum > 0 AND NOT attisdropped)
      """)
    return (0..<result.rowCount).compactMap { result[$0, 0] }
  }
}

/// The schema found is not one this octo-git can use.
enum TeamSchemaError: Error, Sendable, Equatable {
  /// Made by a newer octo-git: this one must not write to it.
  case newer(found: Int, known: Int, migratedBy: String?)
  /// No schema yet (`team init` was never run), or an older one (`team init` migrates it).
  case missing
  case older(found: Int, known: Int)
  /// `octo.meta` holds no version a number can be read from, though the schema was made (`nil`: none).
  case unreadableVersion(String?)
  /// Objects of the current schema are not there.
  case damaged(missing: [String])
}
