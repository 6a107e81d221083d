import CGit2
import Foundation

extension Repository {
  /// Writes `data` as a blob and returns its id (nothing is written when the blob exists already).
  public func createBlob(_ data: Data) throws -> Oid {
    var out = git_oid()
    let result = data.withUnsafeBytes { bytes in
      git_blob_create_from_buffer(&out, pointer, bytes.baseAddress, bytes.count)
    }
    try GitError.check(result, "write a blob of \(data.count) bytes")
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

  /// Whether the object database holds an object with this id.
  public func objectExists(_ id: Oid) -> Bool {
    var odb: OpaquePointer?
    guard git_repository_odb(&odb, pointer) == 0 else { return false }
    defer { git_odb_free(odb) }
    var oid = id.raw
    return git_odb_exists(odb, &oid) == 1
  }
}
