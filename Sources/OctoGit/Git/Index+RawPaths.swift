import CGit2
import Foundation

/// Index lookups by paths in ``RawPath`` form (names of any bytes, as a work tree or a tree holds them).
extension Index {
  /// Whether the index has a stage-0 entry at `path`.
  func contains(rawPath path: String) -> Bool {
    RawPath.withCString(path) { git_index_get_bypath(pointer, $0, 0) } != nil
  }

  /// An index entry's flag git keeps in its extended flags.
  enum ExtendedFlag {
    /// Outside a sparse checkout's cone (`git update-index --skip-worktree`).
    case skipWorktree
    /// Added with `git add -N`: tracked, its content not staged yet.
    case intentToAdd

    var bits: UInt16 {
      switch self {
      case .skipWorktree: return UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue)
      case .intentToAdd: return UInt16(GIT_INDEX_ENTRY_INTENT_TO_ADD.rawValue)
      }
    }
  }

  /// The paths (as bytes) of the stage-0 entries whose extended flags hold `flag`: skip-worktree (outside
  /// a sparse checkout's cone), intent-to-add (`git add -N`).
  func paths(flagged flag: ExtendedFlag) -> [[UInt8]] {
    var paths: [[UInt8]] = []
    for position in 0..<git_index_entrycount(pointer) {
      guard let raw = git_index_get_byindex(pointer, position), git_index_entry_stage(raw) == 0,
        raw.pointee.flags_extended & flag.bits != 0
      else { continue }
      paths.append(
        Array(UnsafeBufferPointer(start: raw.pointee.path, count: strlen(raw.pointee.path))).map {
          UInt8(bitPattern: $0)
        })
    }
    return paths
  }

  /// Sets `flag` again on the entries at `paths` that the index holds (reading a tree into the index clears
  /// the extended flags: a sparse checkout's files outside its cone would then read as deleted, a file
  /// added with `git add -N` as staged empty). With `onlyWith`, only on entries of that blob.
  func mark(_ flag: ExtendedFlag, on paths: [[UInt8]], onlyWith blob: Oid? = nil) throws {
    for path in paths {
      var text = path + [0]
      try text.withUnsafeMutableBufferPointer { buffer in
        try buffer.withMemoryRebound(to: CChar.self) { name in
          guard let held = git_index_get_bypath(pointer, name.baseAddress, 0) else { return }
          if let blob, Oid(held.pointee.id) != blob { return }
          var entry = held.pointee
          entry.flags_extended |= flag.bits
          entry.flags |= UInt16(GIT_INDEX_ENTRY_EXTENDED.rawValue)
          entry.path = UnsafePointer(name.baseAddress!)
          try GitError.check(git_index_add(pointer, &entry), "mark a path in the index")
        }
      }
    }
  }

  /// Makes the entries at and below each of `paths` (``RawPath`` form: a file, or a folder's entries) those
  /// `source` holds there, and leaves every other entry as it is: a restore of some paths sets their staged
  /// state only, as `git restore --staged --source` does.
  func replaceEntries(under paths: [String], from source: Index) throws {
    let prefixes = paths.map { RawPath.bytes($0) }
    for prefix in prefixes {
      var name = prefix + [0]
      try name.withUnsafeMutableBufferPointer { buffer in
        try buffer.withMemoryRebound(to: CChar.self) { cName in
          let removed = git_index_remove_bypath(pointer, cName.baseAddress)
          if removed != GIT_ENOTFOUND.rawValue { try GitError.check(removed, "take a path out of the index") }
          for stage in Int32(0)...3 {
            try GitError.check(
              git_index_remove_directory(pointer, cName.baseAddress, stage), "take a folder out of the index")
          }
        }
      }
    }
    for position in 0..<git_index_entrycount(source.pointer) {
      guard let raw = git_index_get_byindex(source.pointer, position), git_index_entry_stage(raw) == 0 else {
        continue
      }
      let path = UnsafeBufferPointer(
        start: UnsafeRawPointer(raw.pointee.path).assumingMemoryBound(to: UInt8.self), count: strlen(raw.pointee.path))
      guard
        prefixes.contains(where: { prefix in
          path.starts(with: prefix) && (path.count == prefix.count || path[prefix.count] == UInt8(ascii: "/"))
        })
      else { continue }
      var entry = raw.pointee
      try GitError.check(git_index_add(pointer, &entry), "put a path back in the index")
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
