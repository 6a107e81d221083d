import Foundation
import GRDB

extension LedgerStore {
  /// Where a transcript was read up to, its size then, and which file it was.
  struct ImportOffset: Sendable {
    var offset: UInt64
    var size: UInt64
    /// `nil` for offsets saved before identities were kept: such a file is read again from the start.
    var identity: FileIdentity?
  }

  /// Where each transcript was read up to.
  func importOffsets() throws -> [String: ImportOffset] {
    try read { db in
      var offsets: [String: ImportOffset] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT path, offset, size, device, inode, head_length, head_hash FROM import_offset")
      {
        // A damaged row reads as "from the start": ids keep a second read exact.
        var identity: FileIdentity?
        if let device = row[3] as Int64?, let inode = row[4] as Int64?, let length = row[5] as Int64?,
          let hash = row[6] as Int64?, let headLength = Int(exactly: length), headLength >= 0
        {
          identity = FileIdentity(
            device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), headLength: headLength,
            headHash: UInt64(bitPattern: hash))
        }
        offsets[row[0]] = ImportOffset(
          offset: UInt64(exactly: row[1] as Int64? ?? 0) ?? 0, size: UInt64(exactly: row[2] as Int64? ?? 0) ?? 0,
          identity: identity)
      }
      return offsets
    }
  }

  func saveImportOffsets(_ offsets: [String: ImportOffset]) throws {
    try write { db in
      let statement = try db.makeStatement(
        sql: """
          INSERT OR REPLACE INTO import_offset (path, offset, size, device, inode, head_length, head_hash)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          """)
      for (path, value) in offsets {
        let identity = value.identity
        try statement.execute(arguments: [
          path, Int64(clamping: value.offset), Int64(clamping: value.size),
          identity.map { Int64(bitPattern: $0.device) }, identity.map { Int64(bitPattern: $0.inode) },
          identity.map { Int64($0.headLength) }, identity.map { Int64(bitPattern: $0.headHash) },
        ])
      }
    }
  }

  /// Output tokens already recorded for each of `ids` (in the notes or pending), largest first seen.
  func knownOutputTokens(_ ids: [String]) throws -> [String: Int] {
    try read { db in
      var known: [String: Int] = [:]
      // Many ids against few recorded events (a first import): one pass over what is recorded beats a
      // lookup per id.
      let recorded =
        (try Int.fetchOne(db, sql: "SELECT count(*) FROM note_line") ?? 0)
        + (try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_event") ?? 0)
      if ids.count > recorded {
        let wanted = Set(ids)
        let notes = try Row.fetchCursor(db, sql: "SELECT event_id, tout FROM note_line")
        while let row = try notes.next() {
          let id: String = row[0]
          guard wanted.contains(id) else { continue }
          known[id] = max(known[id] ?? 0, row[1] as Int)
        }
        let pending = try Row.fetchCursor(db, sql: "SELECT id, line FROM pending_event")
        while let row = try pending.next() {
          let id: String = row[0]
          guard wanted.contains(id), let event = try? UsageEvent(line: row[1]) else { continue }
          known[id] = max(known[id] ?? 0, event.tokens.output)
        }
        return known
      }
      let fromNotes = try db.makeStatement(sql: "SELECT max(tout) FROM note_line WHERE event_id = ?")
      let fromPending = try db.makeStatement(sql: "SELECT line FROM pending_event WHERE id = ?")
      for id in ids {
        if let tokens = try Int.fetchOne(fromNotes, arguments: [id]) { known[id] = tokens }
        if let line = try String.fetchOne(fromPending, arguments: [id]), let event = try? UsageEvent(line: line) {
          known[id] = max(known[id] ?? 0, event.tokens.output)
        }
      }
      return known
    }
  }

  /// Stores events (by id, with their lines already written) as pending for `worktree`, replacing pending
  /// events of the same id, all or none: `rows` hands them to its `insert` function (about `expected` of
  /// them), so that they can be made while the first ones are written.
  func replacePending(
    worktree: String, expected: Int, now: Date = Date(),
    rows: (_ insert: (_ id: String, _ line: String) throws -> Void) throws -> Void
  ) throws {
    try write { db in
      // Tens of thousands of rows outgrow SQLite's default 2 MB page cache, which then spills pages into
      // the log mid-transaction; room for the whole write (used only as it fills) spares that.
      if expected > 1_000 { try db.execute(sql: "PRAGMA cache_size = -65536") }
      defer { if expected > 1_000 { try? db.execute(sql: "PRAGMA cache_size = -2000") } }
      let statement = try db.makeStatement(
        sql: "INSERT OR REPLACE INTO pending_event (id, worktree, line, recorded_at) VALUES (?, ?, ?, ?)")
      let recordedAt = Int64(now.timeIntervalSince1970 * 1000)
      try rows { id, line in
        try statement.bindAndStep(in: db) { bind in
          bind.text(1, id)
          bind.text(2, worktree)
          bind.text(3, line)
          bind.integer(4, recordedAt)
        }
      }
    }
  }
}
