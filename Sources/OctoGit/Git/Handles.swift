import CGit2

// One generic owner, `Handle<Kind>`, for every libgit2 object kind that the Git layer holds beyond a single
// call; `Kind` names the kind's free function, and each kind keeps its old name as a typealias
// (`CommitHandle` is `Handle<CommitKind>`). A handle frees its object in `deinit`, so an early `throw` can
// never leak one. Signatures are the one exception, `SignatureHandle`, since libgit2 hands them out as a
// typed pointer rather than an opaque one. None is `Sendable`: libgit2 objects are not thread-safe. They
// stay internal: callers of the Git layer only ever see Swift values.

/// A kind of libgit2 object the Git layer owns: a caseless enum naming the function that frees one.
protocol LibGit2Kind {
  /// Frees one object of this kind; called once, by the owning ``Handle``'s `deinit`.
  static func free(_ pointer: OpaquePointer)
}

/// Owns one libgit2 object of kind `Kind` (an opaque pointer), freed with `Kind.free` in `deinit`.
///
/// Not `Sendable`: libgit2 objects are not thread-safe.
final class Handle<Kind: LibGit2Kind> {
  /// The libgit2 object, valid for as long as this handle lives.
  let pointer: OpaquePointer
  /// Takes ownership of `pointer`: nothing else may free it.
  init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { Kind.free(pointer) }
}

@available(*, unavailable)
extension Handle: Sendable {}

/// `git_reference`, freed with `git_reference_free`.
enum ReferenceKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_reference_free(pointer) }
}
typealias ReferenceHandle = Handle<ReferenceKind>

/// `git_commit`, freed with `git_commit_free`.
enum CommitKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_commit_free(pointer) }
}
typealias CommitHandle = Handle<CommitKind>

/// `git_tree`, freed with `git_tree_free`.
enum TreeKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_tree_free(pointer) }
}
typealias TreeHandle = Handle<TreeKind>

/// `git_odb`, freed with `git_odb_free`.
enum ObjectDatabaseKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_odb_free(pointer) }
}
typealias ObjectDatabaseHandle = Handle<ObjectDatabaseKind>

/// `git_odb_object`, freed with `git_odb_object_free`.
enum DatabaseObjectKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_odb_object_free(pointer) }
}
typealias DatabaseObjectHandle = Handle<DatabaseObjectKind>

/// `git_blob`, freed with `git_blob_free`.
enum BlobKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_blob_free(pointer) }
}
typealias BlobHandle = Handle<BlobKind>

/// `git_object`, freed with `git_object_free`.
enum ObjectKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_object_free(pointer) }
}
typealias ObjectHandle = Handle<ObjectKind>

/// `git_note`, freed with `git_note_free`.
enum NoteKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_note_free(pointer) }
}
typealias NoteHandle = Handle<NoteKind>

/// `git_reference_iterator`, freed with `git_reference_iterator_free`.
enum ReferenceIteratorKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_reference_iterator_free(pointer) }
}
typealias ReferenceIteratorHandle = Handle<ReferenceIteratorKind>

/// `git_diff`, freed with `git_diff_free`.
enum DiffKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_diff_free(pointer) }
}
typealias DiffHandle = Handle<DiffKind>

/// `git_patch`, freed with `git_patch_free`.
enum PatchKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_patch_free(pointer) }
}
typealias PatchHandle = Handle<PatchKind>

/// `git_status_list`, freed with `git_status_list_free`.
enum StatusListKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_status_list_free(pointer) }
}
typealias StatusListHandle = Handle<StatusListKind>

/// `git_treebuilder`, freed with `git_treebuilder_free`.
enum TreeBuilderKind: LibGit2Kind {
  @inline(__always) static func free(_ pointer: OpaquePointer) { git_treebuilder_free(pointer) }
}
typealias TreeBuilderHandle = Handle<TreeBuilderKind>

/// Owns one `git_signature`, freed with `git_signature_free` in `deinit`.
///
/// Kept out of ``Handle``: `git_signature` is a struct libgit2 declares in its headers, so Swift sees a typed
/// `UnsafeMutablePointer<git_signature>` (whose fields `Signature` reads) rather than an `OpaquePointer`, and
/// it is the only such kind. Not `Sendable`: libgit2 objects are not thread-safe.
final class SignatureHandle {
  /// The signature, valid for as long as this handle lives.
  let pointer: UnsafeMutablePointer<git_signature>
  /// Takes ownership of `pointer`: nothing else may free it.
  init(_ pointer: UnsafeMutablePointer<git_signature>) { self.pointer = pointer }
  deinit { git_signature_free(pointer) }
}

@available(*, unavailable)
extension SignatureHandle: Sendable {}

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
