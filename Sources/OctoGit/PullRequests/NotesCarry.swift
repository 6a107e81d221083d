import Foundation

/// `octo-git notes carry`: the usage of a pull request merged on GitHub with "Squash and merge" or "Rebase
/// and merge" copied onto the commits that merge made, which carry no notes of their own.
///
/// In a GitHub Actions `push` job on the base branch, each pushed commit (merge commits and commits that
/// already hold a usage note aside) is looked up on GitHub (`GET /repos/{o}/{r}/commits/{sha}/pulls`) to
/// find the merged pull request it came from, and that pull request's commits are listed
/// (`GET /repos/{o}/{r}/pulls/{n}/commits`, every page). Their usage lines are copied byte for byte, each
/// event id once: for a squash, all onto the one new commit; for a rebase, each old commit's onto the new
/// commit with the same patch id (then, for changes a conflict altered, in order; what is still left goes
/// onto the newest). The notes are fetched from the remote first and pushed at the end, with the retries
/// `notes sync` makes. Event ids are kept, so reports and the rollup count every event once.
///
/// `--pr N` does the same for one pull request (onto its merge commit, or `--onto`); locally and without
/// GitHub, `--from main@{1}..feature --onto HEAD` copies from a range onto a commit (or a range of them)
/// and pushes nothing.
///
/// Notes commits use the configured git identity, else in GitHub Actions `github-actions[bot]`, else
/// `octo-git`: a runner without `user.name` never makes it fail.
public struct NotesCarry {
  public let repository: Repository

  public init(repository: Repository) { self.repository = repository }

  public enum Mode: String, Sendable { case squash, rebase }

  public struct Options: Sendable {
    public var pullRequest: Int?
    /// A range (`main@{1}..feature`) or one commit whose usage to copy.
    public var from: String?
    /// The commit, or range of commits, to copy onto (default `HEAD` with `--from`; the pull request's
    /// merge commit with `--pr`).
    public var onto: String?
    public var dryRun: Bool
    public var remote: String
    public var environment: [String: String]

    public init(
      pullRequest: Int? = nil, from: String? = nil, onto: String? = nil, dryRun: Bool = false,
      remote: String = "origin",
      environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
      self.pullRequest = pullRequest
      self.from = from
      self.onto = onto
      self.dryRun = dryRun
      self.remote = remote
      self.environment = environment
    }
  }

  /// Usage copied onto one commit.
  public struct Carried: Equatable, Sendable {
    public let target: Oid
    /// The commits whose notes were copied.
    public let sources: [Oid]
    public let pullRequest: Int?
    public let mode: Mode
    /// Lines the target's note gained (0 when it held them all already).
    public let lines: Int
  }

  public struct Outcome: Sendable {
    public var carried: [Carried] = []
    /// Commits or pull requests passed over, and why (one line each).
    public var skipped: [String] = []
    /// The notes refs pushed, and in how many rounds.
    public var pushed: [String] = []
    public var pushAttempts = 0
    public var dryRun = false
    public var fetchedNotes = false

    public var json: JSONValue {
      .object([
        "carried": .array(
          carried.map { item in
            .object([
              "commit": .string(item.target.hex), "from": .array(item.sources.map { .string($0.hex) }),
              "pullRequest": item.pullRequest.map(JSONValue.int) ?? .null, "mode": .string(item.mode.rawValue),
              "lines": .int(item.lines),
            ])
          }),
        "skipped": .array(skipped.map(JSONValue.string)), "pushed": .array(pushed.map(JSONValue.string)),
        "attempts": .int(pushAttempts), "dryRun": .bool(dryRun), "fetchedNotes": .bool(fetchedNotes),
      ])
    }
  }

  /// Old commits whose usage goes onto new ones.
  struct Group {
    var pullRequest: Int?
    var olds: [Oid]
    var targets: [Oid]
  }

  public func carry(_ options: Options) throws -> Outcome {
    let environment = GitHubActionsEnvironment(options.environment)
    var outcome = Outcome()
    outcome.dryRun = options.dryRun
    let signature =
      repository.configuredSignature()
      ?? (environment.isActions
        ? Signature.gitHubActionsBot
        : Signature(name: "octo-git", email: "octo-git@localhost"))

    if let from = options.from {
      guard options.pullRequest == nil else {
        throw OctoError("--from and --pr cannot be used together", hint: "give one of them", status: .usage)
      }
      let olds = try commits(inRange: from, option: "--from")
      let targets = try commits(inRange: options.onto ?? "HEAD", option: "--onto")
      let group = try checkedGroup(Group(pullRequest: nil, olds: olds, targets: targets), skipped: &outcome.skipped)
      try apply([group], signature: signature, dryRun: options.dryRun, into: &outcome)
      return outcome
    }

    var pushEvent: GitHubActionsEvent.Push?
    if options.pullRequest == nil {
      if options.onto != nil {
        throw OctoError("--onto goes with --from or --pr", hint: "add --from RANGE", status: .usage)
      }
      guard case .push(let push)? = try environment.event() else {
        throw OctoError(
          "notes carry needs a push event, --pr N, or --from RANGE",
          hint:
            "run it in a GitHub Actions job on push to the base branch; locally: --from main@{1}..feature --onto HEAD",
          status: .usage)
      }
      pushEvent = push
    }
    let github = try environment.repository() ?? GitHubRepository.of(repository, remote: options.remote)
    let client = GitHubClient(repository: github, token: try environment.token(for: github))
    try GitCLI.checkRemote(options.remote, in: repository)
    // A CI checkout has no notes; elsewhere the remote's may be newer.
    _ = try NotesSync.pull(repository, remote: options.remote)
    outcome.fetchedNotes = true

    var groups: [Group] = []
    if let number = options.pullRequest {
      groups = [try group(ofPullRequest: number, onto: options.onto, client: client, remote: options.remote)]
    } else if let push = pushEvent {
      groups = try self.groups(ofPush: push, client: client, remote: options.remote, skipped: &outcome.skipped)
    }
    var checked: [Group] = []
    for group in groups {
      let kept = try checkedGroup(group, skipped: &outcome.skipped)
      if !kept.targets.isEmpty && !kept.olds.isEmpty {
        if kept.targets.count > 1, let number = kept.pullRequest {
          fetchMissing(kept.olds, pullRequest: number, remote: options.remote)
        }
        checked.append(kept)
      }
    }
    try apply(checked, signature: signature, dryRun: options.dryRun, into: &outcome)
    // Pushed even when this run added nothing: an earlier run may have written the notes and failed to push.
    if !options.dryRun && !outcome.carried.isEmpty {
      let sync = try NotesSync.sync(repository, remote: options.remote)
      outcome.pushed = sync.pushed
      outcome.pushAttempts = sync.attempts
    }
    return outcome
  }

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
        let olds = try client.commits(ofPullRequest: pull.number).map(\.sha).filter { !pushedSet.contains($0) }
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
  func group(ofPullRequest number: Int, onto: String?, client: GitHubClient, remote: String) throws -> Group {
    let olds = try client.commits(ofPullRequest: number).map(\.sha)
    if let onto {
      return Group(pullRequest: number, olds: olds, targets: try commits(inRange: onto, option: "--onto"))
    }
    let details = try client.pullRequest(number: number)
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

  /// Pairs old commits with new ones. One new commit: a squash, everything onto it. Several: each old
  /// commit onto the new one with its patch id; those a conflict changed, in order when as many are left
  /// on each side; anything still left onto the newest.
  static func match(olds: [Oid], targets: [Oid], patchID: (Oid) -> Oid?) -> (
    mode: Mode, pairs: [(target: Oid, sources: [Oid])]
  ) {
    guard let last = targets.last, !olds.isEmpty else { return (.squash, []) }
    if targets.count == 1 {
      let same = olds.count == 1 && patchID(olds[0]).map { $0 == patchID(last) } == true
      return (same ? .rebase : .squash, [(target: last, sources: olds)])
    }
    var byPatch: [Oid: [Int]] = [:]
    for (position, target) in targets.enumerated() {
      if let patch = patchID(target) { byPatch[patch, default: []].append(position) }
    }
    var sources = Array(repeating: [Oid](), count: targets.count)
    var taken = Set<Int>()
    var unmatched: [Oid] = []
    for old in olds {
      if let patch = patchID(old), let position = byPatch[patch]?.first(where: { !taken.contains($0) }) {
        taken.insert(position)
        sources[position].append(old)
      } else {
        unmatched.append(old)
      }
    }
    let free = targets.indices.filter { !taken.contains($0) }
    if unmatched.count == free.count {
      for (old, position) in zip(unmatched, free) { sources[position].append(old) }
    } else {
      sources[targets.count - 1] += unmatched
    }
    let pairs = zip(targets, sources).filter { !$0.1.isEmpty }.map { (target: $0.0, sources: $0.1) }
    return (.rebase, pairs)
  }

  // MARK: - Writing

  /// Copies each group's usage lines onto its targets (or, in a dry run, counts what would be added).
  func apply(_ groups: [Group], signature: Signature, dryRun: Bool, into outcome: inout Outcome) throws {
    for group in groups where !group.targets.isEmpty && !group.olds.isEmpty {
      let notes = try repository.notes(on: group.olds, ref: UsageNote.ref)
      // Patch ids only matter when there are several new commits.
      var patches: [Oid: Oid] = [:]
      let patchID: (Oid) -> Oid? = { id in
        if let known = patches[id] { return known }
        guard let patch = try? repository.patchID(of: id) else { return nil }
        patches[id] = patch
        return patch
      }
      let (mode, pairs) = Self.match(olds: group.olds, targets: group.targets, patchID: patchID)
      for (target, sources) in pairs {
        let carried = sources.filter { notes[$0] != nil }
        let texts = carried.compactMap { notes[$0] }
        if texts.isEmpty { continue }
        var added = 0
        if dryRun {
          let existing = try repository.note(on: target, ref: UsageNote.ref)
          // One merge of every source note (merging them one by one re-read the growing note each time).
          let text = UsageNote.merging(existing, addingLinesOf: texts.joined(separator: "\n"))
          added = Self.lineCount(text) - Self.lineCount(existing)
        } else {
          try repository.updateNote(on: target, ref: UsageNote.ref, author: signature) { existing in
            let text = UsageNote.merging(existing, addingLinesOf: texts.joined(separator: "\n"))
            added = Self.lineCount(text) - Self.lineCount(existing)
            return text
          }
        }
        outcome.carried.append(
          Carried(target: target, sources: carried, pullRequest: group.pullRequest, mode: mode, lines: max(0, added)))
      }
    }
  }

  static func lineCount(_ text: String?) -> Int {
    text.map { $0.split(separator: "\n").count } ?? 0
  }
}
