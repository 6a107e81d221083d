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

  /// Every note of the notes commit `notesCommit`, read straight from its tree (fanned out or flat): the
  /// same as ``notes(ref:)`` without resolving the ref or going through libgit2's note iterator.
  public func notes(inNotesCommit notesCommit: Oid) throws -> [NoteEntry] {
    var entries: [NoteEntry] = []
    func walk(_ tree: TreeHandle, prefix: String) throws {
      for index in 0..<git_tree_entrycount(tree.pointer) {
        guard let entry = git_tree_entry_byindex(tree.pointer, index), let name = git_tree_entry_name(entry) else { continue }
        let path = prefix + String(cString: name)
        switch git_tree_entry_type(entry) {
        case GIT_OBJECT_TREE:
          guard path.utf8.count < 40 else { continue }
          try walk(try treeHandle(Oid(git_tree_entry_id(entry)!)), prefix: path)
        case GIT_OBJECT_BLOB:
          if let annotated = Oid(hex: path) { entries.append(NoteEntry(annotated: annotated, blob: Oid(git_tree_entry_id(entry)!))) }
        default: continue
        }
      }
    }
    try walk(try treeHandle(try commit(notesCommit).tree), prefix: "")
    return entries
  }
}
