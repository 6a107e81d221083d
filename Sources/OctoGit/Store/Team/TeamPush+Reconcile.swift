import Foundation

/// Rows a push takes out because their events are in none of the notes it read: a push that reads every
/// repository whole (`team push --all`, or the first push from a push state with nothing recorded, as after
/// an upgrade that cleared it) knows every event this machine's repositories hold. Rows this machine and
/// user pushed for those projects, whose event id none of those notes holds any more, were removed from the
/// notes (by a version of octo-git that did not take them out, or while its push state was lost). Rows
/// pushed by other machines are never touched: their notes may not have been fetched here yet.
extension TeamPush {
  /// The ids sent, per project, during a push that reconciles (a temporary table of the session).
  static let sentSQL = """
    CREATE TEMP TABLE IF NOT EXISTS octo_sent (
      project text NOT NULL, event_id text NOT NULL, PRIMARY KEY (project, event_id)
    );
    TRUNCATE octo_sent;
    """

  /// Run in each batch's transaction, after its rows are staged.
  static let recordSentSQL =
    "INSERT INTO octo_sent SELECT DISTINCT project, event_id FROM octo_stage ON CONFLICT DO NOTHING"

  /// Whether this push reconciles: it reads every repository whole, and the database holds rows this
  /// machine and user pushed before (a first push to an empty database pays nothing for it).
  func reconciles(previousIsEmpty: Bool) throws -> Bool {
    guard options.everything || previousIsEmpty else { return false }
    let own = try connection.execute(
      "SELECT EXISTS (SELECT 1 FROM octo.events WHERE pushed_by = $1 AND pushed_from = $2)", [pushedBy, pushedFrom])
    guard own[0, 0] == "t" else { return false }
    try connection.execute(Self.sentSQL)
    return true
  }

  /// Deletes this machine's rows of `projects` whose event id was not sent; returns how many.
  func reconcile(projects: Set<String>) throws -> Int {
    guard !projects.isEmpty else { return 0 }
    try connection.execute("SET lock_timeout = '\(Self.lockTimeout)'")
    return try connection.execute(
      """
      DELETE FROM octo.events e
      WHERE e.project = ANY($1::text[]) AND e.pushed_by = $2 AND e.pushed_from = $3
        AND NOT EXISTS (SELECT 1 FROM octo_sent s WHERE s.project = e.project AND s.event_id = e.event_id)
      """, [Self.arrayLiteral(projects.sorted()), pushedBy, pushedFrom]
    ).affectedRows
  }
}
