import CGit2

/// How a branch (`theirs`) relates to the branch it would merge into (`ours`).
public struct MergeAnalysis: Equatable, Sendable {
  /// The best common ancestor, if the histories meet.
  public let base: Oid?
  /// Commits on `theirs` that `ours` lacks.
  public let ahead: Int
  /// Commits on `ours` that `theirs` lacks.
  public let behind: Int
  /// `theirs` is already contained in `ours`: merging changes nothing.
  public var isUpToDate: Bool { ahead == 0 }
  /// `ours` can simply move forward to `theirs`.
  public var isFastForward: Bool { behind == 0 && ahead > 0 }
  /// Paths a real merge would leave in conflict (empty when it merges cleanly).
  public let conflicts: [String]
}

extension Repository {
  /// What merging commit `theirs` into commit `ours` would do, computed in memory: nothing on disk, in the
  /// index or in any ref changes.
  public func mergeAnalysis(ours: Oid, theirs: Oid) throws -> MergeAnalysis {
    var base = git_oid()
    var one = ours.raw
    var two = theirs.raw
    let baseResult = git_merge_base(&base, pointer, &one, &two)
    if baseResult != GIT_ENOTFOUND.rawValue { try GitError.check(baseResult, "find a merge base") }
    var ahead = 0
    var behind = 0
    try GitError.check(git_graph_ahead_behind(&ahead, &behind, pointer, &two, &one), "count commits ahead and behind")
    var conflicts: [String] = []
    if ahead > 0 && behind > 0 {
      let ourCommit = try commitHandle(ours)
      let theirCommit = try commitHandle(theirs)
      var options = octo_git_merge_options()
      let index = Index(
        owning: try makeHandle("merge \(theirs.abbreviated()) into \(ours.abbreviated()) in memory") {
          git_merge_commits(&$0, pointer, ourCommit.pointer, theirCommit.pointer, &options)
        })
      conflicts = index.conflictedPaths.sorted()
    }
    return MergeAnalysis(
      base: baseResult == 0 ? Oid(base) : nil, ahead: ahead, behind: behind, conflicts: conflicts)
  }
}
