import CGit2
import Foundation

/// A repository's object database, for reading many objects fast: no object cache, no type lookup.
/// Not `Sendable`: one per thread.
public final class ObjectDatabase {
  let handle: ObjectDatabaseHandle

  init(_ handle: ObjectDatabaseHandle) { self.handle = handle }

  /// Calls `body` with an object's raw content, valid only during the call.
  public func withContent<T>(of id: Oid, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
    var oid = id.raw
    let object = DatabaseObjectHandle(
      try makeHandle("read object \(id.abbreviated())") { git_odb_read(&$0, handle.pointer, &oid) })
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
    ObjectDatabase(ObjectDatabaseHandle(try makeHandle("open the object database") { git_repository_odb(&$0, pointer) }))
  }

  /// Every note of the notes commit `notesCommit`, read straight from its trees (fanned out or flat): the
  /// same as ``notes(ref:)`` without resolving the ref, libgit2's note iterator or its tree objects.
  public func notes(inNotesCommit notesCommit: Oid) throws -> [NoteEntry] {
    let objects = try objectDatabase()
    var entries: [NoteEntry] = []
    func walk(_ tree: Oid, prefix: [UInt8]) throws {
      try objects.withContent(of: tree) { raw in
        // A tree is a run of "<octal mode> <name>\0<20-byte id>" entries.
        let bytes = raw.bindMemory(to: UInt8.self)
        var position = 0
        var subtrees: [(Oid, [UInt8])] = []
        while position < bytes.count {
          guard let space = bytes[position...].firstIndex(of: 0x20), let end = bytes[space...].firstIndex(of: 0),
            end + 21 <= bytes.count
          else { throw OctoError("notes tree \(tree.abbreviated()) is damaged") }
          let isTree = bytes[position] == UInt8(ascii: "4")  // mode 40000
          let path = prefix + bytes[(space + 1)..<end]
          var id = git_oid()
          withUnsafeMutableBytes(of: &id) { $0.copyBytes(from: UnsafeRawBufferPointer(rebasing: raw[(end + 1)..<(end + 21)])) }
          position = end + 21
          if isTree {
            if path.count < 40 { subtrees.append((Oid(id), path)) }
          } else if path.count == 40, let annotated = Oid(hexBytes: path) {
            entries.append(NoteEntry(annotated: annotated, blob: Oid(id)))
          }
        }
        for (subtree, path) in subtrees { try walk(subtree, prefix: path) }
      }
    }
    try walk(try commit(notesCommit).tree, prefix: [])
    return entries
  }
}
