import CGit2
import Foundation

/// Index lookups by paths in ``RawPath`` form (names of any bytes, as a work tree or a tree holds them).
extension Index {
  /// Whether the index has a stage-0 entry at `path`.
  func contains(rawPath path: String) -> Bool {
    RawPath.withCString(path) { git_index_get_bypath(pointer, $0, 0) } != nil
  }

  /// The paths (C strings' bytes) of the stage-0 entries marked skip-worktree.
  func skipWorktreePaths() -> [[UInt8]] {
    var paths: [[UInt8]] = []
    forEachEntry { path, _, _, _, skip in
      if skip {
        paths.append(Array(UnsafeBufferPointer(start: path, count: strlen(path)).map { UInt8(bitPattern: $0) }))
      }
    }
    return paths
  }

  /// Marks skip-worktree again the entries at `paths` that the index holds (reading a tree into the index
  /// clears the flag: a sparse checkout's files outside its cone would then read as deleted).
  func markSkipWorktree(_ paths: [[UInt8]]) throws {
    for path in paths {
      var text = path + [0]
      try text.withUnsafeMutableBufferPointer { buffer in
        try buffer.withMemoryRebound(to: CChar.self) { name in
          guard let held = git_index_get_bypath(pointer, name.baseAddress, 0) else { return }
          var entry = held.pointee
          entry.flags_extended |= UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue)
          entry.flags |= UInt16(GIT_INDEX_ENTRY_EXTENDED.rawValue)
          entry.path = UnsafePointer(name.baseAddress!)
          try GitError.check(git_index_add(pointer, &entry), "mark a path skip-worktree in the index")
        }
      }
    }
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
