import CGit2
import Foundation

/// Index lookups by paths in ``RawPath`` form (names of any bytes, as a work tree or a tree holds them).
extension Index {
  /// Whether the index has a stage-0 entry at `path`.
  func contains(rawPath path: String) -> Bool {
    RawPath.withCString(path) { git_index_get_bypath(pointer, $0, 0) } != nil
  }

  /// Whether the index marks `path` skip-worktree (outside a sparse checkout's cone).
  func isSkipWorktree(rawPath path: String) -> Bool {
    guard let entry = RawPath.withCString(path, { git_index_get_bypath(pointer, $0, 0) }) else { return false }
    return entry.pointee.flags_extended & UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue) != 0
  }

  /// The tree of the stage-0 entries (an index with conflicts has none of its own), their paths kept as
  /// their bytes.
  func writeStageZeroTree(to repository: Repository) throws -> Oid {
    if !hasConflicts { return try writeTree() }
    let clean = try Index.inMemory()
    try forEachEntry { path, mode, id, _, _ in
      var entry = git_index_entry()
      entry.path = path
      entry.id = id.raw
      entry.mode = mode
      try GitError.check(
        git_index_add(clean.pointer, &entry), "add \(RawPath.shown(RawPath.string(cString: path))) to an index")
    }
    return try clean.writeTree(to: repository)
  }
}
