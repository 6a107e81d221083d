import CGit2
import Foundation

/// Reading notes trees: as git reads them, straight from their tree objects.
extension Repository {
  /// Every note of the notes commit `notesCommit`, one entry per annotated object, read straight from its trees
  /// (fanned out or flat), without libgit2's note iterator or its tree objects.
  public func notes(inNotesCommit notesCommit: Oid) throws -> [NoteEntry] {
    var entries: [NoteEntry] = []
    try forEachNote(inNotesCommit: notesCommit) { path, blob in
      if let annotated = Oid(hexBytes: path) { entries.append(NoteEntry(annotated: annotated, blob: blob)) }
    }
    // A tree as git writes it lists its notes in increasing order, which one pass checks; only another order
    // is grouped through a dictionary.
    if zip(entries, entries.dropFirst()).allSatisfy({ $0.annotated < $1.annotated }) { return entries }
    var grouped: [NoteEntry] = []
    var positions: [Oid: Int] = [:]
    for entry in entries {
      guard let position = positions[entry.annotated] else {
        positions[entry.annotated] = grouped.count
        grouped.append(entry)
        continue
      }
      let earlier = grouped[position]
      grouped[position] = NoteEntry(
        annotated: entry.annotated, blob: entry.blob, otherBlobs: [earlier.blob] + earlier.otherBlobs)
    }
    return grouped
  }

  /// The notes the notes tree `tree` holds on `annotated`, grouped as ``notes(inNotesCommit:)`` groups them
  /// (`nil`: none), found by following the object's id down the fan-out rather than reading every note.
  func note(on annotated: Oid, inNotesTree tree: Oid) throws -> NoteEntry? {
    let hex = Array(annotated.hex.utf8)
    var blobs: [Oid] = []
    var folder = tree
    var depth = 0
    while true {
      let name = String(decoding: hex[depth...], as: UTF8.self)
      if let leaf = try treeEntry(in: folder, path: name), leaf.mode.isRegularFile { blobs.append(leaf.id) }
      guard depth + 2 < 40,
        let next = try treeEntry(in: folder, path: String(decoding: hex[depth..<(depth + 2)], as: UTF8.self)),
        next.mode == .tree
      else { break }
      folder = next.id
      depth += 2
    }
    guard let last = blobs.popLast() else { return nil }
    return NoteEntry(annotated: annotated, blob: last, otherBlobs: blobs.reversed())
  }

  /// Calls `body` once with the position in `entries` and the text of each note: its blob's content, or, for
  /// an object noted more than once, the notes one after the other (the last entry's first), each ending a
  /// line; single notes come in the order they are cheapest to read (``forEachBlob(_:unreadable:_:)``). A
  /// blob that cannot be read (missing) is handed to `unreadable` by its entry's position, and leaves out its
  /// text (a note none of whose blobs can be read has an empty text).
  func forEachNoteText(
    _ entries: [NoteEntry], unreadable: (Int) -> Void, _ body: (Int, UnsafeRawBufferPointer) throws -> Void
  ) throws {
    let combined = entries.indices.filter { !entries[$0].otherBlobs.isEmpty }
    let single = combined.isEmpty ? Array(entries.indices) : entries.indices.filter { entries[$0].otherBlobs.isEmpty }
    var missing: [Int] = []
    try forEachBlob(single.map { entries[$0].blob }, unreadable: { missing.append(single[$0]) }) {
      try body(single[$0], $1)
    }
    for position in missing {
      unreadable(position)
      try body(position, UnsafeRawBufferPointer(start: nil, count: 0))
    }
    let objects = try objectDatabase()
    for position in combined {
      var text: [UInt8] = []
      for blob in [entries[position].blob] + entries[position].otherBlobs {
        if objects.withContentIfReadable(of: blob, { text.append(contentsOf: $0) }) == nil { unreadable(position) }
        text.append(0x0A)
      }
      try text.withUnsafeBytes { try body(position, $0) }
    }
  }

  /// Calls `body` with each note of `notesCommit`: the annotated object's id as its 40 hexadecimal digits
  /// (the note's path with the fan-out slashes taken out), and the note's blob.
  ///
  /// Read as git reads a notes tree: a note is a regular file whose path spells 40 digits, and the fan-out
  /// folders are named by two (other entries are not notes). A subtree already walked is not walked again:
  /// git never writes one twice, and a crafted tree repeating one at each level would name millions of notes
  /// in a few objects.
  func forEachNote(inNotesCommit notesCommit: Oid, _ body: (UnsafeBufferPointer<UInt8>, Oid) throws -> Void) throws {
    let objects = try objectDatabase()
    var path = [UInt8](repeating: 0, count: 40)
    // Subtrees walked, by the first 8 bytes of their ids.
    var walked = Set<UInt64>()
    func place(_ name: Slice<UnsafeBufferPointer<UInt8>>, at offset: Int) {
      for (index, byte) in name.enumerated() { path[offset + index] = byte }
    }
    func walk(_ tree: Oid, depth: Int) throws {
      try objects.withContent(of: tree) { raw in
        // A tree is a run of "<octal mode> <name>\0<20-byte id>" entries.
        let bytes = raw.bindMemory(to: UInt8.self)
        var position = 0
        var subtrees: [(Oid, Range<Int>)] = []
        while position < bytes.count {
          guard let space = bytes[position...].firstIndex(of: 0x20), let end = bytes[space...].firstIndex(of: 0),
            end + 21 <= bytes.count
          else { throw OctoError("notes tree \(tree.abbreviated()) is damaged") }
          // The mode in octal, as libgit2 reads it: a tree is 40000, or 040000 as some writers pad it.
          var mode: UInt32 = 0
          for digit in bytes[position..<space] where (0x30...0x37).contains(digit) && mode < 0o1_000_000 {
            mode = mode << 3 | UInt32(digit - 0x30)
          }
          let name = (space + 1)..<end
          let id = Oid(bytes: UnsafeRawBufferPointer(rebasing: raw[(end + 1)..<(end + 21)]))
          position = end + 21
          switch mode & 0o170000 {
          case 0o040000 where name.count == 2 && depth + 2 < 40:
            subtrees.append((id, name))
          case 0o100000 where depth + name.count == 40:
            place(bytes[name], at: depth)
            try path.withUnsafeBufferPointer { try body($0, id) }
          default:
            break
          }
        }
        for (subtree, name) in subtrees where walked.insert(subtree.prefix64).inserted {
          place(bytes[name], at: depth)
          try walk(subtree, depth: depth + name.count)
        }
      }
    }
    try walk(try commit(notesCommit).tree, depth: 0)
  }
}
