import Foundation

/// Builds the encoded archive of a repository read whole, line by line, straight from its notes: each
/// event is kept once, in the order met, and no parsed line outlives its note. Ids and names are numbered
/// by their bytes (``ByteStringTable``): reading makes no Swift string.
///
/// The same archive as ``EventArchive/apply(_:)`` makes of the same notes: an id is held once per note
/// holding it, and its best copy (``EventCopy``) kept, within a note as across notes.
struct ArchiveBuilder {
  /// Numbers each name once for the archive's string table (from 0); keeps the id of the line being read aside.
  private struct Names: UsageLineTexts {
    var table = ByteStringTable(capacity: 64)
    var id: [UInt8] = []
    var keepsEveryField: Bool { false }

    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>, for field: UsageField) -> Int32 {
      // Text that is not ASCII is kept as a Swift string holds it (invalid UTF-8 replaced), as the archive's
      // reader will see it.
      let isASCII = !bytes.contains(where: { $0 >= 0x80 })
      if field == .id {
        id.removeAll(keepingCapacity: true)
        if isASCII {
          id.append(contentsOf: bytes)
        } else {
          id.append(contentsOf: String(decoding: bytes, as: UTF8.self).utf8)
        }
        return 0
      }
      return isASCII ? Int32(table.number(of: bytes).number) : number(String(decoding: bytes, as: UTF8.self))
    }

    mutating func number(_ text: String) -> Int32 {
      var copy = text
      return copy.withUTF8 { Int32(table.number(of: $0).number) }
    }
  }

  private var names = Names()
  /// Event ids: id number n is `events[n]`.
  private var ids: ByteStringTable
  /// Each event's values (names as indexes of the string table) and holders.
  private var events: [(values: UsageLineValues, holders: Int)] = []
  /// The ids taken by the current note (to count an id once per note).
  private var noteSlots: [Int] = []
  private(set) var malformedLines = 0
  private(set) var notes = 0
  /// The notes holding lines no report can read, by annotated commit.
  private(set) var unread: [(commit: String, unread: UsageNote.Unread)] = []

  init(capacity: Int) {
    ids = ByteStringTable(capacity: capacity)
    events.reserveCapacity(capacity)
  }

  /// Counts a note's blob that could not be read (missing) as one line that could not be read (the note
  /// itself is added, with what could be read of it).
  mutating func addUnreadableBlob(path: UnsafeBufferPointer<UInt8>) {
    malformedLines += 1
    recordUnread(UsageNote.Unread(malformed: 1), commit: String(decoding: path, as: UTF8.self))
  }

  /// Adds to the unread lines of `commit`: one entry per commit (the store keeps one row per commit), its
  /// missing blobs and bad lines together.
  private mutating func recordUnread(_ lines: UsageNote.Unread, commit: String) {
    if let last = unread.indices.last, unread[last].commit == commit {
      unread[last].unread += lines
    } else {
      unread.append((commit, lines))
    }
  }

  /// Takes in one note's text; `path` is the annotated commit's id in hexadecimal, named when the note
  /// holds lines no report can read.
  mutating func add(note text: UnsafeRawBufferPointer, path: UnsafeBufferPointer<UInt8>? = nil) {
    notes += 1
    noteSlots.removeAll(keepingCapacity: true)
    var bad = UsageNote.Unread()
    UsageLineScanner.forEachLine(in: text) { bytes in
      guard let line = UsageLineScanner.scan(bytes, texts: &names) else {
        bad.count(bytes)
        return
      }
      add(line)
    }
    if bad.malformed > 0 {
      malformedLines += bad.malformed
      if let path { recordUnread(bad, commit: String(decoding: path, as: UTF8.self)) }
    }
  }

  private mutating func add(_ line: UsageLineValues) {
    let (slot, isNew) = names.id.withUnsafeBufferPointer { ids.number(of: $0) }
    if !isNew, noteSlots.contains(slot) {
      if Self.isBetter(line, than: events[slot].values) {
        events[slot].values = line
      }
      return
    }
    noteSlots.append(slot)
    if !isNew, !Self.isBetter(line, than: events[slot].values) {
      events[slot].holders += 1
      return
    }
    if isNew {
      events.append((line, 1))
    } else {
      events[slot] = (line, events[slot].holders + 1)
    }
  }

  /// Whether `line` is a better copy than `held` (``EventCopy``).
  private static func isBetter(_ line: UsageLineValues, than held: UsageLineValues) -> Bool {
    EventCopy.isBetter(line.tokens, cost: line.cost, at: line.atMs, than: held.tokens, held.cost, at: held.atMs)
  }

  /// The encoded archive (the layout ``EventArchive`` documents).
  func encoded() -> Data {
    var out = EventArchive.magic
    out.reserveCapacity(events.count * 56 + 64)
    EventArchive.put(names.table.count, &out)
    for number in 0..<names.table.count {
      names.table.withBytes(number) { bytes in
        EventArchive.put(bytes.count, &out)
        out.append(contentsOf: bytes)
      }
    }
    EventArchive.put(events.count, &out)
    for (number, event) in events.enumerated() {
      ids.withBytes(number) { EventArchive.put(id: $0, holders: event.holders, event.values, &out) }
    }
    return Data(out)
  }
}
