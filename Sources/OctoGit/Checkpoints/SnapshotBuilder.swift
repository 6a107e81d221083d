import Foundation

/// Builds the tree of a work tree as it is on disk without touching HEAD, `.git/index` or any file.
///
/// The work is proportional to what changed since the previous snapshot: a private index,
/// `<git-dir>/octo/snapshot.index`, holds the last snapshot with the stat data of every file, so only
/// files whose stat data moved are hashed again, and the tree is rewritten only along changed paths.
/// The first snapshot starts from a copy of `.git/index`, whose stat data spares hashing tracked files.
enum SnapshotBuilder {
  struct Snapshot {
    /// The work tree as on disk.
    let tree: Oid
    /// The staged state (the index as a tree); `nil` when it has unresolved conflicts.
    let indexTree: Oid?
    /// The repository's index as read for the snapshot (kept so callers need not read it again).
    let index: Index
  }

  static func snapshot(_ repository: Repository, includeIgnored: Bool) throws -> Snapshot {
    let folder = repository.gitDirectory + "/octo"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let cachePath = folder + (includeIgnored ? "/snapshot-with-ignored.index" : "/snapshot.index")

    // A second handle whose index is the private one: libgit2 resolves work-tree paths through it.
    let handle = try Repository.open(at: repository.workDirectory)
    let realIndex = try repository.currentIndex()
    let snapshot: Index
    if FileManager.default.fileExists(atPath: cachePath), let cached = try? Index.open(file: cachePath) {
      snapshot = cached
    } else {
      snapshot = try handle.privateIndexCopy(at: cachePath)
    }
    try handle.useIndex(snapshot)

    let changes = try handle.workTreeChanges(against: snapshot, includeIgnored: includeIgnored)
    var removedIgnored = false
    for change in changes {
      let path = change.path.hasSuffix("/") ? String(change.path.dropLast()) : change.path
      switch change.change {
      case .deleted:
        // In a sparse checkout the files outside the cone are absent on purpose: not deletions.
        if realIndex.isSkipWorktree(path) || snapshot.isSkipWorktree(path) { continue }
        try snapshot.remove(path: path)
      case .modified, .added, .untracked, .typeChanged, .ignored, .renamed:
        if change.isSubmodule || change.path.hasSuffix("/") {
          // A submodule, or a repository nested in the work tree: recorded as a gitlink to its HEAD.
          guard let commit = handle.nestedRepositoryHead(at: path) else { continue }
          try snapshot.add(path: path, id: commit, mode: .gitlink)
        } else {
          try snapshot.addFromWorkTree(path)
        }
      default:
        continue
      }
    }
    // A file captured while untracked stays in the private index; if it has since been ignored, it must
    // leave the snapshot. Only paths the real index does not track can be in that case.
    if !includeIgnored {
      for path in snapshot.paths(notIn: realIndex) where try handle.isIgnored(path) {
        try snapshot.remove(path: path)
        removedIgnored = true
      }
    }
    let tree = try snapshot.writeTree()
    // Keeping the stat data for next time is an optimisation: a concurrent checkpoint holding the lock
    // makes it skip that, never fail; and with nothing changed there is nothing new to keep.
    if !changes.isEmpty || removedIgnored || !FileManager.default.fileExists(atPath: cachePath) {
      try? snapshot.write()
    }
    return Snapshot(tree: tree, indexTree: try indexTree(repository, realIndex, folder: folder), index: realIndex)
  }

  /// The staged state as a tree. Building it walks the whole index when git's cached trees are stale,
  /// so the result is remembered against the index file's checksum (its last 20 bytes): until the index
  /// changes (git add, commit, checkout…), the next checkpoint reuses it.
  static func indexTree(_ repository: Repository, _ realIndex: Index, folder: String) throws -> Oid? {
    if realIndex.hasConflicts { return nil }
    let memo = folder + "/index-tree"
    let checksum = indexChecksum(repository.indexPath)
    if let checksum, let text = try? String(contentsOfFile: memo, encoding: .utf8) {
      let parts = text.split(separator: " ")
      if parts.count == 2, parts[0] == checksum, let tree = Oid(hex: String(parts[1])), repository.objectExists(tree) {
        return tree
      }
    }
    let tree = try realIndex.writeTree()
    if let checksum { try? "\(checksum) \(tree.hex)".write(toFile: memo, atomically: true, encoding: .utf8) }
    return tree
  }

  /// The SHA-1 git writes at the end of an index file, in hexadecimal.
  static func indexChecksum(_ path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    guard let end = try? handle.seekToEnd(), end >= 20 else { return nil }
    try? handle.seek(toOffset: end - 20)
    guard let bytes = try? handle.read(upToCount: 20), bytes.count == 20 else { return nil }
    return bytes.map { String(format: "%02x", $0) }.joined()
  }
}
