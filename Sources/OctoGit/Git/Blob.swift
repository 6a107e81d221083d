import CGit2
import Foundation

extension Repository {
  /// Writes `data` as a blob and returns its id (nothing is written when the blob exists already).
  public func createBlob(_ data: Data) throws -> Oid {
    try data.withUnsafeBytes { try createBlob(bytes: $0) }
  }

  /// Writes `bytes` as a blob and returns its id. The object database hashes it first and writes nothing
  /// when the blob exists already (it only freshens it, as git does). libgit2's `git_blob_create_from_buffer`
  /// streams instead, creating a temporary file even for a blob it has: on this project's test machine a
  /// file created costs a third of a millisecond, paid by every file a checkpoint hashes again unchanged.
  func createBlob(bytes: UnsafeRawBufferPointer) throws -> Oid {
    let database = try objectDatabase()
    var out = git_oid()
    // An empty buffer may have no address: libgit2 is given one all the same.
    var none: UInt8 = 0
    let result = withUnsafePointer(to: &none) { empty in
      git_odb_write(
        &out, database.handle.pointer, bytes.baseAddress ?? UnsafeRawPointer(empty), bytes.count, GIT_OBJECT_BLOB)
    }
    try GitError.check(result, "write a blob of \(bytes.count) bytes")
    return Oid(out)
  }

  /// Hashes the work-tree file at `path` (relative to the work tree, in ``RawPath`` form: a name of any
  /// bytes) into a blob as `git add` would: through the repository's filters (line endings, clean
  /// filters), a symlink as its target.
  func createBlob(fromWorkTree path: String) throws -> Oid {
    var out = git_oid()
    let result = RawPath.withCString(path) { git_blob_create_from_workdir(&out, pointer, $0) }
    try GitError.check(result, "store \(RawPath.shown(path)) as a blob")
    return Oid(out)
  }

  /// The bytes of a blob.
  public func blobContent(_ id: Oid) throws -> Data {
    var oid = id.raw
    let blob = BlobHandle(try makeHandle("look up blob \(id.abbreviated())") { git_blob_lookup(&$0, pointer, &oid) })
    let size = Int(git_blob_rawsize(blob.pointer))
    guard size > 0, let bytes = git_blob_rawcontent(blob.pointer) else { return Data() }
    return Data(bytes: bytes, count: size)
  }

  /// The bytes of a blob as git checks it out at `path` (``RawPath`` form): through the line-ending and
  /// `ident` conversions the attributes and `core.autocrlf` ask for (libgit2 runs no external filter).
  func blobContent(_ id: Oid, checkedOutAt path: String) throws -> Data {
    var oid = id.raw
    let blob = BlobHandle(try makeHandle("look up blob \(id.abbreviated())") { git_blob_lookup(&$0, pointer, &oid) })
    var options = git_blob_filter_options()
    try GitError.check(
      git_blob_filter_options_init(&options, UInt32(GIT_BLOB_FILTER_OPTIONS_VERSION)), "prepare a checkout filter")
    // By default libgit2 gives nothing at all for content it takes for binary; git checks such a file out
    // (its filters decide, as git's do).
    options.flags = 0
    var buffer = git_buf()
    defer { git_buf_dispose(&buffer) }
    let result = RawPath.withCString(path) { git_blob_filter(&buffer, blob.pointer, $0, &options) }
    try GitError.check(result, "convert \(RawPath.shown(path)) for the work tree")
    let size = Int(git_blob_rawsize(blob.pointer))
    guard buffer.size > 0, let bytes = buffer.ptr else {
      // Never an empty file for content that is not empty.
      guard size > 0, let raw = git_blob_rawcontent(blob.pointer) else { return Data() }
      return Data(bytes: raw, count: size)
    }
    return Data(bytes: bytes, count: buffer.size)
  }

  /// Whether the object database holds an object with this id.
  public func objectExists(_ id: Oid) -> Bool {
    var odb: OpaquePointer?
    guard git_repository_odb(&odb, pointer) == 0 else { return false }
    defer { git_odb_free(odb) }
    var oid = id.raw
    return git_odb_exists(odb, &oid) == 1
  }
}

extension Repository {
  /// The regular file at `path` (relative to the work tree, ``RawPath`` form) stored as a blob of its bytes,
  /// no filter applied; `nil` when it is not a regular file of at most `limit` bytes now (a symlink is not
  /// followed), for libgit2 to hash it.
  func createBlob(fromBytesOf path: String, limit: Int) throws -> Oid? {
    let descriptor = RawPath.withCString(workDirectory + "/" + path) {
      Glibc.open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    }
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size <= limit else {
      return nil
    }
    var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
    var filled = 0
    while filled < bytes.count {
      let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return nil }  // shrank or failed while read: libgit2 tries again
      filled += count
    }
    return try bytes.withUnsafeBytes { try createBlob(bytes: $0) }
  }
}
