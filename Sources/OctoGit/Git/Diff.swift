import CGit2
import Foundation

/// One file of a diff, with its line counts.
public struct FileDiff: Equatable, Sendable, Codable {
  public let path: String
  /// The path before a rename or copy; equal to `path` otherwise.
  public let oldPath: String
  public let change: FileChange
  public let insertions: Int
  public let deletions: Int
  public let isBinary: Bool
}

/// A diff summarised as a diffstat.
public struct DiffStats: Equatable, Sendable, Codable {
  public let files: [FileDiff]
  public var insertions: Int { files.reduce(0) { $0 + $1.insertions } }
  public var deletions: Int { files.reduce(0) { $0 + $1.deletions } }
}

extension Repository {
  /// The diffstat between two trees (`nil`: the empty tree), renames detected, limited to `paths` when given.
  public func diff(from old: Oid?, to new: Oid?, paths: [String] = [], detectRenames: Bool = true) throws
    -> DiffStats
  {
    let oldTree = try old.map { try treeHandle($0) }
    let newTree = try new.map { try treeHandle($0) }
    return try withDiffOptions(paths: paths, untracked: false) { options in
      let diff = DiffHandle(
        try makeHandle("diff two trees") {
          git_diff_tree_to_tree(&$0, pointer, oldTree?.pointer, newTree?.pointer, &options)
        })
      return try stats(of: diff, detectRenames: detectRenames)
    }
  }

  /// The diffstat from a tree (`nil`: the empty tree) to the files in the work tree as they are on disk,
  /// untracked files included (ignored ones never), limited to `paths` when given.
  public func diffToWorkTree(
    from old: Oid?, paths: [String] = [], includeUntracked: Bool = true,
    detectRenames: Bool = true
  ) throws -> DiffStats {
    let oldTree = try old.map { try treeHandle($0) }
    return try withDiffOptions(paths: paths, untracked: includeUntracked) { options in
      let diff = DiffHandle(
        try makeHandle("diff a tree against the work tree") {
          git_diff_tree_to_workdir(&$0, pointer, oldTree?.pointer, &options)
        })
      return try stats(of: diff, detectRenames: detectRenames)
    }
  }

  private func withDiffOptions<T>(paths: [String], untracked: Bool, _ body: (inout git_diff_options) throws -> T)
    rethrows -> T
  {
    var options = octo_git_diff_options()
    if untracked {
      options.flags |=
        GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
        | GIT_DIFF_SHOW_UNTRACKED_CONTENT.rawValue
    }
    options.flags |= GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
    let cPaths = paths.map { strdup($0) }
    defer { cPaths.forEach { free($0) } }
    var pointers: [UnsafeMutablePointer<CChar>?] = cPaths
    return try pointers.withUnsafeMutableBufferPointer { buffer in
      if !paths.isEmpty {
        options.pathspec = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        options.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH.rawValue
      }
      return try body(&options)
    }
  }

  private func stats(of diff: DiffHandle, detectRenames: Bool) throws -> DiffStats {
    if detectRenames {
      var find = octo_git_diff_find_options()
      find.flags = GIT_DIFF_FIND_RENAMES.rawValue | GIT_DIFF_FIND_FOR_UNTRACKED.rawValue
      try GitError.check(git_diff_find_similar(diff.pointer, &find), "detect renames")
    }
    var files: [FileDiff] = []
    for position in 0..<git_diff_num_deltas(diff.pointer) {
      guard let delta = git_diff_get_delta(diff.pointer, position) else { continue }
      let patch = PatchHandle(
        try makeHandle("compute a patch") { git_patch_from_diff(&$0, diff.pointer, position) })
      var additions = 0
      var deletions = 0
      try GitError.check(git_patch_line_stats(nil, &additions, &deletions, patch.pointer), "count changed lines")
      let newPath = delta.pointee.new_file.path.map { String(cString: $0) } ?? ""
      let oldPath = delta.pointee.old_file.path.map { String(cString: $0) } ?? newPath
      files.append(
        FileDiff(
          path: newPath, oldPath: oldPath, change: Self.change(delta.pointee.status), insertions: additions,
          deletions: deletions, isBinary: delta.pointee.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0))
    }
    return DiffStats(files: files)
  }

  static func change(_ status: git_delta_t) -> FileChange {
    switch status {
    case GIT_DELTA_ADDED: .added
    case GIT_DELTA_DELETED: .deleted
    case GIT_DELTA_MODIFIED: .modified
    case GIT_DELTA_RENAMED: .renamed
    case GIT_DELTA_COPIED: .copied
    case GIT_DELTA_TYPECHANGE: .typeChanged
    case GIT_DELTA_UNTRACKED: .untracked
    case GIT_DELTA_IGNORED: .ignored
    case GIT_DELTA_CONFLICTED: .conflicted
    default: .unmodified
    }
  }
}

/// ``Repository/changedPaths(from:to:maxTrees:)`` read more trees than it was allowed.
public struct TreeComparisonLimit: Error {}

/// A path that differs between two trees, with the blob ids and modes on each side (no content is read).
public struct ChangedPath: Equatable, Sendable {
  public let path: String
  public let oldID: Oid?
  public let newID: Oid?
  /// The modes as the trees spell them (see ``TreeEntry/rawMode``).
  public var oldRawMode: UInt32? = nil
  public var newRawMode: UInt32? = nil
}

extension Repository {
  /// The patch id of a commit's change against its first parent (as `git patch-id --stable` computes it):
  /// equal for the same change applied on different bases.
  public func patchID(of commit: Oid) throws -> Oid {
    let value = try self.commit(commit)
    let oldTree = try value.parents.first.map { try treeHandle(try self.commit($0).tree) }
    let newTree = try treeHandle(value.tree)
    var options = octo_git_diff_options()
    let diff = DiffHandle(
      try makeHandle("diff \(commit.abbreviated()) with its parent") {
        git_diff_tree_to_tree(&$0, pointer, oldTree?.pointer, newTree.pointer, &options)
      })
    var out = git_oid()
    try GitError.check(git_diff_patchid(&out, diff.pointer, nil), "compute the patch id of \(commit.abbreviated())")
    return Oid(out)
  }

  /// The paths that differ between two trees (`nil`: the empty tree), without reading any file content:
  /// subtrees with equal ids are skipped, so only the trees along changed paths are read (libgit2's
  /// tree-to-tree diff walks both trees whole). A path whose type changed between a file and a folder
  /// appears as the file's deletion (or addition) beside the folder's files; a mode-only change (the
  /// executable bit) has equal ids. In byte order of path.
  ///
  /// - Parameter maxTrees: the most trees read; past it, ``TreeComparisonLimit`` is thrown (a crafted tree
  ///   naming one subtree under many folders would be walked exponentially).
  public func changedPaths(from old: Oid?, to new: Oid?, maxTrees: Int = .max) throws -> [ChangedPath] {
    var changes: [ChangedPath] = []
    var budget = maxTrees
    try compareTrees(old, new, prefix: "", into: &changes, budget: &budget)
    return changes.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
  }

  private func compareTrees(
    _ old: Oid?, _ new: Oid?, prefix: String, into changes: inout [ChangedPath], budget: inout Int
  ) throws {
    if old == new { return }
    budget -= (old == nil ? 0 : 1) + (new == nil ? 0 : 1)
    guard budget >= 0 else { throw TreeComparisonLimit() }
    let oldEntries = try old.map { try treeEntries($0) } ?? []
    // Keyed by bytes: names that Swift's String comparison calls equal (NFC and NFD spellings) are
    // different entries to git.
    var before: [[UInt8]: TreeEntry] = [:]
    for entry in oldEntries { before[Array(entry.name.utf8)] = entry }
    for entry in try new.map({ try treeEntries($0) }) ?? [] {
      try compareEntries(
        before.removeValue(forKey: Array(entry.name.utf8)), entry, path: prefix + entry.name, into: &changes,
        budget: &budget)
    }
    for entry in oldEntries where before[Array(entry.name.utf8)] != nil {
      try compareEntries(entry, nil, path: prefix + entry.name, into: &changes, budget: &budget)
    }
  }

  private func compareEntries(
    _ old: TreeEntry?, _ new: TreeEntry?, path: String, into changes: inout [ChangedPath], budget: inout Int
  ) throws {
    // Modes as the trees spell them: 100755 to 120755 is a file becoming a link, one mode to libgit2.
    if let old, let new, old.id == new.id, old.mode == new.mode, old.rawMode == new.rawMode { return }
    let oldFolder = old.flatMap { $0.mode == .tree ? $0.id : nil }
    let newFolder = new.flatMap { $0.mode == .tree ? $0.id : nil }
    if oldFolder != nil || newFolder != nil {
      try compareTrees(oldFolder, newFolder, prefix: path + "/", into: &changes, budget: &budget)
    }
    let oldFile = old.flatMap { $0.mode == .tree ? nil : $0 }
    let newFile = new.flatMap { $0.mode == .tree ? nil : $0 }
    if oldFile != nil || newFile != nil {
      changes.append(
        ChangedPath(
          path: path, oldID: oldFile?.id, newID: newFile?.id, oldRawMode: oldFile?.rawMode,
          newRawMode: newFile?.rawMode))
    }
  }
}
