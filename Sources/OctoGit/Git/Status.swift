import CGit2

/// How one path differs between two states (HEAD, index, work tree, or two trees).
public enum FileChange: String, Sendable, Codable {
  case added, modified, deleted, renamed, copied
  case typeChanged = "type-changed"
  case untracked, ignored, unmodified,
    conflicted
}

/// The status of one path, as `git status` shows it: staged (HEAD→index) and unstaged (index→work tree).
public struct StatusEntry: Equatable, Sendable {
  public let path: String
  /// The change staged in the index, if any.
  public let staged: FileChange?
  /// The change in the work tree not yet staged (`untracked` for new files, `ignored` for ignored ones).
  public let unstaged: FileChange?
}

extension Repository {
  /// The status of every changed path, like `git status --porcelain`: untracked files are listed one by
  /// one (not their folders); ignored ones only when asked.
  public func status(includeUntracked: Bool = true, includeIgnored: Bool = false) throws -> [StatusEntry] {
    var options = octo_git_status_options()
    options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
    var flags = GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX.rawValue | GIT_STATUS_OPT_SORT_CASE_SENSITIVELY.rawValue
    if includeUntracked {
      flags |= GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
    }
    if includeIgnored {
      flags |= GIT_STATUS_OPT_INCLUDE_IGNORED.rawValue | GIT_STATUS_OPT_RECURSE_IGNORED_DIRS.rawValue
    }
    options.flags = flags
    let list = StatusListHandle(try makeHandle("read the status") { git_status_list_new(&$0, pointer, &options) })
    return (0..<git_status_list_entrycount(list.pointer)).compactMap { position in
      guard let entry = git_status_byindex(list.pointer, position) else { return nil }
      let bits = entry.pointee.status.rawValue
      let delta = entry.pointee.index_to_workdir ?? entry.pointee.head_to_index
      guard let delta else { return nil }
      let file = delta.pointee.new_file.path ?? delta.pointee.old_file.path
      return StatusEntry(
        path: file.map { String(cString: $0) } ?? "", staged: Self.stagedChange(bits),
        unstaged: Self.unstagedChange(bits))
    }
  }

  static func stagedChange(_ bits: UInt32) -> FileChange? {
    if bits & GIT_STATUS_CONFLICTED.rawValue != 0 { return .conflicted }
    if bits & GIT_STATUS_INDEX_NEW.rawValue != 0 { return .added }
    if bits & GIT_STATUS_INDEX_MODIFIED.rawValue != 0 { return .modified }
    if bits & GIT_STATUS_INDEX_DELETED.rawValue != 0 { return .deleted }
    if bits & GIT_STATUS_INDEX_RENAMED.rawValue != 0 { return .renamed }
    if bits & GIT_STATUS_INDEX_TYPECHANGE.rawValue != 0 { return .typeChanged }
    return nil
  }

  static func unstagedChange(_ bits: UInt32) -> FileChange? {
    if bits & GIT_STATUS_CONFLICTED.rawValue != 0 { return .conflicted }
    if bits & GIT_STATUS_WT_NEW.rawValue != 0 { return .untracked }
    if bits & GIT_STATUS_WT_MODIFIED.rawValue != 0 { return .modified }
    if bits & GIT_STATUS_WT_DELETED.rawValue != 0 { return .deleted }
    if bits & GIT_STATUS_WT_RENAMED.rawValue != 0 { return .renamed }
    if bits & GIT_STATUS_WT_TYPECHANGE.rawValue != 0 { return .typeChanged }
    if bits & GIT_STATUS_IGNORED.rawValue != 0 { return .ignored }
    return nil
  }
}
