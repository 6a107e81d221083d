import Foundation
import GRDB

extension LedgerStore {
  /// The commits a history walk found reachable from the tips fingerprinted as `tips`; `nil` when the
  /// last walk started from other tips (a ref moved since), so nothing found then can be trusted.
  func reachableCommits(tips: String) throws -> Set<String>? {
    try read { db in
      guard
        try String.fetchOne(db, sql: "SELECT tip FROM notes_tip WHERE ref = ?", arguments: [Self.reachabilityKey])
          == tips
      else { return nil }
      return Set(try String.fetchAll(db, sql: "SELECT commit_id FROM reachable_commit"))
    }
  }

  /// Remembers commits found reachable from the tips fingerprinted as `tips` (added to what is kept for
  /// the same tips, or `replacing` it).
  func saveReachableCommits(_ commits: [String], tips: String, replacing: Bool) throws {
    try write { db in
      if replacing { try db.execute(sql: "DELETE FROM reachable_commit") }
      try db.execute(
        sql: "INSERT OR REPLACE INTO notes_tip (ref, tip) VALUES (?, ?)", arguments: [Self.reachabilityKey, tips])
      let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO reachable_commit (commit_id) VALUES (?)")
      for commit in commits { try insert.execute(arguments: [commit]) }
    }
  }

  /// The `notes_tip` row that holds the fingerprint of the tips reachability was last checked from.
  static let reachabilityKey = "octo-git:reachable-from"
}
