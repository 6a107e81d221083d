import Foundation

/// Which pull request `pr comment` is for, its commits, and the usage not in a note yet.
extension PullRequestComment {
  /// The pull request from the event, `--pr`, or the current branch's open one.
  func findTarget(_ options: Options, eventPull: GitHubActionsEvent.PullRequest?, client: GitHubClient?) throws
    -> Target
  {
    if let pull = eventPull, options.pullRequest == nil || options.pullRequest == pull.number {
      return Target(
        number: pull.number, headRef: pull.headRef, headSHA: pull.headSHA, baseRef: pull.baseRef, baseSHA: pull.baseSHA)
    }
    if let number = options.pullRequest {
      guard let client else {
        throw OctoError(
          "no GitHub token to look up pull request #\(number)", hint: "export GH_TOKEN", status: .unavailable)
      }
      let details = try client.pullRequest(number: number)
      return Target(
        number: number, headRef: details.headRef, headSHA: details.headSHA, baseRef: details.baseRef,
        baseSHA: details.baseSHA)
    }
    guard case .branch(let branch, let tip) = try repository.head() else {
      throw OctoError(
        "HEAD is not on a branch with commits", hint: "switch to the pull request's branch, or pass --pr N",
        status: .usage)
    }
    guard let client else {
      // A dry run without GitHub: the branch against the base pr describe would use.
      return Target(number: nil, headRef: branch, headSHA: tip, baseRef: try localBase(of: branch), baseSHA: nil)
    }
    guard let details = try client.openPullRequestDetails(branch: branch) else {
      let slug = "\(client.repository.owner)/\(client.repository.name)"
      throw OctoError(
        "no open pull request from \(branch) in \(slug)", hint: "open one with octo-git pr create, or pass --pr N")
    }
    // The branch as it is here (it may be ahead of what GitHub has), against the pull request's base.
    return Target(number: details.number, headRef: branch, headSHA: tip, baseRef: details.baseRef, baseSHA: nil)
  }

  /// The base `pr describe` would compare `branch` with.
  func localBase(of branch: String) throws -> String {
    let config = try repository.config()
    return try config.string("branch.\(branch).octoBase") ?? config.string("octo.baseBranch")
      ?? repository.remoteDefaultBranch() ?? "main"
  }

  /// The pull request's commits, oldest first: from the clone when it has the head and the base, else
  /// from GitHub's list (a shallow checkout).
  func commits(of target: Target, client: GitHubClient?) throws -> [(id: Oid, subject: String)] {
    let head = target.headSHA.flatMap { repository.objectExists($0) ? $0 : nil }
    // The base as GitHub says, else where the base branch is here and on origin (pr describe's rule: a
    // teammate's commit merged in from origin/main is not the pull request's while the local main lags).
    var bases = target.baseSHA.flatMap { repository.objectExists($0) ? [$0] : nil } ?? []
    if bases.isEmpty { bases = try Features(repository: repository).tipsOfBase(target.baseRef) }
    if let head, !bases.isEmpty {
      return try repository.commits(from: head, excludingAll: bases).reversed().map {
        (id: $0, subject: try repository.commit($0).summary)
      }
    }
    if let client, let number = target.number {
      let listed = try client.commits(ofPullRequest: number)
      // A pull request always has a commit: an empty list would post "no usage on 0 commits" for a head this
      // clone lacks.
      guard !listed.isEmpty else {
        throw OctoError(
          "GitHub lists no commits of pull request #\(number), and its head "
            + "\(target.headSHA?.abbreviated() ?? "(unknown)") or its base are not in this clone",
          hint: "fetch the pull request's commits (actions/checkout with fetch-depth: 0)")
      }
      return listed.map { commit in
        (
          id: commit.sha,
          subject: String(
            commit.message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        )
      }
    }
    throw OctoError(
      "the commits of \(target.headRef) or its base \(target.baseRef) are not in this clone",
      hint: "fetch them (actions/checkout with fetch-depth: 0), or pass --pr N with a token")
  }

  /// Usage recorded on `branch` in this clone but not in a note yet (nothing when there is no ledger).
  func pendingUsage(branch: String, excluding ids: Set<String>) -> UsageTotals {
    var totals = UsageTotals()
    guard FileManager.default.fileExists(atPath: repository.commonDirectory + "/octo/ledger.sqlite"),
      let store = try? LedgerStore.open(commonDirectory: repository.commonDirectory),
      let pending = try? store.pending()
    else { return totals }
    for item in pending where item.event.branch == branch && !ids.contains(item.event.id) {
      totals.add(item.event)
    }
    return totals
  }
}
