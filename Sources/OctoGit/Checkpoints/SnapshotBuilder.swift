import CShims
import Foundation

/// Builds the tree of a work tree as it is on disk without touching HEAD, `.git/index` or any file.
///
/// The work is proportional to what changed since the previous snapshot: ``SnapshotState`` holds the
/// last snapshot's files with their stat data, so only files whose stat data moved are hashed again
/// (the lstat calls spread over the cores), only directories whose modification time moved are read for
/// new files (see ``WorkTreeScan``), and the new tree is the last one updated along the changed paths.
/// The first snapshot starts from `.git/index`, whose stat data spares hashing tracked files.
enum SnapshotBuilder {
  struct Snapshot {
    /// The work tree as on disk.
    let tree: Oid
    /// The staged state (the index as a tree); `nil` when it has unresolved conflicts.
    let indexTree: Oid?
    /// The repository's index, read on first use (most checkpoints never need it).
    let realIndex: RealIndex
  }

  /// The repository's index (`.git/index`), read only when asked for: on a large work tree, reading it
  /// (and verifying its checksum) costs as much as comparing every file's stat data.
  final class RealIndex {
    private let repository: Repository
    private var loaded: Index?

    init(_ repository: Repository) { self.repository = repository }

    func get() throws -> Index {
      if let loaded { return loaded }
      let index = try repository.currentIndex()
      loaded = index
      return index
    }
  }

  static func snapshot(_ repository: Repository, includeIgnored: Bool) throws -> Snapshot {
    let folder = repository.gitDirectory + "/octo"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let name = includeIgnored ? "/snapshot-with-ignored" : "/snapshot"
    let statePath = folder + name + ".state"
    let realIndex = RealIndex(repository)

    // The last snapshot, or (first time, or unreadable) the index's entries with git's stat data. An
    // entry is trusted only when its file was modified before that data was written: the state file's
    // time, or the index file's.
    let state: SnapshotState
    let racyAfter: (Int64, Int64)
    var fresh = false
    if let saved = SnapshotState.load(from: statePath), repository.objectExists(saved.tree) {
      state = saved
      racyAfter = modificationTime(statePath) ?? (.max, 0)
    } else {
      let index = try realIndex.get()
      state = SnapshotState.from(index, tree: try tree(of: index, in: repository))
      racyAfter = modificationTime(repository.indexPath) ?? (.max, 0)
      fresh = true
      try? FileManager.default.removeItem(atPath: folder + name + ".index")  // what earlier versions kept
    }
    let trustFileMode = (try? repository.config().bool("core.filemode")) ?? true

    // Every recorded file's stat data against the disk; hashing only where it moved.
    var positions: [Int] = []
    positions.reserveCapacity(state.count)
    for position in 0..<state.count where !state.skipWorktree(position) { positions.append(position) }
    let found = PathStatus.of(positions.map { state.pathPointer($0) }, under: repository.workDirectory)
    var replaced: [Int: SnapshotState.Record] = [:]
    var removed: Set<Int> = []
    var added: [SnapshotState.Record] = []
    var removals: [TreeUpdate] = []
    var upserts: [TreeUpdate] = []
    var sparse: Bool?
    for (position, now) in zip(positions, found) {
      let mode = state.mode(position)
      let type = now.mode & UInt32(S_IFMT)
      if now.error != 0 || (type == UInt32(S_IFDIR) && mode != EntryMode.gitlink.rawValue) {
        let path = state.path(position)
        // In a sparse checkout the files outside the cone are absent on purpose: not deletions.
        if sparse == nil { sparse = (try? repository.config().bool("core.sparseCheckout")) ?? false }
        if sparse == true, try realIndex.get().isSkipWorktree(path) { continue }
        removed.insert(position)
        removals.append(.remove(path: path))
      } else if mode == EntryMode.gitlink.rawValue && type == UInt32(S_IFDIR) {
        let path = state.path(position)
        if let head = repository.nestedRepositoryHead(at: path), head != state.id(position) {
          var record = state.record(position)
          record.id = head
          replaced[position] = record
          upserts.append(.upsert(path: path, id: head, mode: .gitlink))
        }
      } else if statMoved(recorded: state.stat(position), mode: mode, found: now, racyAfter: racyAfter, trustFileMode: trustFileMode) {
        let path = state.path(position)
        guard let record = try hash(path, now, previousMode: mode, in: repository, trustFileMode: trustFileMode) else {
          removed.insert(position)
          removals.append(.remove(path: path))
          continue
        }
        replaced[position] = record
        if record.id != state.id(position) || record.mode != mode {
          upserts.append(.upsert(path: path, id: record.id, mode: EntryMode(rawValue: record.mode) ?? .blob))
        }
      }
    }

    // Files nobody recorded yet, from the directories that changed.
    // A state rebuilt from the index holds no untracked file: every folder is read again then, whatever
    // the folder cache says.
    let rulesMoved = fresh || (removed.map { state.path($0) } + replaced.keys.map { state.path($0) }).contains {
      $0 == ".gitignore" || $0.hasSuffix("/.gitignore")
    }
    let scan = WorkTreeScan(
      handle: repository,
      isTracked: { path in state.position(of: path).map { !removed.contains($0) } ?? false },
      cachePath: folder + name + ".dirs", includeIgnored: includeIgnored)
    let findings = try scan.run(rulesMoved: rulesMoved)
    for path in findings.nestedRepositories {
      // A repository nested in the work tree: recorded as a gitlink to its HEAD (none yet: skipped).
      guard let head = repository.nestedRepositoryHead(at: path) else { continue }
      added.append(SnapshotState.Record(path: path, mode: EntryMode.gitlink.rawValue, skipWorktree: false, id: head, stat: .none))
      upserts.append(.upsert(path: path, id: head, mode: .gitlink))
    }
    let newcomers = findings.untracked
    let newStats = PathStatus.of(newcomers, under: repository.workDirectory)
    for (path, now) in zip(newcomers, newStats) where now.error == 0 {
      guard let record = try hash(path, now, previousMode: nil, in: repository, trustFileMode: trustFileMode) else { continue }
      added.append(record)
      upserts.append(.upsert(path: path, id: record.id, mode: EntryMode(rawValue: record.mode) ?? .blob))
    }
    // A file captured while untracked stays in the snapshot; if it has since been ignored, it must leave
    // it. Only the ignore rules changing can do that, and only to paths the real index does not track.
    if !includeIgnored && findings.readEverything {
      let index = try realIndex.get()
      for position in 0..<state.count where !removed.contains(position) {
        let path = state.path(position)
        if index.entry(at: path) == nil, try repository.isIgnored(path) {
          removed.insert(position)
          replaced[position] = nil
          removals.append(.remove(path: path))
          upserts.removeAll { $0.path == path }
        }
      }
    }

    // The new tree: the last one with the removals, then the additions, applied (in that order, so a file
    // can take the place of a folder and the reverse).
    var tree = state.tree
    if !removals.isEmpty { tree = try repository.updateTree(tree, with: removals) }
    if !upserts.isEmpty { tree = try repository.updateTree(tree, with: upserts) }
    if fresh || !replaced.isEmpty || !removed.isEmpty || !added.isEmpty {
      state.save(to: statePath, tree: tree, replaced: replaced, removed: removed, added: added)
    }
    return Snapshot(tree: tree, indexTree: try indexTree(repository, realIndex, folder: folder), realIndex: realIndex)
  }

  /// The tree of an index's stage-0 entries (an index with conflicts has none of its own).
  private static func tree(of index: Index, in repository: Repository) throws -> Oid {
    if !index.hasConflicts { return try index.writeTree() }
    let clean = try Index.inMemory()
    try index.forEachEntry { path, mode, id, _, _ in
      try clean.add(path: String(cString: path), id: id, mode: EntryMode(rawValue: mode) ?? .blob)
    }
    return try clean.writeTree(to: repository)
  }

  /// Hashes the work-tree file at `path` as git would and returns what to record, or `nil` when it is
  /// gone (or no longer a file git records).
  private static func hash(
    _ path: String, _ now: octo_path_stat, previousMode: UInt32?, in repository: Repository, trustFileMode: Bool
  ) throws -> SnapshotState.Record? {
    let mode: UInt32
    switch now.mode & UInt32(S_IFMT) {
    case UInt32(S_IFLNK):
      mode = EntryMode.symlink.rawValue
    case UInt32(S_IFREG):
      if trustFileMode || previousMode == nil || previousMode == EntryMode.symlink.rawValue || previousMode == EntryMode.gitlink.rawValue {
        mode = now.mode & 0o100 != 0 ? EntryMode.executable.rawValue : EntryMode.blob.rawValue
      } else {
        mode = previousMode!
      }
    default:
      return nil
    }
    let id: Oid
    do {
      id = try repository.createBlob(fromWorkTree: path)
    } catch let error as GitError where error.isNotFound {
      return nil
    }
    let stat = RecordedStat(
      size: now.size, inode: now.inode, mtimeSeconds: now.mtime_seconds, mtimeNanoseconds: now.mtime_nanoseconds,
      ctimeSeconds: now.ctime_seconds, ctimeNanoseconds: now.ctime_nanoseconds)
    return SnapshotState.Record(path: path, mode: mode, skipWorktree: false, id: id, stat: stat)
  }

  /// Whether `found` (lstat now) may describe different content than what was `recorded` with `mode`.
  /// Sizes and inodes are compared in the 32 bits git's index keeps, nanoseconds only when recorded.
  static func statMoved(recorded: RecordedStat, mode: UInt32, found: octo_path_stat, racyAfter: (Int64, Int64), trustFileMode: Bool)
    -> Bool
  {
    let type = found.mode & UInt32(S_IFMT)
    switch mode {
    case EntryMode.symlink.rawValue:
      if type != UInt32(S_IFLNK) { return true }
    case EntryMode.blob.rawValue, EntryMode.executable.rawValue:
      if type != UInt32(S_IFREG) { return true }
      if trustFileMode && (mode == EntryMode.executable.rawValue) != (found.mode & 0o100 != 0) { return true }
    default:
      return true
    }
    if UInt32(truncatingIfNeeded: recorded.size) != UInt32(truncatingIfNeeded: found.size) { return true }
    if recorded.inode != 0 && UInt32(truncatingIfNeeded: recorded.inode) != UInt32(truncatingIfNeeded: found.inode) { return true }
    if recorded.mtimeSeconds != found.mtime_seconds { return true }
    if recorded.mtimeNanoseconds != 0 && recorded.mtimeNanoseconds != found.mtime_nanoseconds { return true }
    if recorded.ctimeSeconds != found.ctime_seconds { return true }
    if recorded.ctimeNanoseconds != 0 && recorded.ctimeNanoseconds != found.ctime_nanoseconds { return true }
    // Modified in the same clock tick as the data was written: it may have changed again unseen.
    return (found.mtime_seconds, found.mtime_nanoseconds) >= racyAfter
  }

  /// A file's modification time (seconds, nanoseconds), or `nil` when it does not exist.
  static func modificationTime(_ path: String) -> (Int64, Int64)? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    return (Int64(status.st_mtim.tv_sec), Int64(status.st_mtim.tv_nsec))
  }

  /// The staged state as a tree. Building it walks the whole index when git's cached trees are stale,
  /// so the result (or that the index has conflicts) is remembered against the index file's checksum
  /// (its last 20 bytes): until the index changes (git add, commit, checkout…), the next checkpoint
  /// reuses it without reading the index at all.
  static func indexTree(_ repository: Repository, _ realIndex: RealIndex, folder: String) throws -> Oid? {
    let memo = folder + "/index-tree"
    let checksum = indexChecksum(repository.indexPath)
    if let checksum, let text = try? String(contentsOfFile: memo, encoding: .utf8) {
      let parts = text.split(separator: " ")
      if parts.count == 2, parts[0] == checksum {
        if parts[1] == "conflicts" { return nil }
        if let tree = Oid(hex: String(parts[1])), repository.objectExists(tree) { return tree }
      }
    }
    let index = try realIndex.get()
    let tree = index.hasConflicts ? nil : try index.writeTree()
    // Remembered only when the file did not change while it was read.
    if let checksum, indexChecksum(repository.indexPath) == checksum {
      try? "\(checksum) \(tree?.hex ?? "conflicts")".write(toFile: memo, atomically: true, encoding: .utf8)
    }
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
