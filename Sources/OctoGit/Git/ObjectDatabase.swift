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
  /// object is not in the repository. Any other failure (a damaged pack, no memory) is thrown: it says
  /// nothing of the object.
  public func withContentIfReadable<T>(of id: Oid, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T? {
    var oid = id.raw
    var pointer: OpaquePointer?
    let result = git_odb_read(&pointer, handle.pointer, &oid)
    if result == GIT_ENOTFOUND.rawValue { return nil }
    try GitError.check(result, "read object \(id.abbreviated())")
    guard let pointer else { throw GitError(code: -1, message: "libgit2 returned no object", operation: "read") }
    return try Self.withContent(of: DatabaseObjectHandle(pointer), body)
  }

  /// Appends the text of `note` to `bytes`: its blob's content, or, for an object a notes tree names more
  /// than once, its notes one after the other (the last entry's first), a line break between them, as git
  /// reads them. Returns how many of its blobs are not in the repository (their text is left out).
  func appendText(of note: NoteEntry, to bytes: inout [UInt8]) throws -> Int {
    var missing = 0
    if try withContentIfReadable(of: note.blob, { bytes.append(contentsOf: $0) }) == nil { missing += 1 }
    for other in note.otherBlobs {
      bytes.append(0x0A)
      if try withContentIfReadable(of: other, { bytes.append(contentsOf: $0) }) == nil { missing += 1 }
    }
    return missing
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
}
