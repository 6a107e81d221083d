import CGit2
import Foundation

/// A repository's object database, for reading many objects fast: no object cache, no type lookup.
/// Not `Sendable`: one per thread.
public final class ObjectDatabase {
  let handle: ObjectDatabaseHandle

  init(_ handle: ObjectDatabaseHandle) { self.handle = handle }

  /// The object database in `folder` (a repository's `objects`, alternates included), opened alone: a
  /// handle of its own for a thread that only reads objects.
  static func open(folder: String) throws -> ObjectDatabase {
    ObjectDatabase(
      ObjectDatabaseHandle(try makeHandle("open the object database \(folder)") { git_odb_open(&$0, folder) }))
  }

  /// Calls `body` with an object's raw content, valid only during the call.
  public func withContent<T>(of id: Oid, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
    var oid = id.raw
    let object = DatabaseObjectHandle(
      try makeHandle("read object \(id.abbreviated())") { git_odb_read(&$0, handle.pointer, &oid) })
    return try Self.withContent(of: object, body)
  }

  /// Calls `body` with an object's raw content, as ``withContent(of:_:)``; `nil` without calling it when the
  /// object cannot be read (missing or damaged).
  public func withContentIfReadable<T>(of id: Oid, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T? {
    var oid = id.raw
    var pointer: OpaquePointer?
    guard git_odb_read(&pointer, handle.pointer, &oid) == 0, let pointer else { return nil }
    return try Self.withContent(of: DatabaseObjectHandle(pointer), body)
  }

  private static func withContent<T>(of object: DatabaseObjectHandle, _ body: (UnsafeRawBufferPointer) throws -> T)
    rethrows -> T
  {
    let size = git_odb_object_size(object.pointer)
    return try withExtendedLifetime(object) {
      try body(UnsafeRawBufferPointer(start: git_odb_object_data(object.pointer), count: size))
    }
  }
}

@available(*, unavailable)
extension ObjectDatabase: Sendable {}

extension Repository {
  /// The object database, for reading many blobs in a row.
  public func objectDatabase() throws -> ObjectDatabase {
    ObjectDatabase(
      ObjectDatabaseHandle(try makeHandle("open the object database") { git_repository_odb(&$0, pointer) }))
  }

  /// Calls `body` with the position in `ids` and the content of each object, in the order they are cheapest
  /// to read (pack order, see ``PackOrder``; a handful are read as given). An object that cannot be read
  /// (missing, as a notes tree made with `git mktree --missing` names one) is handed to `unreadable` by
  /// position, or fails the call when no `unreadable` is given.
  func forEachBlob(
    _ ids: [Oid], unreadable: ((Int) -> Void)? = nil, _ body: (Int, UnsafeRawBufferPointer) throws -> Void
  ) throws {
    let objects = try objectDatabase()
    let order = ids.count < 64 ? Array(ids.indices) : readingOrder(of: ids)
    for position in order {
      guard let unreadable else {
        try objects.withContent(of: ids[position]) { try body(position, $0) }
        continue
      }
      if try objects.withContentIfReadable(of: ids[position], { try body(position, $0) }) == nil {
        unreadable(position)
      }
    }
  }

  /// The folder of this repository's objects, for ``ObjectDatabase/open(folder:)`` on another thread.
  var objectsFolder: String { commonDirectory + "/objects" }

  /// Every note of the notes commit `notesCommit`, read straight from its trees (fanned out or flat), without
  /// libgit2's note iterator or its tree objects.
  public func notes(inNotesCommit notesCommit: Oid) throws -> [NoteEntry] {
    var entries: [NoteEntry] = []
    try forEachNote(inNotesCommit: notesCommit) { path, blob in
      if let annotated = Oid(hexBytes: path) { entries.append(NoteEntry(annotated: annotated, blob: blob)) }
    }
    return entries
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
