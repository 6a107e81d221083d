import Foundation

/// Which old commits' usage goes onto which new commits: from a range, a pull request, or a push.
extension NotesCarry {
  // MARK: - What goes where

  /// The commits of `range` (`A..B`, oldest first) or the one commit it names.
  func commits(inRange range: String, option: String) throws -> [Oid] {
    if range.contains("...") {
      throw OctoError.badInput("\(option) takes A..B or a commit, not \(range)", hint: "e.g. main@{1}..feature")
    }
    guard let dots = range.range(of: "..") else { return [try repository.resolveCommit(range)] }
    let start = String(range[..<dots.lowerBound])
    let end = String(range[dots.upperBound...])
    let base = try repository.resolveCommit(start.isEmpty ? "HEAD" : start)
    let tip = try repository.resolveCommit(end.isEmpty ? "HEAD" : end)
    let commits = Array(try repository.commits(from: tip, excluding: base).reversed())
    if commits.isEmpty {
      throw OctoError.badInput("\(option) \(range) holds no commits", hint: "check the range with git log \(range)")
    }
    return commits
  }

  /// `group` without what must not be carried: old commits that are themselves targets (a fast-forward or
  /// a merge brought them), and merge commits as targets (their parents keep their notes).
  func checkedGroup(_ group: Group, skipped: inout [String]) throws -> Group {
    var kept = group
    let label = group.pullRequest.map { "#\($0)" } ?? "the range"
    kept.targets = try group.targets.filter { target in
      guard repository.objectExists(target) else {
        skipped.append("\(target.abbreviated()): not in this clone")
        return false
      }
      if try repository.commit(target).parents.count > 1 {
        skipped.append("\(target.abbreviated()): a merge commit; the commits it merged keep their notes")
        return false
      }
      return true
    }
    let targets = Set(group.targets)
    kept.olds = group.olds.filter { !targets.contains($0) }
    if kept.olds.isEmpty && !group.olds.isEmpty {
      skipped.append("\(label): its commits are on the branch themselves and keep their notes")
    }
    return kept
  }

  /// The pushed commits grouped by the merged pull request each came from. GitHub is asked about a commit
  /// only when it is not a later commit of a rebase merge already found: those are matched to the pull
  /// request's remaining commits by patch id (one request, not one per commit).
  func groups(
    ofPush push: GitHubActionsEvent.Push, client: GitHubClient, remote: String, skipped: inout [String]
  ) throws -> [Group] {
    guard let after = push.after else {
      skipped.append("the push deleted \(push.ref)")
      return []
    }
    var pushed: [Oid]
    if let before = push.before, repository.objectExists(before), repository.objectExists(after) {
      pushed = Array(try repository.commits(from: after, excluding: before).reversed())
    } else {
      // A new branch, or a clone without the old tip: the commits the event lists.
      pushed = push.commits.filter { repository.objectExists($0) }
      if pushed.isEmpty && repository.objectExists(after) { pushed = [after] }
    }
    let pushedSet = Set(pushed)
    let ownNotes = try repository.notes(on: pushed, ref: UsageNote.ref)
    var groups: [Group] = []
    var index: [Int: Int] = [:]
    // Patch ids of the listed pull requests' commits no pushed commit has matched yet, and their group.
    var unclaimed: [Oid: Int] = [:]
    var indexed = 0
    for commit in pushed {
      // A commit with usage of its own was pushed by someone who has octo-git (rebased locally, notes
      // copied); a merge commit brings the pull request's own commits along.
      if ownNotes[commit] != nil { continue }
      if try repository.commit(commit).parents.count > 1 { continue }
      if !groups.isEmpty {
        while indexed < groups.count {
          fetchMissing(groups[indexed].olds, pullRequest: groups[indexed].pullRequest ?? 0, remote: remote)
          for old in groups[indexed].olds {
            if let patch = try? repository.patchID(of: old) { unclaimed[patch] = indexed }
          }
          for target in groups[indexed].targets {
            if let patch = try? repository.patchID(of: target) { unclaimed.removeValue(forKey: patch) }
          }
          indexed += 1
        }
        if let patch = try? repository.patchID(of: commit), let position = unclaimed.removeValue(forKey: patch) {
          groups[position].targets.append(commit)
          continue
        }
      }
      guard let pull = Self.choose(try client.pullRequests(ofCommit: commit), for: commit, branch: push.branch) else {
        continue
      }
      if let position = index[pull.number] {
        groups[position].targets.append(commit)
        if position < indexed, let patch = try? repository.patchID(of: commit) { unclaimed.removeValue(forKey: patch) }
      } else {
        index[pull.number] = groups.count
        let olds = try commits(of: pull, client: client, remote: remote, skipped: &skipped).filter {
          !pushedSet.contains($0)
        }
        groups.append(Group(pullRequest: pull.number, olds: olds, targets: [commit]))
      }
    }
    for group in groups where group.olds.isEmpty {
      skipped.append("#\(group.pullRequest ?? 0): merged with its own commits, which keep their notes")
    }
    return groups
  }

  /// The merged pull request a commit on `branch` came from: the one whose merge commit it is, else one
  /// merged into `branch`, else any merged one.
  static func choose(_ pulls: [GitHubClient.PullRequestDetails], for commit: Oid, branch: String?)
    -> GitHubClient.PullRequestDetails?
  {
    let merged = pulls.filter(\.merged)
    return merged.first { $0.mergeCommitSHA == commit } ?? merged.first { $0.baseRef == branch } ?? merged.first
  }

  /// Pull request `number`'s commits, going onto `onto`, else onto what its merge made: the rebased
  /// commits ending at its merge commit (matched by patch id), else the one squash commit.
  func group(
    ofPullRequest number: Int, onto: String?, client: GitHubClient, remote: String, skipped: inout [String]
  ) throws -> Group {
    let details = try client.pullRequest(number: number)
    let olds = try commits(of: details, client: client, remote: remote, skipped: &skipped)
    if let onto {
      return Group(pullRequest: number, olds: olds, targets: try commits(inRange: onto, option: "--onto"))
    }
    guard details.merged, let merge = details.mergeCommitSHA else {
      throw OctoError.badInput("pull request #\(number) is not merged", hint: "pass --onto COMMIT")
    }
    guard repository.objectExists(merge) else {
      throw OctoError(
        "\(merge.abbreviated()), the commit pull request #\(number) was merged as, is not in this clone",
        hint: "fetch the base branch (actions/checkout with fetch-depth: 0)")
    }
    let mergeCommit = try repository.commit(merge)
    if mergeCommit.parents.count > 1 { return Group(pullRequest: number, olds: olds, targets: [merge]) }
    fetchMissing(olds, pullRequest: number, remote: remote)
    let oldPatches = Set(olds.compactMap { try? repository.patchID(of: $0) })
    var chain: [Oid] = []
    var current: Oid? = merge
    while let id = current, chain.count < olds.count {
      let commit = try repository.commit(id)
      guard commit.parents.count == 1, let patch = try? repository.patchID(of: id), oldPatches.contains(patch) else {
        break
      }
      chain.append(id)
      current = commit.parents.first
    }
    return Group(pullRequest: number, olds: olds, targets: chain.isEmpty ? [merge] : chain.reversed())
  }

  /// How many commits GitHub lists of a pull request at most (`GET /repos/{o}/{r}/pulls/{n}/commits`).
  static let listedCommitsLimit = 250

  /// Pull request `pull`'s commits, oldest first. GitHub lists at most 250: for a longer one, the commits
  /// between its base and its head as git finds them (the head fetched when this clone lacks it); when
  /// that cannot be had, the 250 listed and a line in `skipped` saying the rest is not carried.
  func commits(
    of pull: GitHubClient.PullRequestDetails, client: GitHubClient, remote: String, skipped: inout [String]
  ) throws -> [Oid] {
    let listed = try client.commits(ofPullRequest: pull.number).map(\.sha)
    guard listed.count >= Self.listedCommitsLimit else { return listed }
    if let head = pull.headSHA, let base = pull.baseSHA {
      fetchMissing([head], pullRequest: pull.number, remote: remote)
      if repository.objectExists(head), repository.objectExists(base),
        let walked = try? Array(repository.commits(from: head, excluding: base).reversed()),
        walked.count >= listed.count
      {
        return walked
      }
    }
    skipped.append(
      "#\(pull.number): GitHub lists only its first \(listed.count) commits and its head and base are not here: "
        + "the usage of later ones is not carried (fetch the base branch, actions/checkout with fetch-depth: 0)")
    return listed
  }

  /// Fetches a pull request's head (`refs/pull/N/head`, which GitHub keeps after the branch is deleted)
  /// when some of its commits are not here: matching by patch id needs them. A failure only means the
  /// matching falls back to the order of the commits.
  func fetchMissing(_ commits: [Oid], pullRequest number: Int, remote: String) {
    guard commits.contains(where: { !repository.objectExists($0) }) else { return }
    _ = try? GitCLI.run(
      [
        "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--end-of-options", remote,
        "refs/pull/\(number)/head",
      ],
      in: repository.workDirectory, timeout: 120)
  }
}
