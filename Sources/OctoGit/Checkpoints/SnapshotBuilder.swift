import CShims
import Foundation

/// Builds the tree of a work tree as it is on disk without touching HEAD, `.git/index` or any file.
///
/// The work is proportional to what changed since the previous snapshot: ``SnapshotState`` holds the
/// last snapshot's files with their stat data, so only files whose stat data moved are hashed again
/// (the lstat calls spread over the cores), only directories whose modification time moved are read for
/// new files (see ``WorkTreeScan``), and the new tree is the last one updated along the changed paths.
/// The first snapshot starts from `.git/index`, whose stat data spares hashing tracked files. Where the
/// repository has a file-system monitor (`core.fsmonitor`), only the files and folders it names are looked
/// at (see ``MonitoredSnapshot``).
enum SnapshotBuilder {
  struct Snapshot {
    /// The work tree as on disk.
    let tree: Oid
    /// The staged state (the index as a tree); `nil` when it has unresolved conflicts.
    let indexTree: Oid?
    /// The repository's index, read on first use (most checkpoints never need it).
    let realIndex: RealIndex
    /// What the snapshot left out or could not update, one line each (`left out big.bin (…)`).
    var warnings: [String] = []
    /// The paths whose content on disk the snapshot does not hold (left out, or kept at their previous
    /// content): a restore must not write over them, since its undo checkpoint could not bring them back.
    var leftOut: [String] = []
    /// Whether git stores (and checks out) every file of the work tree as its bytes: no attributes file,
    /// no line-ending setting (see SnapshotBuilder+RawContent).
    var storesBytes = false
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

  /// The default of `octo.checkpoint.maxFileSize`: 100 MB.
  static let defaultMaxFileSize: UInt64 = 100 << 20

  /// Builds the snapshot of the work tree of `repository`.
  ///
  /// It never fails over one file: a file that cannot be read, or an untracked file larger than
  /// `octo.checkpoint.maxFileSize`, or a name git refuses, is left out (a file captured before keeps its
  /// last content) and said in ``Snapshot/warnings``; it is looked at again by the next snapshot.
  ///
  /// Without `savesState` the state, folder cache and monitor token are left as they were (as when saving
  /// fails), unless the state was rebuilt from the index (too costly to do again): a restore rewrites the
  /// files that changed right after, so what this snapshot found of them would be stale at once, and the
  /// next snapshot looks at them again anyway.
  static func snapshot(_ repository: Repository, includeIgnored: Bool, savesState: Bool = true) throws -> Snapshot {
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
    var damagedState = false
    // Which version of the state file is read: a file-system monitor's token is good only for the version
    // it was kept with.
    let stateVersion = FileVersion(path: statePath)
    let loaded = SnapshotState.load(from: statePath)
    if let saved = loaded, repository.objectExists(saved.tree) {
      state = saved
      racyAfter = modificationTime(statePath) ?? (.max, 0)
    } else {
      // A state file that is there but does not check (cut short, damaged) is said once: rebuilt from the
      // index, the snapshot is still exact. One that checks but whose tree is gone (git gc removed it once
      // no checkpoint held it) is only out of date: rebuilt without a word.
      damagedState = loaded == nil && FileManager.default.fileExists(atPath: statePath)
      let index = try realIndex.get()
      state = SnapshotState.from(index, tree: try index.writeStageZeroTree(to: repository))
      racyAfter = modificationTime(repository.indexPath) ?? (.max, 0)
      fresh = true
      try? FileManager.default.removeItem(atPath: folder + name + ".index")  // what earlier versions kept
    }
    let config = try? repository.config()
    let trustFileMode = (try? config?.bool("core.filemode")) ?? true
    // A file-system monitor (core.fsmonitor) asked, before anything is looked at, what may have changed;
    // its token is good only for the state read, so not when another checkpoint saved one meanwhile.
    let monitor = MonitoredSnapshot.begin(
      repository, config: config, recordPath: folder + name + FileSystemMonitor.Record.suffix,
      stateVersion: fresh || FileVersion(path: statePath) != stateVersion ? nil : stateVersion,
      recordCount: state.count)
    var warnings: [String] = []
    var leftOut: [String] = []
    if damagedState {
      warnings.append("the checkpoint state \(statePath) did not check and was rebuilt from the index")
    }
    // Folders holding an untracked file left out: the folder cache must not call them current.
    var recheck: Set<String> = []
    var sizeLimit: UInt64??
    /// `octo.checkpoint.maxFileSize` (`nil`: no limit), read when a file first needs it.
    func maxFileSize() -> UInt64? {
      if let sizeLimit { return sizeLimit }
      let (limit, problem) = fileSizeLimit(config)
      if let problem { warnings.append(problem) }
      sizeLimit = .some(limit)
      return limit
    }
    func tooBig(_ path: String, _ size: UInt64, _ limit: UInt64) -> String {
      var shownSize = sizeText(size)
      if shownSize == sizeText(limit) { shownSize = "\(size) bytes" }
      return "left out \(RawPath.shown(path)) (\(shownSize) > \(sizeText(limit)) octo.checkpoint.maxFileSize)"
    }
    func reason(_ error: Error) -> String {
      var text = (error as? GitError)?.message ?? "\(error)"
      text = text.replacingOccurrences(of: repository.workDirectory + "/", with: "")
      return SafeText.terminal(text)
    }

    // Every recorded file's stat data against the disk (only the files the monitor names, with one); hashing
    // only where it moved.
    var positions: [Int] = []
    if let changed = monitor.changedPaths {
      positions = state.positions(touchedBy: changed)
    } else {
      positions.reserveCapacity(state.count)
      for position in 0..<state.count where !state.skipWorktree(position) { positions.append(position) }
    }
    PhaseTimings.mark("state")
    let statStarted = Date().timeIntervalSince1970
    let (found, folders) = PathStatus.withFolders(
      positions.map { state.pathPointer($0) }, under: repository.workDirectory)
    // The folders' stamps, taken on the way: the scan for new files need not look them up again.
    var folderStamps: [String: FolderCache.Stamp] = [:]
    folderStamps.reserveCapacity(folders.count)
    for folder in folders where folder.position < positions.count {
      folderStamps[parent(of: state.path(positions[folder.position]))] = FolderCache.Stamp(
        seconds: folder.mtime_seconds, nanoseconds: folder.mtime_nanoseconds, inode: folder.inode)
    }
    PhaseTimings.mark("stat")
    var replaced: [Int: SnapshotState.Record] = [:]
    var removed: Set<Int> = []
    var added: [SnapshotState.Record] = []
    var removals: [TreeUpdate] = []
    var upserts: [TreeUpdate] = []
    var sparse: Bool?
    // Whether files can be hashed from their bytes (see SnapshotBuilder+RawContent): decided at the first
    // file to hash, `attributesAmongNew` when untracked files about to be hashed include an attributes file.
    // The tracked files hashed so before the untracked ones are known: hashed again through the filters
    // when an attributes file turns up among those.
    var storesBytes: Bool?
    var hashedAsBytes: [(position: Int, now: octo_path_stat, mode: UInt32)] = []
    func unfiltered(_ attributesAmongNew: Bool) -> Bool {
      if storesBytes == nil { storesBytes = storesBytesUnfiltered(repository, config: config, state: state) }
      return storesBytes! && !attributesAmongNew
    }
    for (position, now) in zip(positions, found) {
      let mode = state.mode(position)
      let type = now.mode & UInt32(S_IFMT)
      if now.error != 0 && now.error != ENOENT && now.error != ENOTDIR {
        // There, but not to be looked at (a folder above it unreadable): kept as it was, not deleted.
        warnings.append(
          "kept the previous content of \(RawPath.shown(state.path(position)))"
            + " (\(String(cString: strerror(now.error))))"
        )
        leftOut.append(state.path(position))
        continue
      }
      if now.error != 0 || (type == UInt32(S_IFDIR) && mode != EntryMode.gitlink.rawValue) {
        let path = state.path(position)
        // In a sparse checkout the files outside the cone are absent on purpose: not deletions.
        if sparse == nil { sparse = (try? config?.bool("core.sparseCheckout")) ?? false }
        if sparse == true, try realIndex.get().isSkipWorktree(rawPath: path) { continue }
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
      } else if statMoved(
        recorded: state.stat(position), mode: mode, found: now, racyAfter: racyAfter, trustFileMode: trustFileMode)
      {
        let path = state.path(position)
        // A file captured while untracked that grew past the limit leaves the snapshot (git's own files
        // never do).
        if type == UInt32(S_IFREG), let limit = maxFileSize(), now.size > limit,
          try !realIndex.get().contains(rawPath: path)
        {
          warnings.append(tooBig(path, now.size, limit))
          leftOut.append(path)
          recheck.insert(parent(of: path))
          removed.insert(position)
          removals.append(.remove(path: path))
          continue
        }
        let hashed: SnapshotState.Record?
        do {
          let asBytes = unfiltered(false)
          hashed = try hash(
            path, now, previousMode: mode, in: repository, trustFileMode: trustFileMode, unfiltered: asBytes)
          if asBytes { hashedAsBytes.append((position, now, mode)) }
        } catch {
          // Unreadable now: the snapshot keeps what it held, and the unchanged record (stat data included)
          // has the file hashed again next time.
          warnings.append("kept the previous content of \(RawPath.shown(path)) (\(reason(error)))")
          leftOut.append(path)
          continue
        }
        guard let record = hashed else {
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

    PhaseTimings.mark("hash")
    // Files nobody recorded yet, from the directories that changed.
    // A state rebuilt from the index holds no untracked file: every folder is read again then, whatever
    // the folder cache says.
    let rulesMoved =
      fresh
      || (removed.map { state.path($0) } + replaced.keys.map { state.path($0) }).contains {
        $0 == ".gitignore" || $0.hasSuffix("/.gitignore")
      }
    // The staged state as a tree, asked once: the checkpoint's index commit needs it, and whether git tracks
    // an ignored path is asked of it (remembered against the index's checksum, it costs no read of the index
    // while the index does not change).
    var stagedTree: Oid??
    func staged() throws -> Oid? {
      if let stagedTree { return stagedTree }
      let tree = try indexTree(repository, realIndex, folder: folder)
      stagedTree = .some(tree)
      return tree
    }
    // An index with conflicts has no tree of its own: its stage-0 entries' tree, and the conflicted paths.
    var conflictedIndex: (tree: Oid, paths: Set<String>)?
    func tracked(_ path: String) throws -> Bool {
      if let tree = try staged() { return try repository.treeEntry(in: tree, path: path) != nil }
      if conflictedIndex == nil {
        let index = try realIndex.get()
        conflictedIndex = (try index.writeStageZeroTree(to: repository), Set(index.conflictedPaths))
      }
      guard let conflictedIndex else { return false }
      return try conflictedIndex.paths.contains(path)
        || repository.treeEntry(in: conflictedIndex.tree, path: path) != nil
    }
    let scan = WorkTreeScan(
      handle: repository,
      isTracked: { path in state.position(of: path).map { !removed.contains($0) } ?? false },
      // A file added with -f (committed or not) is tracked whatever the rules say; so is a folder holding one.
      isIndexed: { path, _ in try tracked(path) },
      cachePath: folder + name + ".dirs", includeIgnored: includeIgnored, stateVersion: fresh ? nil : stateVersion)
    let findings = try scan.run(
      rulesMoved: rulesMoved, changed: monitor.changedPaths, stamped: (folderStamps, statStarted))
    warnings += findings.warnings
    leftOut += findings.leftOut
    for path in findings.nestedRepositories {
      // A repository nested in the work tree: recorded as a gitlink to its HEAD (none yet: skipped).
      guard let head = repository.nestedRepositoryHead(at: path) else { continue }
      added.append(
        SnapshotState.Record(path: path, mode: EntryMode.gitlink.rawValue, skipWorktree: false, id: head, stat: .none))
      upserts.append(.upsert(path: path, id: head, mode: .gitlink))
    }
    let newcomers = findings.untracked
    let newcomersHaveAttributes = newcomers.contains(where: isAttributesFile)
    if newcomersHaveAttributes {
      for (position, now, mode) in hashedAsBytes {
        let path = state.path(position)
        guard
          let record = try? hash(
            path, now, previousMode: mode, in: repository, trustFileMode: trustFileMode, unfiltered: false)
        else { continue }
        replaced[position] = record
        upserts.removeAll { $0.path == path }
        if record.id != state.id(position) || record.mode != mode {
          upserts.append(.upsert(path: path, id: record.id, mode: EntryMode(rawValue: record.mode) ?? .blob))
        }
      }
    }
    let newStats = PathStatus.of(rawPaths: newcomers, under: repository.workDirectory)
    for (path, now) in zip(newcomers, newStats) where now.error == 0 {
      if now.mode & UInt32(S_IFMT) == UInt32(S_IFREG), let limit = maxFileSize(), now.size > limit {
        warnings.append(tooBig(path, now.size, limit))
        leftOut.append(path)
        recheck.insert(parent(of: path))
        continue
      }
      let hashed: SnapshotState.Record?
      do {
        hashed = try hash(
          path, now, previousMode: nil, in: repository, trustFileMode: trustFileMode,
          unfiltered: unfiltered(newcomersHaveAttributes))
      } catch {
        warnings.append("left out \(RawPath.shown(path)) (\(reason(error)))")
        leftOut.append(path)
        recheck.insert(parent(of: path))
        continue
      }
      guard let record = hashed else { continue }
      added.append(record)
      upserts.append(.upsert(path: path, id: record.id, mode: EntryMode(rawValue: record.mode) ?? .blob))
    }
    // A file captured while untracked stays in the snapshot; if it has since been ignored, it must leave
    // it. Only the ignore rules changing can do that, and only to paths the real index does not track.
    if !includeIgnored && findings.readEverything {
      let index = try realIndex.get()
      for position in 0..<state.count where !removed.contains(position) {
        let path = state.path(position)
        if !index.contains(rawPath: path), try repository.isIgnored(path) {
          removed.insert(position)
          replaced[position] = nil
          removals.append(.remove(path: path))
          upserts.removeAll { $0.path == path }
        }
      }
    }

    // The new tree: the last one with the removals, then the additions, applied (in that order, so a file
    // can take the place of a folder and the reverse). An entry libgit2 refuses is left out, not the
    // whole snapshot.
    PhaseTimings.mark("untracked")
    var tree = state.tree
    let (afterRemovals, _) = apply(removals, to: tree, in: repository)
    tree = afterRemovals
    let (afterUpserts, refused) = apply(upserts, to: tree, in: repository)
    tree = afterUpserts
    for (path, error) in refused {
      if let position = state.position(of: path), !removed.contains(position) {
        // Recorded before: the tree keeps its old entry, and so does the state (hashed again next time).
        replaced[position] = nil
        warnings.append("kept the previous content of \(RawPath.shown(path)) (\(reason(error)))")
      } else {
        added.removeAll { $0.path == path }
        recheck.insert(parent(of: path))
        warnings.append("left out \(RawPath.shown(path)) (\(reason(error)))")
      }
      leftOut.append(path)
    }
    PhaseTimings.mark("tree")
    var saved = true
    var savedVersion = stateVersion
    if !savesState && !fresh {
      saved = false
      savedVersion = nil
    } else if fresh || !replaced.isEmpty || !removed.isEmpty || !added.isEmpty {
      savedVersion = state.save(to: statePath, tree: tree, replaced: replaced, removed: removed, added: added)
      saved = savedVersion != nil
    }
    // Only now, with the state that holds what the scan found saved, may the folder cache call those
    // folders known: the next scan does not look into them for new files.
    if saved { scan.saveCache(findings, recheck: recheck, savedState: savedVersion) }
    // Last, the monitor's token: kept only when nothing is left to retry, since the monitor will not name a
    // file left out again until it changes. A snapshot that keeps the state as it was keeps the record too.
    if savesState || fresh {
      monitor.finish(stateVersion: savedVersion, keepToken: saved && warnings.isEmpty && recheck.isEmpty)
    }
    PhaseTimings.mark("save")
    // A file can be left out twice (too big as a record, then as an untracked file): said once.
    var said: Set<String> = []
    warnings = warnings.filter { said.insert($0).inserted }
    return Snapshot(
      tree: tree, indexTree: try staged(), realIndex: realIndex,
      warnings: warnings, leftOut: leftOut,
      storesBytes: unfiltered(newcomers.contains(where: isAttributesFile)))
  }
}
