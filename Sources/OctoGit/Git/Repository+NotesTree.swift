import CGit2
import Foundation

/// Reading notes trees: as git reads them, straight from their tree objects.
extension Repository {
  /// The most notes one notes tree is read for (4,000,000: three times the commits of the largest
  /// repositories).
  static let maxNotes = 4_000_000

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
    var blobs = try notePaths(of: annotated, inNotesTree: tree).map(\.blob)
    guard let last = blobs.popLast() else { return nil }
    return NoteEntry(annotated: annotated, blob: last, otherBlobs: blobs.reversed())
  }

  /// Where the notes tree `tree` holds notes on `annotated`, and their blobs, in the walk's order
  /// (``forEachNote(inNotesCommit:_:)``): regular files named by its 40 digits, in lower or upper case (git
  /// reads both), under fan-out folders of two, at every depth where one is found.
  func notePaths(of annotated: Oid, inNotesTree tree: Oid) throws -> [(path: String, blob: Oid)] {
    let lower = annotated.hex
    let upper = lower.uppercased()
    var found: [(path: String, blob: Oid)] = []
    func spellings(_ range: Range<Int>) -> [String] {
      let small = String(lower.utf8.dropFirst(range.lowerBound).prefix(range.count))!
      let large = String(upper.utf8.dropFirst(range.lowerBound).prefix(range.count))!
      // In the tree's order: upper case sorts first.
      return small == large ? [small] : [large, small]
    }
    func look(in folder: Oid, at prefix: String, depth: Int) throws {
      for name in spellings(depth..<40) {
        if let leaf = try treeEntry(in: folder, path: name), EntryMode.isRegularFile(rawMode: leaf.rawMode) {
          found.append((prefix + name, leaf.id))
        }
      }
      guard depth + 2 < 40 else { return }
      for name in spellings(depth..<(depth + 2)) {
        if let next = try treeEntry(in: folder, path: name), next.mode == .tree {
          try look(in: next.id, at: prefix + name + "/", depth: depth + 2)
        }
      }
    }
    try look(in: tree, at: "", depth: 0)
    return found
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
      for _ in 0..<(try objects.appendText(of: entries[position], to: &text)) { unreadable(position) }
      try text.withUnsafeBytes { try body(position, $0) }
    }
  }

  /// Calls `body` with each note of `notesCommit`: the annotated object's id as its 40 hexadecimal digits
  /// (the note's path with the fan-out slashes taken out), and the note's blob.
  ///
  /// Read as git reads a notes tree: a note is a regular file whose path spells 40 digits, and the fan-out
  /// folders are named by two (other entries are not notes). At most ``maxNotes``: a crafted tree naming
  /// the same subtree under every folder of every level names millions of notes in a few objects. And at
  /// most 19 folders walked per note found (a note's path has at most 19; git writes no empty folder), with
  /// some slack: folders naming folders with no note below them would otherwise be walked exponentially.
  func forEachNote(inNotesCommit notesCommit: Oid, _ body: (UnsafeBufferPointer<UInt8>, Oid) throws -> Void) throws {
    let objects = try objectDatabase()
    var path = [UInt8](repeating: 0, count: 40)
    var count = 0
    var folders = 0
    func crafted(_ what: String) -> OctoError {
      OctoError(
        "notes commit \(notesCommit.abbreviated()) \(what)",
        hint: "a crafted notes tree: see where it came from with git log on its notes ref, and remove it")
    }
    func place(_ name: Slice<UnsafeBufferPointer<UInt8>>, at offset: Int) {
      for (index, byte) in name.enumerated() { path[offset + index] = byte }
    }
    func walk(_ tree: Oid, depth: Int) throws {
      folders += 1
      guard folders <= 19 * (count + 1) + 256 else { throw crafted("holds folders with no notes below them") }
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
            count += 1
            guard count <= Self.maxNotes else {
              throw crafted("names more than \(Self.maxNotes) notes, more than any repository has commits")
            }
            place(bytes[name], at: depth)
            try path.withUnsafeBufferPointer { try body($0, id) }
          default:
            break
          }
        }
        for (subtree, name) in subtrees {
          place(bytes[name], at: depth)
          try walk(subtree, depth: depth + name.count)
        }
      }
    }
    try walk(try commit(notesCommit).tree, depth: 0)
  }
}
