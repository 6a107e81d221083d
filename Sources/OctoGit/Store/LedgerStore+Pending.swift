import Foundation
import GRDB

/// A usage event recorded but not yet attached to a commit.
public struct PendingEvent: Equatable, Sendable {
  public let event: UsageEvent
  /// The worktree it was recorded in (`main`, or `worktrees/<name>`).
  public let worktree: String
  /// The commit a post-commit run started attaching it to, if one did (see ``Ledger/attachPending``).
  public let claimedFor: String?
}

/// What ``LedgerStore/dropPending(ids:)`` removed.
public struct DroppedPending: Equatable, Sendable {
  /// The pending events dropped.
  public var events: [PendingEvent] = []
  /// The ids of pending rows dropped whose usage line could not be read.
  public var unreadable: [String] = []
}

/// What ``LedgerStore/addPending(_:worktree:now:)`` did with each id.
public struct PendingAddition: Equatable, Sendable {
  /// Ids stored as pending now, in the order given.
  public var added: [String] = []
  /// Ids left as they were because they were already recorded: pending (in any worktree), in a commit's
  /// usage note (as far as the cache knows), or given twice.
  public var alreadyRecorded: [String] = []

  public init(added: [String] = [], alreadyRecorded: [String] = []) {
    self.added = added
    self.alreadyRecorded = alreadyRecorded
  }
}

extension LedgerStore {
  /// Stores `events` as pending for `worktree`, all or none. An id already recorded (pending anywhere, or
  /// in a cached usage note) is left as it is, and reported as such.
  @discardableResult
  public func addPending(_ events: [UsageEvent], worktree: String, now: Date = Date()) throws -> PendingAddition {
    try write { db in
      let committed = try db.makeStatement(sql: "SELECT 1 FROM note_line WHERE event_id = ? LIMIT 1")
      let statement = try db.makeStatement(
        sql: "INSERT OR IGNORE INTO pending_event (id, worktree, line, recorded_at) VALUES (?, ?, ?, ?)")
      var addition = PendingAddition()
      for event in events {
        if try Int.fetchOne(committed, arguments: [event.id]) != nil {
          addition.alreadyRecorded.append(event.id)
          continue
        }
        try statement.execute(arguments: [event.id, worktree, event.line, Int64(now.timeIntervalSince1970 * 1000)])
        if db.changesCount > 0 {
          addition.added.append(event.id)
        } else {
          addition.alreadyRecorded.append(event.id)
        }
      }
      return addition
    }
  }

  /// The pending events of `worktree` (all worktrees when `nil`), oldest first.
  public func pending(worktree: String? = nil) throws -> [PendingEvent] {
    try read { db in
      let rows: [Row]
      if let worktree {
        rows = try Row.fetchAll(
          db, sql: "SELECT line, worktree, claim_commit FROM pending_event WHERE worktree = ? ORDER BY recorded_at, id",
          arguments: [worktree])
      } else {
        rows = try Row.fetchAll(
          db, sql: "SELECT line, worktree, claim_commit FROM pending_event ORDER BY recorded_at, id")
      }
      return rows.compactMap { row in
        guard let event = try? UsageEvent(line: row["line"]) else { return nil }
        return PendingEvent(event: event, worktree: row["worktree"], claimedFor: row["claim_commit"])
      }
    }
  }

  /// Pending rows whose usage line cannot be read (a damaged file, a line a crash cut short), with their
  /// worktrees, oldest first: they are in no total, and `usage drop` removes them.
  public func unreadablePending(worktree: String? = nil) throws -> [(id: String, worktree: String)] {
    try read { db in
      let (condition, arguments): (String, [DatabaseValueConvertible]) =
        worktree.map { ("WHERE worktree = ?", [$0]) } ?? ("", [])
      let rows = try Row.fetchCursor(
        db, sql: "SELECT id, line, worktree FROM pending_event \(condition) ORDER BY recorded_at, id",
        arguments: StatementArguments(arguments))
      var unreadable: [(id: String, worktree: String)] = []
      while let row = try rows.next() {
        if (try? UsageEvent(line: row["line"])) == nil { unreadable.append((row["id"], row["worktree"])) }
      }
      return unreadable
    }
  }

  /// Marks every unclaimed pending event of `worktree` as being attached to `commit`, and returns all the
  /// claims of that worktree (including ones left by an interrupted run) grouped by commit.
  ///
  /// Events recorded before `recordedSince` (milliseconds) are left pending: a linked worktree removed and
  /// added again under the same name has the same key, and the old one's events are not the new one's.
  func claimPending(worktree: String, for commit: String, recordedSince: Int64? = nil) throws -> [String: [UsageEvent]]
  {
    try claimPending(worktree: worktree, windows: [(commit, recordedSince ?? 0, .max)])
  }

  /// Claims the pending events of `worktree` recorded in each window (from, up to but not including
  /// `before`, in milliseconds) for that window's commit, and returns every claim of the worktree's, by
  /// commit (earlier claims a run left unfinished too).
  func claimPending(worktree: String, windows: [(commit: String, since: Int64, before: Int64)]) throws
    -> [String: [UsageEvent]]
  {
    try write { db in
      for window in windows {
        try db.execute(
          sql: """
            UPDATE pending_event SET claim_commit = ?
            WHERE worktree = ? AND claim_commit IS NULL AND recorded_at >= ? AND recorded_at < ?
            """,
          arguments: [window.commit, worktree, window.since, window.before])
      }
      var claims: [String: [UsageEvent]] = [:]
      let rows = try Row.fetchAll(
        db,
        sql:
          "SELECT line, claim_commit FROM pending_event WHERE worktree = ? AND claim_commit IS NOT NULL "
          + "ORDER BY recorded_at, id",
        arguments: [worktree])
      for row in rows {
        guard let event = try? UsageEvent(line: row["line"]) else { continue }
        claims[row["claim_commit"], default: []].append(event)
      }
      return claims
    }
  }

  /// Removes pending events once their note is written, and returns how many events of `worktree`
  /// are still pending.
  @discardableResult
  func removePending(ids: [String], worktree: String) throws -> Int {
    try write { db in
      let statement = try db.makeStatement(sql: "DELETE FROM pending_event WHERE id = ?")
      for id in ids { try statement.execute(arguments: [id]) }
      return try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_event WHERE worktree = ?", arguments: [worktree])
        ?? 0
    }
  }

  /// Removes the pending events named by `ids` (each an exact id, or the unique start of a pending one),
  /// all or none, and returns them. Committed usage is never dropped: an id a cached usage note holds is
  /// refused, and so is one a post-commit run is attaching right now, one matching no pending event, and a
  /// start matching several.
  public func dropPending(ids: [String]) throws -> DroppedPending {
    try write { db in
      let committed = try db.makeStatement(
        sql: "SELECT commit_id FROM note_line WHERE event_id = ? ORDER BY commit_time DESC, commit_id DESC LIMIT 1")
      let exact = try db.makeStatement(sql: "SELECT id, line, worktree, claim_commit FROM pending_event WHERE id = ?")
      let prefixed = try db.makeStatement(
        sql:
          "SELECT id, line, worktree, claim_commit FROM pending_event WHERE substr(id, 1, length(?)) = ? "
          + "ORDER BY id LIMIT 3"
      )
      let delete = try db.makeStatement(sql: "DELETE FROM pending_event WHERE id = ?")
      var dropped = DroppedPending()
      var chosen = Set<String>()
      for given in ids {
        if let commit = try String.fetchOne(committed, arguments: [given]) {
          throw OctoError.badInput(
            "'\(given)' is committed (in the usage note of \(commit.prefix(12))): only pending usage can be dropped")
        }
        var rows = try Row.fetchAll(exact, arguments: [given])
        if rows.isEmpty, !given.isEmpty { rows = try Row.fetchAll(prefixed, arguments: [given, given]) }
        guard let row = rows.first else {
          throw OctoError.badInput(
            "no pending event '\(given)'", hint: "octo-git usage pending --all lists them with their ids")
        }
        guard rows.count == 1 else {
          let matches = rows.prefix(2).map { "\($0["id"] as String)" }.joined(separator: ", ")
          throw OctoError.badInput(
            "'\(given)' matches several pending events (\(matches), …)", hint: "give more of the id")
        }
        let id: String = row["id"]
        if let claim = row["claim_commit"] as String? {
          throw OctoError.badInput(
            "'\(id)' is being attached to commit \(claim.prefix(12)) by a post-commit run: "
              + "only pending usage can be dropped"
          )
        }
        guard chosen.insert(id).inserted else { continue }
        if let event = try? UsageEvent(line: row["line"]) {
          dropped.events.append(PendingEvent(event: event, worktree: row["worktree"], claimedFor: nil))
        } else {
          dropped.unreadable.append(id)
        }
      }
      for id in chosen { try delete.execute(arguments: [id]) }
      return dropped
    }
  }

  /// How many events of `worktree` were recorded within `recorded` (ms): from a worktree's creation on, the
  /// ones its commits take; before it, a removed worktree's of the same name, which none of them takes.
  public func pendingCount(worktree: String, recorded: Range<Int64> = 0..<Int64.max) throws -> Int {
    try read { db in
      try Int.fetchOne(
        db, sql: "SELECT count(*) FROM pending_event WHERE worktree = ? AND recorded_at >= ? AND recorded_at < ?",
        arguments: [worktree, recorded.lowerBound, recorded.upperBound]) ?? 0
    }
  }

  /// How many events are pending in every worktree (unreadable rows included).
  public func pendingCount() throws -> Int {
    try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_event") ?? 0 }
  }
}
