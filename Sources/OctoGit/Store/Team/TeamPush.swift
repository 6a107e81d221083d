import Foundation

/// `team push`: sends every registered repository's usage events that the team database may lack.
///
/// Repositories are read on every core (a repository whose notes tip is the one last pushed to this
/// database costs one ref read); their events are written as `COPY` rows and sent in batches of a few
/// megabytes, each batch one transaction: `COPY` into a temporary staging table, then one
/// `INSERT … ON CONFLICT (event_id) DO UPDATE … WHERE` the new copy is a better one (``EventCopy``). A
/// repository's tip is remembered (in ``TeamPushState``) once the batch holding its last rows is committed:
/// a push killed or cut off midway sends the rest, and some of what was sent, again next time, which changes
/// nothing.
struct TeamPush {
  /// What a push did.
  struct Summary: Sendable {
    /// The team database's id.
    var databaseID = ""
    /// Registered repositories considered.
    var repositories = 0
    /// Repositories whose notes were read (some or all of them).
    var read = 0
    /// Repositories skipped because their notes tip is the one last pushed to this database.
    var unchanged = 0
    /// Notes read.
    var notesRead = 0
    /// Events sent (a copy held by two clones is sent by each).
    var pushed = 0
    /// Rows the database inserted or replaced with a copy holding more output.
    var written = 0
    /// Rows deleted because the note that held their event was removed or no longer holds it.
    var removed = 0
    /// Events whose rows could not be deleted so (the role may not DELETE on `octo.events`).
    var notRemoved = 0
    /// Transactions committed.
    var batches = 0
    /// Note lines that could not be read (not sent).
    var malformedLines = 0
    /// Repositories that could not be read, with why.
    var skipped: [(path: String, reason: String)] = []
    /// Commands sent to the server (connecting and reading the schema's state included).
    var commands = 0
    /// Whether the database held fewer events than a repository here had when last read whole, so every
    /// repository was read whole again.
    var databaseLostEvents = false
  }

  /// Knobs for tests and benchmarks.
  struct Options {
    /// About how many bytes of rows one transaction sends.
    var batchBytes = 8 << 20
    /// Called after each committed batch with its number (from 1), before its repositories are recorded
    /// as pushed: a test throws here to cut a push off midway.
    var afterBatch: ((Int) throws -> Void)? = nil
    /// Send everything, whatever was pushed before.
    var everything = false
  }

  let connection: PostgresConnection
  let state: TeamPushState
  let databaseID: String
  /// When the push began, the last number given to an event a push took out (`octo.forgotten`); `nil` when
  /// this role may not read it (see TeamPush+Forgotten).
  var forgottenSeq: Int64?
  /// When the push began, how many rows `octo.events` held (`nil`: not read).
  var eventCount: Int64?
  /// Who pushes: the user's `user.email` (else login name) and this machine's name.
  let pushedBy: String
  let pushedFrom: String
  var options = Options()

  /// The staging table, one per session, emptied at each commit.
  static let stageSQL = """
    CREATE TEMP TABLE IF NOT EXISTS octo_stage (
      event_id text, at_ms bigint, project text, model text, model_raw text, agent text, session text,
      user_name text, machine text, branch text, feature text, commit text, tin bigint, tout bigint, cw5m bigint,
      cw1h bigint, cr bigint, cost numeric, prices text, ord bigint
    ) ON COMMIT DELETE ROWS
    """

  /// How long a push waits for a lock another session holds on the events before it gives up (it never
  /// hangs on a forgotten transaction).
  static let lockTimeout = "60s"

  /// Opens a batch's transaction: the staging table, memory to sort a batch without spilling to disk,
  /// index lookups for matching staged events with stored ones (a hash join would read the whole table for
  /// every batch), and a bounded wait for locks.
  static let beginSQL = """
    BEGIN; SET LOCAL work_mem = '64MB'; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;
    SET LOCAL lock_timeout = '\(lockTimeout)';
    \(stageSQL)
    """

  static let copySQL = "COPY octo_stage (\(TeamRows.columns.joined(separator: ", "))) FROM STDIN"

  /// The staged rows' values as the table's columns.
  static let stagedValuesSQL = """
      s.event_id, timestamptz 'epoch' + s.at_ms * interval '1 millisecond' AS at, s.project, s.model, s.model_raw,
      s.agent, s.session, s.user_name, s.machine, s.branch, s.feature, s.commit, s.tin, s.tout, s.cw5m, s.cw1h, s.cr,
      s.cost, s.prices, $1::text AS pushed_by, $2::text AS pushed_from, now() AS pushed_at
    """
  /// The staged rows as events: one per event id, its best copy (``EventCopy``; of equal copies, the first
  /// repository registered), in id order (by bytes: two pushers locking rows in one order never deadlock,
  /// and no locale's collation is paid for); ``orderSQL`` follows.
  static let stagedEventsSQL = """
    SELECT DISTINCT ON (s.event_id COLLATE "C")
    \(stagedValuesSQL)
    FROM octo_stage s
    """
  static let orderSQL = #"ORDER BY s.event_id COLLATE "C", "# + EventCopy.postgresOrder("s.", time: "at_ms") + ", s.ord"
  static let eventColumns = """
    event_id, at, project, model, model_raw, agent, session, user_name, machine, branch, feature, commit, tin, tout, \
    cw5m, cw1h, cr, cost, prices, pushed_by, pushed_from, pushed_at
    """

  /// How a batch is written. Each push starts with the cheapest and moves on, for the rest of the push,
  /// when a batch shows it does not fit.
  enum Mode: Sendable {
    /// Every staged row is a new event (a first push, a recreated database): inserted as they are, no
    /// lookup, no sort. Any id the table or the batch already holds fails the batch (a unique violation).
    case plain
    /// The staged events the table lacks are inserted, then the ones it has are replaced by staged copies
    /// with more output. Another pusher inserting the same new events at the same moment fails the batch.
    case merge
    /// One `INSERT … ON CONFLICT`: safe against any concurrent pusher.
    case upsert
  }

  /// ``Mode/plain``: as fast as a copy into the table.
  static let plainSQL = """
    INSERT INTO octo.events (\(eventColumns))
    SELECT
    \(stagedValuesSQL)
    FROM octo_stage s
    """

  /// ``Mode/merge``, first step: the events the table does not hold yet.
  static let insertNewSQL = """
    INSERT INTO octo.events (\(eventColumns))
    \(stagedEventsSQL)
    WHERE NOT EXISTS (SELECT 1 FROM octo.events x WHERE x.event_id = s.event_id)
    \(orderSQL)
    """

  /// Whether the staged row `new` replaces the stored row `old`: a better copy (``EventCopy``); with
  /// `claiming` (`team push --all`), also an equal copy that names another project or commit, so a
  /// repository whose origin was renamed takes its rows to its new project name.
  static func replaces(_ new: String, _ old: String, claiming: Bool) -> String {
    let better = EventCopy.postgresReplaces(new, old)
    guard claiming else { return better }
    return "(\(better) OR (\(EventCopy.postgresEqual(new, old)) "
      + "AND (\(new).project, \(new).commit) IS DISTINCT FROM (\(old).project, \(old).commit)))"
  }

  /// ``Mode/merge``, second step (when the batch held events the table had): each replaced by the staged
  /// copy when that is a better one (see ``replaces(_:_:claiming:)``).
  static func updateBetterSQL(claiming: Bool) -> String {
    """
    UPDATE octo.events e SET
      at = b.at, project = b.project, model = b.model, model_raw = b.model_raw, agent = b.agent, session = b.session,
      user_name = b.user_name, machine = b.machine, branch = b.branch, feature = b.feature, commit = b.commit,
      tin = b.tin, tout = b.tout, cw5m = b.cw5m, cw1h = b.cw1h, cr = b.cr, cost = b.cost, prices = b.prices,
      pushed_by = b.pushed_by, pushed_from = b.pushed_from, pushed_at = b.pushed_at
    FROM (\(stagedEventsSQL) \(orderSQL)) b
    WHERE e.event_id = b.event_id AND \(replaces("b", "e", claiming: claiming))
    """
  }

  /// ``Mode/upsert``: one `INSERT … ON CONFLICT (event_id) DO UPDATE` that replaces a row only with a better
  /// copy (``EventCopy``).
  static func upsertSQL(claiming: Bool) -> String {
    """
    INSERT INTO octo.events AS e (\(eventColumns))
    \(stagedEventsSQL)
    \(orderSQL)
    ON CONFLICT (event_id) DO UPDATE SET
      at = excluded.at, project = excluded.project, model = excluded.model, model_raw = excluded.model_raw,
      agent = excluded.agent, session = excluded.session, user_name = excluded.user_name, machine = excluded.machine,
      branch = excluded.branch, feature = excluded.feature, commit = excluded.commit, tin = excluded.tin,
      tout = excluded.tout, cw5m = excluded.cw5m, cw1h = excluded.cw1h, cr = excluded.cr, cost = excluded.cost,
      prices = excluded.prices, pushed_by = excluded.pushed_by, pushed_from = excluded.pushed_from,
      pushed_at = excluded.pushed_at
    WHERE \(replaces("excluded", "e", claiming: claiming))
    """
  }

  /// Pushes `entries` (registered repositories), reading them on up to `WorkerPool.width` threads.
  func run(_ entries: [RollupStore.Entry], progress: ((Int, Int) -> Void)? = nil) throws -> Summary {
    try LibGit2.withBulkReads { try push(entries, progress: progress) }
  }

  private func push(_ entries: [RollupStore.Entry], progress: ((Int, Int) -> Void)?) throws -> Summary {
    var summary = Summary()
    summary.databaseID = databaseID
    summary.repositories = entries.count
    // What was pushed before is read with --all too: notes removed since then still take their rows out.
    let previous = try state.pushed(to: databaseID)
    // Events whose rows another machine's push took out since this machine last looked: the copies the
    // repositories here hold are sent again after the rest.
    let forgottenElsewhere = try eventsForgottenElsewhere(firstPush: previous.isEmpty)
    // Registration order: on a tie the copy of the repository registered first wins, as in the rollup.
    let ordered = entries.sorted { $0.id < $1.id }
    let reader = TeamPushReader(partBytes: max(options.batchBytes / 2, 1 << 16))
    // Every event a repository here held when last read whole was in the database then: holding fewer rows
    // than that now, it lost some (restored from a backup, rows deleted), and each repository is read whole.
    let mostHeld = previous.values.map(\.events).max() ?? 0
    summary.databaseLostEvents = eventCount.map { $0 < Int64(mostHeld) } ?? false
    let jobs = ordered.enumerated().map { ordinal, entry in
      TeamPushReader.Job(
        ordinal: ordinal, path: entry.path, previousTip: previous[entry.path]?.tip,
        everything: options.everything || summary.databaseLostEvents)
    }
    var batch: [UInt8] = []
    var batchRows = 0
    // Repositories read whole whose rows are all in the batch being filled (or committed before).
    var finished: [(path: String, pushed: TeamPushState.Pushed)] = []
    var done = 0
    // A database that held nothing of this machine's (a first push, a recreated database) takes the rows as
    // they are; anything else starts by merging.
    var mode: Mode = previous.isEmpty ? .plain : .merge
    let reconciling = try reconciles()
    var projects = Set<String>()
    // Events whose rows a removed note took out, and the repositories not read this time.
    var forgotten = Set<String>()
    var notRead: [Int] = []
    func send() throws {
      if batchRows > 0 {
        summary.written += try sendBatch(batch, count: batchRows, mode: &mode, recordingSent: reconciling)
        summary.batches += 1
        summary.pushed += batchRows
        try options.afterBatch?(summary.batches)
      }
      try state.record(finished, to: databaseID)
      finished.removeAll()
      batch.removeAll(keepingCapacity: true)
      batchRows = 0
    }
    func addRows(_ bytes: [UInt8], count: Int) throws {
      batch.append(contentsOf: bytes)
      batchRows += count
      if batch.count >= options.batchBytes { try send() }
    }
    // Read on the pool's threads, a repository's rows in parts as they are made, at most a few parts ahead of
    // this thread; even when sending fails, no reader is left using libgit2 once this returns.
    func readEach(_ jobs: [TeamPushReader.Job], _ handle: (Int, TeamPushReader.Piece) throws -> Void) throws {
      try WorkerPool.run(jobs, holding: reader.maximumQueued) {
        (job: TeamPushReader.Job, sender: WorkerPool.Sender<(ordinal: Int, piece: TeamPushReader.Piece)>) in
        let last = reader.read(job) { sender.send((job.ordinal, $0), weight: $0.bytes) }
        sender.send((job.ordinal, last))
      } receive: { pieces in
        while let (ordinal, piece) = pieces.next() { try handle(ordinal, piece) }
      }
    }
    try readEach(jobs) { ordinal, piece in
      let entry = ordered[ordinal]
      switch piece {
      case .forget(let project, let commits, let ids):
        // Before this repository's rows (every note of it follows): what was sent first is flushed.
        try send()
        forgotten.formUnion(ids)
        do {
          summary.removed += try forget(project: project, commits: commits, ids: ids)
        } catch let error as PostgresError where error.isPermissionDenied {
          // A role granted what pushing needed before (no DELETE): the push goes on, said once.
          summary.notRemoved += ids.count
        }
        return
      case .rows(let bytes, let count):
        try addRows(bytes, count: count)
        return
      case .finished(let tip, let project, let notes, let malformed, let events):
        summary.read += 1
        summary.notesRead += notes
        summary.malformedLines += malformed
        // Read in part: what it held when last read whole stays the count to check against.
        let held = events ?? previous[entry.path].map { $0.project == project ? $0.events : 0 } ?? 0
        finished.append((entry.path, TeamPushState.Pushed(project: project, tip: tip, events: held)))
        projects.insert(project)
      case .unchanged:
        notRead.append(ordinal)
        summary.unchanged += 1
      case .skipped(let reason):
        summary.skipped.append((entry.path, reason))
      }
      done += 1
      progress?(done, ordered.count)
    }
    try send()
    // A repository not read this time (another project's clone, a fork) may hold copies of the events whose
    // rows were taken out: its copies of those events, and only those, are sent; of events another push took
    // out, every repository's copies.
    var resend = notRead
    var wanted: Set<String>? = forgotten
    switch forgottenElsewhere {
    case .none: break
    case .some(let ids):
      resend = Array(ordered.indices)
      wanted = forgotten.union(ids)
    case .tooMany:
      resend = Array(ordered.indices)
      wanted = nil
    }
    if wanted?.isEmpty != true && !resend.isEmpty {
      let again = resend.map {
        TeamPushReader.Job(ordinal: $0, path: ordered[$0].path, previousTip: nil, everything: true, only: wanted)
      }
      try readEach(again) { _, piece in
        if case .rows(let bytes, let count) = piece { try addRows(bytes, count: count) }
      }
      try send()
    }
    if summary.skipped.isEmpty, let forgottenSeq { try state.recordForgottenSeen(forgottenSeq, in: databaseID) }
    // Only when every repository was read whole and every note could be read (see TeamPush+Reconcile).
    if reconciling && summary.skipped.isEmpty && summary.unchanged == 0 && summary.malformedLines == 0 {
      summary.removed += try reconcile(projects: projects)
    }
    summary.commands = connection.commands
    return summary
  }

  /// A PostgreSQL text array literal of `items`, each quoted, quotes and backslashes escaped.
  static func arrayLiteral(_ items: [String]) -> String {
    "{"
      + items.map { item in
        "\"" + item.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
      }.joined(separator: ",") + "}"
  }

  /// Sends one batch of `count` rows in one transaction, written as `mode` says; returns the rows written.
  /// A batch that does not fit its mode (a unique violation: the table or the batch held some of its
  /// events, or another pusher inserted them meanwhile) is sent again in the next mode, which the rest of
  /// the push keeps; a deadlock or serialisation failure is retried with ``Mode/upsert``.
  private func sendBatch(_ rows: [UInt8], count: Int, mode: inout Mode, recordingSent: Bool) throws -> Int {
    var attempt = 0
    while true {
      do {
        try connection.execute(Self.beginSQL)
        try connection.copy(Self.copySQL, data: rows)
        if recordingSent { try connection.execute(Self.recordSentSQL) }
        let parameters: [String?] = [pushedBy, pushedFrom]
        var written: Int
        switch mode {
        case .plain:
          written = try connection.execute(Self.plainSQL, parameters).affectedRows
        case .merge:
          written = try connection.execute(Self.insertNewSQL, parameters).affectedRows
          if written < count {
            written += try connection.execute(
              Self.updateBetterSQL(claiming: options.everything), parameters
            ).affectedRows
          }
        case .upsert:
          written = try connection.execute(Self.upsertSQL(claiming: options.everything), parameters).affectedRows
        }
        try connection.execute("COMMIT")
        return written
      } catch let error as PostgresError where (error.isRetryable || error.sqlState == "23505") && attempt < 5 {
        _ = try? connection.execute("ROLLBACK")
        attempt += 1
        if error.isRetryable {
          mode = .upsert
          usleep(UInt32.random(in: 20_000...100_000) * UInt32(attempt))
        } else {
          mode = mode == .plain ? .merge : .upsert
        }
      } catch {
        if connection.isAlive { _ = try? connection.execute("ROLLBACK") }
        throw error
      }
    }
  }
}
