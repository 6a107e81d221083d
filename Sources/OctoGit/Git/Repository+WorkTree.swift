import CGit2
import Foundation

extension Repository {
  /// Whether git's ignore rules (`.gitignore`, `info/exclude`, `core.excludesFile`) ignore `path` (in
  /// ``RawPath`` form: a name that is not UTF-8 is passed as its bytes).
  public func isIgnored(_ path: String) throws -> Bool {
    var ignored: Int32 = 0
    let result = RawPath.withCString(path) { git_ignore_path_is_ignored(&ignored, pointer, $0) }
    try GitError.check(result, "check whether \(RawPath.shown(path)) is ignored")
    return ignored == 1
  }

  /// The commit checked out in a nested repository or submodule at `path`, if it has one.
  public func nestedRepositoryHead(at path: String) -> Oid? {
    var raw: OpaquePointer?
    guard
      git_repository_open_ext(&raw, workDirectory + "/" + path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil)
        == 0,
      let raw
    else { return nil }
    let nested = Repository(owning: raw)
    return try? nested.headCommit()
  }

  /// A unified diff (`git diff` format) between two trees, or from a tree to the work tree when `new` is
  /// `nil` and `toWorkTree` is set; limited to `paths` when given.
  public func patch(from old: Oid?, to new: Oid?, toWorkTree: Bool = false, paths: [String] = []) throws -> String {
    let oldTree = try old.map { try treeHandle($0) }
    let newTree = try new.map { try treeHandle($0) }
    var options = octo_git_diff_options()
    options.flags |= GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
    if toWorkTree {
      options.flags |=
        GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
        | GIT_DIFF_SHOW_UNTRACKED_CONTENT.rawValue
    }
    let cPaths = paths.map { strdup($0) }
    defer { cPaths.forEach { free($0) } }
    var pointers: [UnsafeMutablePointer<CChar>?] = cPaths
    return try pointers.withUnsafeMutableBufferPointer { buffer in
      if !paths.isEmpty { options.pathspec = git_strarray(strings: buffer.baseAddress, count: buffer.count) }
      let diff = DiffHandle(
        try makeHandle("diff for a patch") {
          toWorkTree
            ? git_diff_tree_to_workdir(&$0, pointer, oldTree?.pointer, &options)
            : git_diff_tree_to_tree(&$0, pointer, oldTree?.pointer, newTree?.pointer, &options)
        })
      var find = octo_git_diff_find_options()
      find.flags = GIT_DIFF_FIND_RENAMES.rawValue | GIT_DIFF_FIND_FOR_UNTRACKED.rawValue
      try GitError.check(git_diff_find_similar(diff.pointer, &find), "detect renames")
      var buffer = octo_git_buf()
      defer { git_buf_dispose(&buffer) }
      try GitError.check(git_diff_to_buf(&buffer, diff.pointer, GIT_DIFF_FORMAT_PATCH), "format a patch")
      guard let text = buffer.ptr else { return "" }
      return String(decoding: UnsafeRawBufferPointer(start: text, count: buffer.size), as: UTF8.self)
    }
  }
}

extension Index {
  /// Whether the entry at `path` is marked skip-worktree (outside a sparse checkout's cone).
  public func isSkipWorktree(_ path: String) -> Bool {
    guard let raw = git_index_get_bypath(pointer, path, 0) else { return false }
    return raw.pointee.flags_extended & UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue) != 0
  }

  /// Whether the index holds unresolved merge conflicts.
  public var hasConflicts: Bool { git_index_has_conflicts(pointer) == 1 }

  /// Writes the index's tree into its own repository (the index must belong to one).
  public func writeTree() throws -> Oid {
    var out = git_oid()
    try GitError.check(git_index_write_tree(&out, pointer), "write the index as a tree")
    return Oid(out)
  }
}
