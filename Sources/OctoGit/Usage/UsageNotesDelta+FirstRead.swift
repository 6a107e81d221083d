import Foundation

extension UsageNotesDelta {
  /// Every note of the notes commit `tip`, handed to `consume` in parts (each a delta of its own, commits not
  /// looked up) in the order the blobs are cheapest to read, while the next parts are read on another
  /// thread: a first read of a long history, written as it is read.
  ///
  /// One thread reads, and only copies the notes' bytes out; they are parsed on the calling thread, beside
  /// the writing. Threads reading one pack contend on libgit2's locks: libgit2 alone read the 100,000 notes of
  /// `bench/bench-history.sh` in 382 ms on one thread and 514 ms on two (`bench/floor.c`). What is read and
  /// not yet taken is bounded in bytes, so a history of huge notes is not held in memory when writing is slow.
  static func readAll(
    _ repository: Repository, tip: Oid, everyField: Bool = true, consume: (UsageNotesDelta) throws -> Void
  ) throws {
    try LibGit2.withBulkReads {
      let notes = try repository.notes(inNotesCommit: tip)
      PhaseTimings.mark("notes tree")
      let order = repository.readingOrder(of: notes.map(\.blob))
      PhaseTimings.mark("pack order")
      let parts = stride(from: 0, to: order.count, by: 2048).map { Array(order[$0..<min($0 + 2048, order.count)]) }
      let folder = repository.objectsFolder
      typealias Sender = WorkerPool.Sender<Result<RawNotes, Error>>
      try WorkerPool.run(parts, holding: 16 << 20, threads: 1) { (part, sender: Sender) in
        do {
          let objects = try ObjectDatabase.open(folder: folder)
          var raw = RawNotes()
          for position in part {
            // A note that cannot be read (missing) counts as one line that could not be read.
            let missing = try objects.appendText(of: notes[position], to: &raw.bytes)
            if missing > 0 { raw.missing[raw.positions.count] = missing }
            raw.positions.append(position)
            raw.ends.append(raw.bytes.count)
            if raw.bytes.count >= 4 << 20 {
              sender.send(.success(raw), weight: raw.bytes.count)
              raw = RawNotes()
            }
          }
          if !raw.positions.isEmpty { sender.send(.success(raw), weight: raw.bytes.count) }
        } catch {
          sender.send(.failure(error))
        }
      } receive: { received in
        while let raw = try received.next()?.get() {
          var delta = UsageNotesDelta()
          delta.rebuilt = true
          delta.tip = tip
          delta.notes.reserveCapacity(raw.positions.count)
          raw.bytes.withUnsafeBytes { bytes in
            var start = 0
            for (index, (position, end)) in zip(raw.positions, raw.ends).enumerated() {
              let first = delta.lines.count
              var unread = UsageEvent.append(
                linesIn: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), to: &delta.lines,
                everyField: everyField)
              start = end
              unread.malformed += raw.missing[index] ?? 0
              delta.unread += unread
              delta.notes.append(
                Note(
                  commit: notes[position].annotated, time: 0, summary: "", described: false,
                  lines: first..<delta.lines.count, unread: unread))
            }
          }
          try consume(delta)
        }
      }
    }
  }

  /// The bytes of notes, one after another, as the reading thread copies them out.
  private struct RawNotes: Sendable {
    /// The notes' positions in the notes tree's entries.
    var positions: [Int] = []
    var bytes: [UInt8] = []
    /// Where each note's bytes end, in step with `positions`.
    var ends: [Int] = []
    /// How many of a note's blobs could not be read, by index in `positions` (only those with any).
    var missing: [Int: Int] = [:]
  }
}
