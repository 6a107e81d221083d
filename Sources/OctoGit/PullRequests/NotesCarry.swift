import Foundation

/// `octo-git notes carry`: the usage of a pull request merged on GitHub with "Squash and merge" or "Rebase
/// and merge" copied onto the commits that merge made, which carry no notes of their own.
///
/// In a GitHub Actions `push` job on the base branch, each pushed commit (merge commits and commits that
/// already hold a usage note aside) is looked up on GitHub (`GET /repos/{o}/{r}/commits/{sha}/pulls`) to
/// find the merged pull request it came from, and that pull request's commits are listed
/// (`GET /repos/{o}/{r}/pulls/{n}/commits`, every page). Their usage lines are copied byte for byte (a
/// damaged line stays where it is: copied, it would count twice), each event id once: for a squash, all onto
/// the one new commit; for a rebase, each old commit's onto the new commit with the same patch id (then,
/// for changes a conflict altered, in order; what is still left goes onto the newest). The notes are fetched
/// from the remote first and pushed at the end, with the retries `notes sync` makes. Event ids are kept, so
/// reports and the rollup count every event once.
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
      groups = [
        try group(
          ofPullRequest: number, onto: options.onto, client: client, remote: options.remote,
          skipped: &outcome.skipped)
      ]
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
}
