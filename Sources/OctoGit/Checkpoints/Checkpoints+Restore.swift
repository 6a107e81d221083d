import Foundation

extension Checkpoints {
  /// What a restore did.
  public struct Restore: Sendable {
    /// The checkpoint of the state just before the restore: restoring it undoes the restore.
    public let undo: Checkpoint
    public let written: [String]
    public let deleted: [String]
    public let indexRestored: Bool
  }

  /// Makes the work tree (or the given paths) exactly what `checkpoint` holds: files created, changed and
  /// deleted as needed, ignored files never touched, no `git clean`. The current state is checkpointed
  /// first, so the restore can itself be undone. With `restoreIndex`, the index is set to the staged
  /// state the checkpoint recorded.
  ///
  /// - Parameter paths: paths relative to the top of the work tree; each must be in the checkpoint.
  public func restore(_ checkpoint: Checkpoint, paths: [String] = [], restoreIndex: Bool = false, agent: String? = nil)
    throws -> Restore
  {
    let target = try repository.commit(checkpoint.id).tree
    for path in paths where !path.isEmpty {
      guard try repository.treeEntry(in: target, path: path) != nil else {
        throw OctoError.badInput(
          "\(path) is not in checkpoint \(checkpoint.id.abbreviated())",
          hint: "see what it holds with octo-git checkpoints show \(checkpoint.id.abbreviated())")
      }
    }
    if restoreIndex && checkpoint.index == nil {
      throw OctoError.badInput(
        "checkpoint \(checkpoint.id.abbreviated()) has no staged state (the index had conflicts)",
        hint: "restore without --index")
    }
    let undo = try take(Request(message: "before restoring \(checkpoint.id.abbreviated())", agent: agent))
    let current = try repository.commit(undo.id).tree
    let selected = paths.filter { !$0.isEmpty }
    func wanted(_ path: String) -> Bool {
      selected.isEmpty || selected.contains { path == $0 || path.hasPrefix($0 + "/") }
    }
    let changes = try repository.changedPaths(from: current, to: target).filter { wanted($0.path) }
    let root = repository.workDirectory
    var deleted: [String] = []
    for change in changes where change.newID == nil {
      try removeFile(root + "/" + change.path)
      deleted.append(change.path)
    }
    var written: [String] = []
    for change in changes where change.newID != nil {
      guard let entry = try repository.treeEntry(in: target, path: change.path) else { continue }
      try writeEntry(entry, to: change.path, root: root)
      written.append(change.path)
    }
    if restoreIndex, let indexCommit = checkpoint.index {
      let index = try repository.currentIndex()
      try index.readTree(try repository.commit(indexCommit).tree, in: repository)
      try index.write()
    }
    return Restore(undo: undo, written: written, deleted: deleted, indexRestored: restoreIndex)
  }

  /// Deletes a file (or symlink) and then its parent folders that became empty, up to the work tree.
  func removeFile(_ path: String) throws {
    if unlink(path) != 0 && errno != ENOENT {
      throw OctoError("cannot delete \(path): \(String(cString: strerror(errno)))", hint: "check its permissions")
    }
    var folder = (path as NSString).deletingLastPathComponent
    while folder.count > repository.workDirectory.count, rmdir(folder) == 0 {
      folder = (folder as NSString).deletingLastPathComponent
    }
  }

  /// Writes one tree entry into the work tree: file content and executable bit, a symlink, or the folder of
  /// a submodule. What stands in the way (a file where a folder must go, or the reverse) is replaced, unless
  /// it is a folder that still holds files, which is an error naming it.
  func writeEntry(_ entry: TreeEntry, to relative: String, root: String) throws {
    let path = root + "/" + relative
    let folder = (path as NSString).deletingLastPathComponent
    try makeFolders(folder, root: root)
    var info = stat()
    if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, entry.mode != .gitlink {
      if rmdir(path) != 0 {
        throw OctoError(
          "cannot restore \(relative): a folder with other files is in the way", hint: "move that folder aside and retry")
      }
    }
    switch entry.mode {
    case .gitlink:
      try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    case .symlink:
      let target = String(decoding: try repository.blobContent(entry.id), as: UTF8.self)
      unlink(path)
      guard symlink(target, path) == 0 else {
        throw OctoError("cannot create the symlink \(relative): \(String(cString: strerror(errno)))")
      }
    case .blob, .executable:
      let data = try repository.blobContent(entry.id)
      let temporary = folder + "/.octo-restore-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
      let mode: mode_t = entry.mode == .executable ? 0o777 : 0o666
      let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode)
      guard descriptor >= 0 else {
        throw OctoError("cannot write \(relative): \(String(cString: strerror(errno)))", hint: "check the folder's permissions")
      }
      let written = data.withUnsafeBytes { bytes in bytes.isEmpty ? 0 : write(descriptor, bytes.baseAddress, bytes.count) }
      close(descriptor)
      guard written == data.count, rename(temporary, path) == 0 else {
        unlink(temporary)
        throw OctoError("cannot write \(relative): \(String(cString: strerror(errno)))")
      }
    case .tree:
      try makeFolders(path, root: root)
    }
  }

  func makeFolders(_ folder: String, root: String) throws {
    var info = stat()
    if stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
    // A file (or symlink) where a folder must go is replaced.
    if lstat(folder, &info) == 0, info.st_mode & S_IFMT != S_IFDIR, folder.count > root.count {
      unlink(folder)
    }
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw OctoError("cannot create the folder \(folder): \(error.localizedDescription)")
    }
  }
}
