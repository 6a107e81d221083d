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

extension LedgerStore {
  /// Stores `events` as pending for `worktree`, all or none. An id already pending is left as it is.
  public func addPending(_ events: [UsageEvent], worktree: String, now: Date = Date()) throws {
    try write { db in
      let statement = try db.makeStatement(
        sql: "INSERT OR IGNORE INTO pending_event (id, worktree, line, recorded_at) VALUES (?, ?, ?, ?)")
      for event in events {
        try statement.execute(arguments: [event.id, worktree, event.line, Int64(now.timeIntervalSince1970 * 1000)])
      }
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
        rows = try Row.fetchAll(db, sql: "SELECT line, worktree, claim_commit FROM pending_event ORDER BY recorded_at, id")
      }
      return rows.compactMap { row in
        guard let event = try? UsageEvent(line: row["line"]) else { return nil }
        return PendingEvent(event: event, worktree: row["worktree"], claimedFor: row["claim_commit"])
      }
    }
  }

  /// Marks every unclaimed pending event of `worktree` as being attached to `commit`, and returns all the
  /// claims of that worktree (including ones left by an interrupted run) grouped by commit.
  func claimPending(worktree: String, for commit: String) throws -> [String: [UsageEvent]] {
    try write { db in
      try db.execute(
        sql: "UPDATE pending_event SET claim_commit = ? WHERE worktree = ? AND claim_commit IS NULL",
        arguments: [commit, worktree])
      var claims: [String: [UsageEvent]] = [:]
      let rows = try Row.fetchAll(
        db, sql: "SELECT line, claim_commit FROM pending_event WHERE worktree = ? AND claim_commit IS NOT NULL ORDER BY recorded_at, id",
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
      return try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_event WHERE worktree = ?", arguments: [worktree]) ?? 0
    }
  }

  /// How many events are pending for `worktree`.
  public func pendingCount(worktree: String) throws -> Int {
    try read { db in
      try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_event WHERE worktree = ?", arguments: [worktree]) ?? 0
    }
  }
}
