import CGit2

// One owner per libgit2 object kind that the Git layer holds beyond a single call. Each frees its handle
// in `deinit`, so an early `throw` can never leak one. None is `Sendable`: libgit2 objects are not
// thread-safe. They stay internal: callers of the Git layer only ever see Swift values.

final class ReferenceHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_reference_free(pointer) }
}

final class CommitHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_commit_free(pointer) }
}

final class TreeHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_tree_free(pointer) }
}

final class ObjectDatabaseHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_odb_free(pointer) }
}

final class DatabaseObjectHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_odb_object_free(pointer) }
}

final class BlobHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_blob_free(pointer) }
}

final class ObjectHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_object_free(pointer) }
}

final class SignatureHandle {
  let pointer: UnsafeMutablePointer<git_signature>
  init(_ pointer: UnsafeMutablePointer<git_signature>) { self.pointer = pointer }
  deinit { git_signature_free(pointer) }
}

final class NoteHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_note_free(pointer) }
}

final class NoteIteratorHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_note_iterator_free(pointer) }
}

final class ReferenceIteratorHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_reference_iterator_free(pointer) }
}

final class DiffHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_diff_free(pointer) }
}

final class PatchHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_patch_free(pointer) }
}

final class StatusListHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_status_list_free(pointer) }
}

final class TreeBuilderHandle {
  let pointer: OpaquePointer
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { git_treebuilder_free(pointer) }
}

/// Calls a libgit2 constructor of the form `int f(T **out, ...)` and returns the handle it made, throwing
/// the libgit2 error (read at once) when it fails.
func makeHandle(_ operation: @autoclosure () -> String, _ body: (inout OpaquePointer?) -> Int32) throws
  -> OpaquePointer
{
  var pointer: OpaquePointer?
  let result = body(&pointer)
  if result < 0 { throw GitError.last(code: result, operation: operation()) }
  guard let pointer else { throw GitError(code: -1, message: "libgit2 returned no object", operation: operation()) }
  return pointer
}
