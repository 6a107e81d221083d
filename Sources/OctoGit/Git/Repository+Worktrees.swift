import CGit2
import Foundation

/// A work tree of a repository: the main one or a linked one.
public struct WorktreeInfo: Equatable, Sendable {
  /// The top folder of its files.
  public let path: String
  /// The worktree's name for libgit2 (`nil` for the main work tree).
  public let name: String?
  public let location: WorktreeLocation
}

extension Repository {
  /// Every work tree of this repository, the main one first. Worktrees whose folder is gone are left out.
  public func worktrees() throws -> [WorktreeInfo] {
    let common = commonDirectory
    var result: [WorktreeInfo] = []
    if isLinkedWorktree {
      // The main work tree is the folder holding the common directory, in git's standard layout.
      if (common as NSString).lastPathComponent == ".git" {
        result.append(
          WorktreeInfo(
            path: (common as NSString).deletingLastPathComponent, name: nil,
            location: WorktreeLocation(gitDirectory: common, commonDirectory: common)))
      }
    } else {
      result.append(WorktreeInfo(path: workDirectory, name: nil, location: WorktreeLocation(self)))
    }
    var names = git_strarray()
    try GitError.check(git_worktree_list(&names, pointer), "list the worktrees")
    defer { git_strarray_dispose(&names) }
    for position in 0..<names.count {
      guard let raw = names.strings[position] else { continue }
      let name = String(cString: raw)
      var worktree: OpaquePointer?
      guard git_worktree_lookup(&worktree, pointer, name) == 0, let worktree else { continue }
      defer { git_worktree_free(worktree) }
      guard git_worktree_validate(worktree) == 0, let path = git_worktree_path(worktree) else { continue }
      result.append(
        WorktreeInfo(
          path: Self.trimmingSlash(String(cString: path)), name: name,
          location: WorktreeLocation(gitDirectory: common + "/worktrees/" + name, commonDirectory: common)))
    }
    return result
  }

  /// The branch a work tree has checked out; `nil` when detached.
  public func branch(of worktree: WorktreeInfo) throws -> String? {
    guard let name = worktree.name else {
      return isLinkedWorktree ? try Repository.open(at: worktree.path).head().branch : try head().branch
    }
    var reference: OpaquePointer?
    let result = git_repository_head_for_worktree(&reference, pointer, name)
    defer { git_reference_free(reference) }
    if result == GIT_ENOTFOUND.rawValue || result == GIT_EUNBORNBRANCH.rawValue { return nil }
    try GitError.check(result, "read the HEAD of worktree \(name)")
    guard let reference, git_reference_is_branch(reference) == 1 else { return nil }
    return Self.branchName(String(cString: git_reference_name(reference)))
  }
}
