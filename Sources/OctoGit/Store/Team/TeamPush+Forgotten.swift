import Foundation

/// Rows a push takes out, and what other machines learn of it: a machine removing a note (or rewriting it to
/// hold a worse copy) deletes the rows it pushed of those events; another machine whose notes still hold a
/// copy sends it again at its next push. Each event taken out is numbered in `octo.forgotten` (with who took
/// it out); a push reads the sequence's last value in its first query and, when it moved since this machine
/// last looked, the events others took out since.
extension TeamPush {
  /// What other machines took out since this one last looked.
  enum ForgottenElsewhere: Equatable {
    case none
    /// These events: every repository's copies of them are sent again.
    case some(Set<String>)
    /// More than ``maxForgottenRead``: every repository's events are sent again.
    case tooMany
  }

  /// The most event ids read from `octo.forgotten` in one push.
  static let maxForgottenRead = 500_000
  /// How far before the number last seen to read again: numbers are taken before their rows commit, so a
  /// row numbered lower than one already read may commit after it.
  static let forgottenOverlap: Int64 = 1000

  /// The events whose rows other machines' pushes took out since this machine last looked. None on a first
  /// push to this database (everything is sent anyway) or for a role that may not read `octo.forgotten`.
  func eventsForgottenElsewhere(firstPush: Bool) throws -> ForgottenElsewhere {
    guard let latest = forgottenSeq, !firstPush else { return .none }
    // A machine that pushed before octo.forgotten existed has seen nothing of it yet.
    let seen = try state.forgottenSeen(in: databaseID) ?? 0
    guard latest > seen else { return .none }
    let rows: PostgresResult
    do {
      rows = try connection.execute(
        """
        SELECT DISTINCT event_id FROM octo.forgotten
        WHERE seq > $1 AND NOT (pushed_by = $2 AND pushed_from = $3) LIMIT \(Self.maxForgottenRead + 1)
        """,
        [String(max(0, seen - Self.forgottenOverlap)), pushedBy, pushedFrom])
    } catch let error as PostgresError where error.isPermissionDenied {
      return .none
    }
    if rows.rowCount > Self.maxForgottenRead { return .tooMany }
    let ids = Set((0..<rows.rowCount).compactMap { rows[$0, 0] })
    return ids.isEmpty ? .none : .some(ids)
  }

  /// Deletes the rows of `project` whose event is one of `ids` and whose copy came from one of `commits`
  /// (notes removed, or changed so they no longer hold the event), when this machine and user pushed them;
  /// returns how many. Other copies the repository still holds are sent again right after (its every note is
  /// read). Another machine's row stays: its notes may still hold the event (the removal reaches them with
  /// the notes, and their next push). Each event taken out is numbered in `octo.forgotten`, so that other
  /// machines holding copies of it send those; a role that may delete rows but not number them still
  /// deletes them (other machines then do not hear of it).
  func forget(project: String, commits: [String], ids: [String]) throws -> Int {
    guard !project.isEmpty, !commits.isEmpty, !ids.isEmpty else { return 0 }
    var removed = 0
    let condition =
      "project = $1 AND commit = ANY($2::text[]) AND event_id = ANY($3::text[]) AND pushed_by = $4 AND pushed_from = $5"
    // In slices: a statement's parameters stay a few megabytes whatever was removed.
    try connection.execute("SET lock_timeout = '\(Self.lockTimeout)'")
    for slice in stride(from: 0, to: ids.count, by: 10_000) {
      let part = Array(ids[slice..<min(slice + 10_000, ids.count)])
      let parameters: [String?] = [project, Self.arrayLiteral(commits), Self.arrayLiteral(part), pushedBy, pushedFrom]
      do {
        removed += try connection.execute(
          """
          WITH gone AS (DELETE FROM octo.events WHERE \(condition) RETURNING event_id)
          INSERT INTO octo.forgotten (event_id, pushed_by, pushed_from) SELECT event_id, $4, $5 FROM gone
          """, parameters
        ).affectedRows
      } catch let error as PostgresError where error.isPermissionDenied {
        removed += try connection.execute("DELETE FROM octo.events WHERE \(condition)", parameters).affectedRows
      }
    }
    return removed
  }
}
