import Foundation

/// Rows `team push --all` takes out because their events are in none of the notes it read: reading every
/// registered repository whole, it knows every event this machine's repositories hold. Rows this machine and
/// user pushed for those projects, whose event id none of those notes holds under any project, were removed
/// from the notes while no push could see it (by an older octo-git, or while the push state was lost).
/// Nothing is taken out unless every repository was read whole and every note could be read: a repository
/// skipped, without notes yet (a clone whose notes were not fetched), or with a blob it lacks could hold
/// the events. Rows pushed by other machines are never touched: their notes may not have been fetched here.
/// The machine is its host name and the user their `user.email`: two homes of one user on one host count
/// as one machine.
extension TeamPush {
  /// The ids sent during a push that reconciles (a temporary table of the session).
  static let sentSQL = """
    CREATE TEMP TABLE IF NOT EXISTS octo_sent (event_id text PRIMARY KEY);
    TRUNCATE octo_sent;
    """

  /// Run in each batch's transaction, after its rows are staged.
  static let recordSentSQL = "INSERT INTO octo_sent SELECT DISTINCT event_id FROM octo_stage ON CONFLICT DO NOTHING"

  /// Whether this push reconciles: `--all`, and the database holds rows this machine and user pushed before
  /// (a first push to an empty database pays nothing for it).
  func reconciles() throws -> Bool {
    guard options.everything else { return false }
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
        AND NOT EXISTS (SELECT 1 FROM octo_sent s WHERE s.event_id = e.event_id)
      """, [Self.arrayLiteral(projects.sorted()), pushedBy, pushedFrom]
    ).affectedRows
  }
}
