import Foundation

extension Checkpoints {
  /// What a restore did.
  public struct Restore: Sendable {
    /// A file of the checkpoint left as it is on disk, and why.
    public struct Skipped: Equatable, Sendable {
      public let path: String
      public let reason: String
    }

    /// The checkpoint of the state just before the restore: restoring it undoes the restore.
    public let undo: Checkpoint
    public let written: [String]
    public let deleted: [String]
    /// Files left as they are: ignored now (restored only with `includeIgnored`), or with something in
    /// the way that must be kept (an ignored file, a nested repository, a folder that still holds files,
    /// content the undo checkpoint left out: too big, unreadable, a name git refuses).
    public let skipped: [Skipped]
    public let indexRestored: Bool
    /// What the undo checkpoint left out or kept at its previous content (a file it could not read), one
    /// line each: such a file is also left as it is on disk.
    public var warnings: [String] = []
    /// Whether the files already matched the checkpoint: nothing was written and no undo checkpoint taken.
    public var changedNothing = false
  }

  /// Makes the work tree (or the given paths) exactly what `checkpoint` holds: files created, changed and
  /// deleted as needed, no `git clean`. The current state is checkpointed first, so the restore can itself
  /// be undone. With `restoreIndex`, the index is set to the staged state the checkpoint recorded (for the
  /// given paths only, when paths are given).
  ///
  /// Files ignored now are never written or deleted: those the checkpoint holds are skipped and listed in
  /// ``Restore/skipped``. With `includeIgnored`, the undo checkpoint captures ignored files too and the
  /// checkpoint's ignored files are written (ignored files it does not hold still stay: it may have been
  /// taken without them).
  ///
  /// Nothing is written through a symlink: every path is walked from the top of the work tree one folder
  /// at a time (``WorkTreeWriter``), and a symlink or file where the checkpoint has a folder is replaced
  /// by that folder. A checkpoint holding a path git would refuse to check out (`..`, `.git` in any
  /// spelling, see ``GitPathRules``) is refused before anything is checkpointed or written.
  ///
  /// - Parameter paths: paths relative to the top of the work tree (`""`: the top folder, every path); each
  ///   must be in the checkpoint. The changes at their parent folders (a symlink or file where the checkpoint
  ///   has a folder) are made too.
  public func restore(
    _ checkpoint: Checkpoint, paths: [String] = [], restoreIndex: Bool = false, includeIgnored: Bool = false,
    agent: String? = nil
  ) throws -> Restore {
    let short = checkpoint.id.abbreviated()
    let target = try repository.commit(checkpoint.id).tree
    // The top folder (`.` from there) is every path. (An empty argument is refused before it gets here.)
    let selected = paths.contains(where: \.isEmpty) ? [] : paths
    for path in selected {
      guard GitPathRules.isSafe(path) else {
        throw OctoError.badInput(
          "\(GitPathRules.shown(path)) is not a path git would check out", hint: "nothing was restored")
      }
      guard try repository.treeEntry(in: target, path: path) != nil else {
        throw OctoError.badInput(
          "\(SafeText.terminal(path)) is not in checkpoint \(short)",
          hint: "see what it holds with octo-git checkpoints show \(short)")
      }
    }
    if restoreIndex && checkpoint.index == nil {
      throw OctoError.badInput(
        "checkpoint \(short) has no staged state (the index had conflicts)", hint: "restore without --index")
    }
    // Before anything is written: a restore that stops at the index would leave the work tree changed, and
    // an index with conflicts has stages no checkpoint holds (its undo could not bring them back).
    if restoreIndex, try repository.currentIndex().hasConflicts {
      throw OctoError.badInput(
        "the index has unresolved conflicts (a merge, rebase or cherry-pick is under way): nothing was restored",
        hint: "finish or abort it first, or restore without --index")
    }
    if restoreIndex && Paths.entryExists(repository.gitDirectory + "/index.lock") {
      throw OctoError(
        "the index is locked (\(repository.gitDirectory)/index.lock): another git command is running",
        hint: "nothing was restored; run it again when it is done (or remove the lock if no git runs)",
        status: .tryAgain)
    }

    // What the restore changes: the work tree as the undo checkpoint will hold it, against the target.
    PhaseTimings.start()
    let snapshot = try SnapshotBuilder.snapshot(repository, includeIgnored: includeIgnored, savesState: false)
    func wanted(_ path: String) -> Bool {
      selected.isEmpty
        || selected.contains { path == $0 || path.hasPrefix($0 + "/") || $0.hasPrefix(path + "/") }
    }
    let changes = try repository.changedPaths(from: snapshot.tree, to: target).filter { wanted($0.path) }
    // A symlink named .gitmodules (in any spelling a file system reads so) is refused by git's fsck and
    // checkout too: checkpoints never hold one.
    let names = GitNames(repository)
    func isUnsafe(_ change: ChangedPath) -> Bool {
      !GitPathRules.isSafe(change.path)
        || (change.newRawMode == 0o120000
          && names.refuses(String(change.path.split(separator: "/").last ?? ""), isSymlink: true))
    }
    if let unsafe = changes.first(where: isUnsafe) {
      throw OctoError.badInput(
        unsafe.newID != nil
          ? "checkpoint \(short) holds the unsafe path \(GitPathRules.shown(unsafe.path))"
          : "restoring checkpoint \(short) would delete the unsafe path \(GitPathRules.shown(unsafe.path))",
        hint: "nothing was restored: git refuses to check out such a path")
    }

    PhaseTimings.mark("compare")
    let ignored = IgnoredPaths(repository, index: { try snapshot.realIndex.get() })
    let uncaptured = UncapturedPaths(snapshot.leftOut)
    var deletions: [String] = []
    var writes: [ChangedPath] = []
    var skipped: [Restore.Skipped] = []
    let rulesChange = !includeIgnored && changes.contains { Self.isIgnoreFile($0.path) }
    // Paths git's index marks skip-worktree (a sparse checkout, git update-index --skip-worktree) are the
    // user's to keep, as git checkout keeps them; an index without extended flags has none.
    let skipWorktree = try Self.indexHasExtendedFlags(repository) ? try snapshot.realIndex.get() : nil
    for change in changes {
      if let index = skipWorktree, index.isSkipWorktree(rawPath: change.path) {
        skipped.append(
          Restore.Skipped(path: change.path, reason: "skip-worktree in git's index; left as it is, as git leaves it"))
      } else if let kept = uncaptured.blocking(change.path) {
        // What is on disk there is not in the undo checkpoint (too big, unreadable, a name git refuses):
        // written over or deleted, nothing could bring it back.
        skipped.append(
          Restore.Skipped(
            path: change.path,
            reason: "\(RawPath.shown(kept)) is not in the undo checkpoint (too big, unreadable or a name git "
              + "refuses); move it aside first"))
      } else if change.newRawMode == 0o160000, Paths.isFolder(repository.workDirectory + "/" + change.path) {
        // A submodule's commit is its own repository's HEAD, which git checkout leaves alone too.
        let folder = repository.workDirectory + "/" + change.path
        skipped.append(
          Restore.Skipped(
            path: change.path,
            reason: (Paths.entryExists(folder + "/.git")
              ? "a submodule: bring it to the checkpoint's commit with "
              : "a submodule not checked out: git -C \(ShellWord.shown(repository.workDirectory, always: false)) "
                + "submodule update --init -- \(ShellWord.shown(change.path, always: false)), then ")
              + "git -C \(ShellWord.shown(folder, always: false)) checkout \(change.newID?.hex ?? "?")"))
      } else if change.oldID == nil, let kind = Self.specialFileKind(repository.workDirectory + "/" + change.path) {
        // Nothing the undo checkpoint could bring back: what git never captures is the user's to move.
        skipped.append(
          Restore.Skipped(
            path: change.path, reason: "\(kind) stands there (not in the undo checkpoint); move it aside first"))
      } else if change.newID == nil {
        // With ignored files in the snapshot, those the checkpoint lacks stay: it may have been taken
        // without them.
        if includeIgnored, try ignored.contains(change.path) { continue }
        deletions.append(change.path)
      } else if !includeIgnored, change.oldID == nil, try ignored.contains(change.path),
        !(rulesChange && !Paths.entryExists(repository.workDirectory + "/" + change.path))
      {
        // Not in the snapshot: an ignored file on disk would be lost, with no undo to bring it back. (Where
        // this restore changes the rules and nothing is there, as when undoing a restore that put a file in
        // its folder's place, it is written.)
        skipped.append(
          Restore.Skipped(path: change.path, reason: "ignored now; restore with --include-ignored to write it"))
      } else {
        writes.append(change)
      }
    }

    // Every file to write must be there before anything is: a checkpoint whose objects were pruned would
    // otherwise stop part way.
    if let lost = writes.first(where: {
      guard let id = $0.newID, $0.newRawMode.map({ $0 & 0o170000 != 0o160000 }) ?? true else { return false }
      return !repository.objectExists(id)
    }) {
      throw OctoError(
        "checkpoint \(short) cannot be restored: the content of \(RawPath.shown(lost.path)) is gone from the "
          + "repository",
        hint: "nothing was restored; git gc may have pruned it (git fsck lists what is missing)")
    }
    // Its note is only metadata: the undo is the commit and its ref, restored with or without it.
    var undoWarnings: [String] = []
    var undoRequest = Request(message: "before restoring \(short)", agent: agent, includeIgnored: includeIgnored)
    undoRequest.isRestoreUndo = true
    // A restore with nothing to do (run again, say) changes nothing and takes no undo checkpoint: there is
    // nothing to undo (its `undo` is the checkpoint itself, which the files already match).
    if writes.isEmpty && deletions.isEmpty && !restoreIndex {
      return Restore(
        undo: checkpoint, written: [], deleted: [], skipped: skipped, indexRestored: false,
        warnings: snapshot.warnings, changedNothing: true)
    }
    let undo = try take(undoRequest, snapshot: snapshot, warnings: &undoWarnings)
    // What stands in the way and is not in the undo checkpoint (ignored, or left out of it) is kept. Decided
    // by the undo's tree, not the ignore rules: the restore may rewrite or delete a .gitignore before it
    // comes to the files that rule ignored.
    let writer = try WorkTreeWriter(root: repository.workDirectory) { [repository] path in
      guard try repository.treeEntry(in: snapshot.tree, path: path) == nil else { return nil }
      return includeIgnored ? "not in the undo checkpoint" : "ignored, or not in the undo checkpoint"
    }
    var deleted: [String] = []
    var written: [String] = []
    // Files go back as git checks them out (line endings converted where attributes or core.autocrlf ask),
    // unless no conversion can apply (then the bytes, sparing the attribute look-ups).
    let converts = !snapshot.storesBytes || changes.contains { SnapshotBuilder.isAttributesFile($0.path) }
    // Where the restore changes the ignore rules, a file the checkpoint lacks may only have been ignored when
    // it was taken: deletions wait until the checkpoint's .gitignore files are in place, and what those rules
    // ignore stays (undoing the restore would otherwise delete the .env its rules kept). The rule and
    // attribute files the checkpoint lacks go first, so the writes and that check see the checkpoint's own.
    let (deletedFirst, deletedLast) =
      rulesChange
      ? (
        deletions.filter { Self.isIgnoreFile($0) || SnapshotBuilder.isAttributesFile($0) },
        deletions.filter { !Self.isIgnoreFile($0) && !SnapshotBuilder.isAttributesFile($0) }
      ) : (deletions, [])
    func delete(_ paths: [String], keepingIgnored rules: IgnoredPaths?) throws {
      // What the writes made: a file where a written file's folder now is, or a file in a folder a written
      // file replaced, went with that write.
      let folders = rules == nil ? [] : Set(written.flatMap(Self.ancestors))
      let files = rules == nil ? [] : Set(written)
      for path in paths {
        if rules != nil, folders.contains(path) || Self.ancestors(of: path).contains(where: files.contains) {
          deleted.append(path)
          continue
        }
        if let rules, try rules.contains(path) {
          skipped.append(Restore.Skipped(path: path, reason: "ignored by the checkpoint's rules; left as it is"))
          continue
        }
        do {
          if try writer.delete(path) { deleted.append(path) }
        } catch let blocked as WorkTreeWriter.Blocked {
          skipped.append(Restore.Skipped(path: blocked.path, reason: blocked.reason))
        }
      }
    }
    PhaseTimings.mark("ignore rules")
    do {
      try delete(deletedFirst, keepingIgnored: nil)
      // Attribute files first: the files after them are converted by the checkpoint's own rules.
      let attributesFirst =
        writes.filter { SnapshotBuilder.isAttributesFile($0.path) }
        + writes.filter {
          !SnapshotBuilder.isAttributesFile($0.path)
        }
      let filters = try RestoreFilters(repository, checkpoint: checkpoint)
      for change in attributesFirst {
        guard let entry = try repository.treeEntry(in: target, path: change.path) else { continue }
        do {
          if let driver = try filters.driver(for: entry, at: change.path, in: repository) {
            let contents = try driver.smudged(
              try repository.blobContent(entry.id), path: change.path, workTree: repository.workDirectory)
            try writer.writeFile(change.path, contents: contents, executable: entry.mode == .executable)
          } else {
            try restoreEntry(entry, at: change.path, with: writer, converting: converts)
          }
          written.append(change.path)
        } catch let blocked as WorkTreeWriter.Blocked {
          skipped.append(Restore.Skipped(path: blocked.path, reason: blocked.reason))
        } catch let failed as FilterDriver.Failure {
          // A filter driver that could not turn the file back: the file stays as it is.
          skipped.append(
            Restore.Skipped(
              path: change.path,
              reason: "\(failed.reason); once the driver works, git -C "
                + "\(ShellWord.shown(repository.workDirectory, always: false)) restore --source=\(short) --worktree -- "
                + ShellWord.shown(change.path, always: false) + " brings it back"))
        }
      }
      if rulesChange {
        // A handle of its own: its ignore rules are read from the files just written.
        let rereading = try Repository.open(at: repository.workDirectory)
        try delete(deletedLast, keepingIgnored: IgnoredPaths(rereading, index: { try snapshot.realIndex.get() }))
      }
    } catch {
      let message = (error as? OctoError)?.description ?? "\(error)"
      throw OctoError(
        "restoring \(short) stopped part way: \(message)",
        hint: "undo what was done with: octo-git restore \(undo.id.abbreviated())")
    }
    PhaseTimings.mark("write")
    if restoreIndex, let indexCommit = checkpoint.index {
      do {
        let index = try repository.currentIndex()
        let sparse = index.paths(flagged: .skipWorktree)
        let intended = index.paths(flagged: .intentToAdd)
        let staged = try repository.commit(indexCommit).tree
        if selected.isEmpty {
          try index.readTree(staged, in: repository)
        } else {
          // Only the paths restored: the rest of what is staged now stays staged.
          let recorded = try Index.inMemory()
          try recorded.readTree(staged, in: repository)
          try index.replaceEntries(under: selected, from: recorded)
        }
        try index.mark(.skipWorktree, on: sparse)
        // A file added with git add -N is in the staged tree as an empty file: still only intended where the
        // checkpoint's staged state has it so.
        try index.mark(.intentToAdd, on: intended, onlyWith: Oid.emptyBlob)
        try index.write()
      } catch {
        let message = (error as? OctoError)?.description ?? "\(error)"
        throw OctoError(
          "restoring \(short) wrote the files but not the index: \(message)",
          hint: "undo what was done with: octo-git restore \(undo.id.abbreviated())")
      }
    }
    PhaseTimings.report()
    var said: Set<String> = []
    return Restore(
      undo: undo, written: written, deleted: deleted, skipped: skipped, indexRestored: restoreIndex,
      warnings: (snapshot.warnings + undoWarnings).filter { said.insert($0).inserted })
  }

  /// Writes one tree entry into the work tree: file content (`converting` it as git checks it out) and
  /// executable bit, a symlink, or the folder of a submodule. What stands in the way (a file where a folder
  /// must go, or the reverse) is replaced, unless the writer must keep it (``WorkTreeWriter/Blocked``).
  func restoreEntry(_ entry: TreeEntry, at path: String, with writer: WorkTreeWriter, converting: Bool = false) throws {
    switch entry.mode {
    case .gitlink, .tree:
      try writer.makeFolder(path)
    case .symlink:
      try writer.writeSymlink(path, target: try repository.blobContent(entry.id))
    case .blob, .executable:
      let contents =
        converting ? try repository.blobContent(entry.id, checkedOutAt: path) : try repository.blobContent(entry.id)
      try writer.writeFile(path, contents: contents, executable: entry.mode == .executable)
    }
  }
}

extension Checkpoints {
  /// The folders `path` is in, innermost first.
  static func ancestors(of path: String) -> [String] {
    var result: [String] = []
    var folder = Substring(path)
    while let slash = folder.lastIndex(of: "/") {
      folder = folder[..<slash]
      result.append(String(folder))
    }
    return result
  }

  /// What stands at `path` when it is none of what a checkpoint holds (a FIFO, a socket, a device), else
  /// `nil` (a file, a link, a folder, or nothing).
  static func specialFileKind(_ path: String) -> String? {
    var status = stat()
    guard lstat(path, &status) == 0 else { return nil }
    switch status.st_mode & S_IFMT {
    case S_IFIFO: return "a FIFO"
    case S_IFSOCK: return "a socket"
    case S_IFCHR, S_IFBLK: return "a device"
    default: return nil
    }
  }

  /// Whether `path` is an ignore file a tree can hold.
  static func isIgnoreFile(_ path: String) -> Bool {
    path == ".gitignore" || path.hasSuffix("/.gitignore")
  }

  /// Whether git's index file may hold skip-worktree entries: only a version 3 or 4 index has the extended
  /// flags (git writes version 2 when no entry needs them). Reads its first 8 bytes, not the index.
  static func indexHasExtendedFlags(_ repository: Repository) throws -> Bool {
    guard let handle = FileHandle(forReadingAtPath: repository.gitDirectory + "/index") else { return false }
    defer { try? handle.close() }
    guard let header = try handle.read(upToCount: 8), header.count == 8 else { return false }
    return header[header.startIndex + 7] != 2
  }
}

/// Whether paths are ignored now: git's ignore rules say so and the index does not track them (a tracked
/// file is never ignored). Answers for folders are remembered: an ignored folder may hold many files.
final class IgnoredPaths {
  private let repository: Repository
  private let index: () throws -> Index
  private var folders: [String: Bool] = [:]

  init(_ repository: Repository, index: @escaping () throws -> Index) {
    self.repository = repository
    self.index = index
  }

  func contains(_ path: String) throws -> Bool {
    var ignoredFolder = false
    var end = path.firstIndex(of: "/")
    while let slash = end, !ignoredFolder {
      let folder = String(path[..<slash])
      if let known = folders[folder] {
        ignoredFolder = known
      } else {
        ignoredFolder = try repository.isIgnored(folder + "/")
        folders[folder] = ignoredFolder
      }
      end = path[path.index(after: slash)...].firstIndex(of: "/")
    }
    guard try ignoredFolder || repository.isIgnored(path) else { return false }
    return try index().entry(at: path) == nil
  }
}

@available(*, unavailable)
extension IgnoredPaths: Sendable {}
