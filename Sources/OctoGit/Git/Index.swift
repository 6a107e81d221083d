import CGit2
import Foundation

/// One entry of an index (stage 0).
public struct IndexEntry: Equatable, Sendable {
  public let path: String
  public let id: Oid
  public let mode: EntryMode
  public let size: UInt32
}

/// A git index (staging area). Owns its `git_index` handle.
///
/// An index made here is *private*: in memory, or in a file of the caller's choosing, never the
/// repository's `.git/index` — so octo-git can build trees (checkpoints, commits) without disturbing what
/// the user staged.
public final class Index {
  let pointer: OpaquePointer

  init(owning pointer: OpaquePointer) { self.pointer = pointer }

  deinit { git_index_free(pointer) }

  /// An empty index held in memory only.
  public static func inMemory() throws -> Index {
    LibGit2.ensureInitialised()
    return Index(owning: try makeHandle("create an in-memory index") { git_index_new(&$0) })
  }

  /// The index stored in the file at `path` (created on ``write()`` when it does not exist yet).
  public static func open(file path: String) throws -> Index {
    LibGit2.ensureInitialised()
    return Index(owning: try makeHandle("open the index \(path)") { git_index_open(&$0, path) })
  }

  /// The number of entries (all stages).
  public var count: Int { Int(git_index_entrycount(pointer)) }

  /// The stage-0 entries, in path order.
  public var entries: [IndexEntry] {
    (0..<git_index_entrycount(pointer)).compactMap { position in
      guard let raw = git_index_get_byindex(pointer, position), git_index_entry_stage(raw) == 0 else { return nil }
      return Self.entry(raw)
    }
  }

  /// The stage-0 entry at `path`, if any.
  public func entry(at path: String) -> IndexEntry? {
    guard let raw = git_index_get_bypath(pointer, path, 0) else { return nil }
    return Self.entry(raw)
  }

  /// Replaces the whole content with the tree `tree`.
  public func readTree(_ tree: Oid, in repository: Repository) throws {
    let handle = try repository.treeHandle(tree)
    try GitError.check(git_index_read_tree(pointer, handle.pointer), "read tree \(tree.abbreviated()) into an index")
  }

  /// Adds or replaces the entry at `path` with an existing blob (or gitlink) id.
  public func add(path: String, id: Oid, mode: EntryMode, size: UInt32 = 0) throws {
    try path.withCString { cPath in
      var entry = git_index_entry()
      entry.path = cPath
      entry.id = id.raw
      entry.mode = mode.rawValue
      entry.file_size = size
      try GitError.check(git_index_add(pointer, &entry), "add \(path) to an index")
    }
  }

  /// Removes the entry at `path` (every stage); nothing happens when there is none.
  public func remove(path: String) throws {
    let result = git_index_remove_bypath(pointer, path)
    if result == GIT_ENOTFOUND.rawValue { return }
    try GitError.check(result, "remove \(path) from an index")
  }

  /// Writes the index's content as tree objects into `repository` and returns the root tree's id.
  public func writeTree(to repository: Repository) throws -> Oid {
    var out = git_oid()
    try GitError.check(git_index_write_tree_to(&out, pointer, repository.pointer), "write an index as a tree")
    return Oid(out)
  }

  /// Saves a file-backed index to its file (atomically, through a lock file).
  /// Reads the index file again, dropping what is in memory (after a hook may have staged files).
  public func reread() throws {
    try GitError.check(git_index_read(pointer, 1), "read the index again")
  }

  public func write() throws {
    try GitError.check(git_index_write(pointer), "write the index file")
  }

  /// Paths with unresolved merge conflicts.
  public var conflictedPaths: [String] {
    var raw: OpaquePointer?
    guard git_index_conflict_iterator_new(&raw, pointer) == 0, let raw else { return [] }
    defer { git_index_conflict_iterator_free(raw) }
    var paths: [String] = []
    while true {
      var ancestor: UnsafePointer<git_index_entry>?
      var ours: UnsafePointer<git_index_entry>?
      var theirs: UnsafePointer<git_index_entry>?
      guard git_index_conflict_next(&ancestor, &ours, &theirs, raw) == 0 else { break }
      if let path = (ours ?? theirs ?? ancestor)?.pointee.path { paths.append(String(cString: path)) }
    }
    return paths
  }

  static func entry(_ raw: UnsafePointer<git_index_entry>) -> IndexEntry {
    IndexEntry(
      path: String(cString: raw.pointee.path), id: Oid(raw.pointee.id),
      mode: EntryMode(rawValue: raw.pointee.mode) ?? .blob, size: raw.pointee.file_size)
  }
}

@available(*, unavailable)
extension Index: Sendable {}

extension Repository {
  /// A private copy of this work tree's index, in `file`: the repository's index bytes are copied there
  /// (or an empty index is made on an unborn branch with nothing staged). `.git/index` is never touched.
  ///
  /// The copy keeps the original's modification time: git trusts an entry's stat data only when the file
  /// was modified before the index was written, and a copy dated now would make entries written in the
  /// same second as the index (same size, seconds-only times) look unchanged.
  public func privateIndexCopy(at file: String) throws -> Index {
    let manager = FileManager.default
    try? manager.removeItem(atPath: file)
    if manager.fileExists(atPath: indexPath) {
      do {
        try manager.copyItem(atPath: indexPath, toPath: file)
      } catch {
        throw OctoError("cannot copy \(indexPath) to \(file): \(OctoError.reason(error))")
      }
      var original = stat()
      if stat(indexPath, &original) == 0 {
        var times = [original.st_atim, original.st_mtim]
        _ = utimensat(AT_FDCWD, file, &times, 0)
      }
    }
    return try Index.open(file: file)
  }

  /// Makes `index` the index of this handle: index-based operations through this `Repository` (status,
  /// adding work-tree files) use it from now on. Use a second handle to keep the real one.
  public func useIndex(_ index: Index) throws {
    try GitError.check(git_repository_set_index(pointer, index.pointer), "attach a private index")
  }

  /// Adds every work-tree change to this handle's index as `git add -A` would (ignored files stay out, and
  /// skip-worktree paths as they are). A repository nested in the work tree that is no submodule is left out
  /// (git would add it as an embedded repository, with a warning; libgit2 refuses the whole call).
  public func addAllToIndex() throws {
    let index = try currentIndex()
    var star = strdup("*")
    defer { free(star) }
    // Skipped (a positive answer): a nested repository, which libgit2 names as a folder ("vendor/lib/"), and
    // a path the index marks skip-worktree (outside a sparse checkout's cone: absent on purpose, as git add
    // -A leaves it). The payload is the index.
    let skipped: git_index_matched_path_cb = { path, _, payload in
      guard let path else { return 0 }
      let length = strlen(path)
      if length > 0 && path[length - 1] == CChar(UInt8(ascii: "/")) { return 1 }
      guard let payload, let entry = git_index_get_bypath(OpaquePointer(payload), path, 0) else { return 0 }
      return entry.pointee.flags_extended & UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue) != 0 ? 1 : 0
    }
    let payload = UnsafeMutableRawPointer(index.pointer)
    try withUnsafeMutablePointer(to: &star) { pattern in
      var paths = git_strarray(strings: pattern, count: 1)
      try GitError.check(
        git_index_add_all(index.pointer, &paths, 0, skipped, payload), "add work-tree files to the index")
      try GitError.check(
        git_index_update_all(index.pointer, &paths, skipped, payload), "record deletions in the index")
    }
  }

  /// The index this handle uses (the repository's own, unless ``useIndex(_:)`` replaced it).
  public func currentIndex() throws -> Index {
    Index(owning: try makeHandle("open the index") { git_repository_index(&$0, pointer) })
  }
}
