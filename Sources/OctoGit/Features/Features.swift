import Foundation

/// `octo-git feature start` and `feature list`: a branch per feature, named from its description, with the
/// description (git's own `branch.<name>.description`) and base kept in the repository's config.
public struct Features {
  public let repository: Repository

  public init(repository: Repository) { self.repository = repository }

  /// `octo.featurePrefix`, else `feature/`.
  public func prefix() throws -> String { try repository.config().string("octo.featurePrefix") ?? "feature/" }

  /// The feature `branch` is for (its slug) when `feature start` made it: under the feature prefix, with a
  /// description. Usage recorded on it carries the slug in `feature`, so `usage --by feature` groups it as
  /// `feature list` does.
  public func slug(ofBranch branch: String?) throws -> String? {
    guard let branch else { return nil }
    let prefix = try prefix()
    guard branch.hasPrefix(prefix), branch.count > prefix.count,
      try repository.config().string("branch.\(branch).description") != nil
    else { return nil }
    return String(branch.dropFirst(prefix.count))
  }

  /// What `feature start` was asked.
  public struct StartRequest: Sendable {
    public var description: String
    public var slug: String?
    public var base: String?
    public var id: String?

    public init(description: String, slug: String? = nil, base: String? = nil, id: String? = nil) {
      self.description = description
      self.slug = slug
      self.base = base
      self.id = id
    }
  }

  /// What `feature start` did.
  public struct Started: Sendable {
    public let branch: String
    public let slug: String
    public let base: String
    public let baseCommit: Oid
    /// The checkpoint taken because local changes had to be carried to the new branch.
    public let checkpoint: Oid?
  }

  /// Creates the feature's branch from its base and switches to it, carrying local changes along (a
  /// checkpoint is taken first when there are any and the base is not HEAD; a switch that would overwrite
  /// them is refused and undone).
  public func start(_ request: StartRequest) throws -> Started {
    let description = request.description.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !description.isEmpty else {
      throw OctoError("a feature needs a description", hint: "octo-git feature start \"what it does\"", status: .usage)
    }
    if let id = request.id { try Self.checkID(id) }
    let prefix = try prefix()
    let baseSlug = try request.slug.map(FeatureSlug.validate) ?? FeatureSlug.make(from: description)
    if prefix.hasSuffix("/") {
      let blocker = String(prefix.dropLast())
      if try repository.reference("refs/heads/" + blocker) != nil {
        throw OctoError(
          "a branch named '\(blocker)' blocks feature branches under '\(prefix)'",
          hint:
            "rename it (git branch -m \(blocker) \(blocker)-old) or choose another prefix:"
            + " git config octo.featurePrefix feat/"
        )
      }
    }
    let (baseName, baseCommit) = try resolveBase(request.base)
    var slug = baseSlug
    var attempt = 1
    while try repository.reference("refs/heads/\(prefix)\(slug)") != nil {
      attempt += 1
      let suffix = "-\(attempt)"
      slug = String(baseSlug.prefix(FeatureSlug.maximumLength - suffix.count)) + suffix
    }
    let branch = prefix + slug
    guard Repository.isValidBranchName(branch) else {
      throw OctoError.badInput("'\(branch)' is not a valid branch name", hint: "check octo.featurePrefix")
    }
    var checkpoint: Oid?
    let moving = try repository.headCommit() != baseCommit
    // Computed only when the switch rewrites files: carrying local changes along is then worth a checkpoint.
    if try moving && !repository.status().isEmpty {
      checkpoint = try Checkpoints(repository: repository).take(.init(message: "before feature start \(slug)")).id
    }
    try repository.updateReference(
      "refs/heads/" + branch, to: baseCommit, expecting: nil, message: "octo-git feature start: from \(baseName)")
    do {
      try repository.switchToBranch(branch)
    } catch {
      try? repository.deleteReference("refs/heads/" + branch, expecting: baseCommit)
      if let checkpoint, let failure = error as? OctoError {
        throw OctoError(
          failure.message, hint: "your work is also in checkpoint \(checkpoint.abbreviated()); " + (failure.hint ?? ""))
      }
      throw error
    }
    let config = try repository.config(at: .local)
    try config.set("branch.\(branch).description", to: description)
    try config.set("branch.\(branch).octoBase", to: baseName)
    try config.set("branch.\(branch).octoStart", to: baseCommit.hex)
    if let id = request.id { try config.set("branch.\(branch).octoFeatureId", to: id) }
    return Started(branch: branch, slug: slug, base: baseName, baseCommit: baseCommit, checkpoint: checkpoint)
  }

  /// The base to branch from, by name and commit: `--base`, else `octo.baseBranch`, else the remote's
  /// default branch, else the current branch.
  public func resolveBase(_ requested: String?) throws -> (String, Oid) {
    let config = try repository.config()
    let configured = try config.string("octo.baseBranch")
    var name = requested ?? configured
    if name == nil, let remoteDefault = try repository.remoteDefaultBranch() { name = remoteDefault }
    if name == nil, case .branch(let current, _) = try repository.head() { name = current }
    guard let name else {
      if case .detached(let commit) = try repository.head() { return ("HEAD", commit) }
      throw OctoError("there is no commit to start a feature from", hint: "make a first commit, or pass --base")
    }
    if let commit = try commitOfBase(name) { return (name, commit) }
    throw OctoError.badInput(
      "no branch or commit named '\(name)' to start from", hint: "pass an existing branch with --base")
  }

  /// Where a base branch is known to be: the local branch and its remote-tracking one (`origin/<name>`),
  /// those that exist, else what `name` resolves to. A pull request's own commits are those none of them has:
  /// a teammate's commit merged in from `origin/main` is not the branch's while the local `main` lags.
  func tipsOfBase(_ name: String) throws -> [Oid] {
    let tips = try [repository.reference("refs/heads/" + name), repository.reference("refs/remotes/origin/" + name)]
      .compactMap { $0?.target }
    if tips.isEmpty { return (try? repository.resolveCommit(name)).map { [$0] } ?? [] }
    return tips[0] == tips.last ? [tips[0]] : tips
  }

  /// A base's commit: the local branch, else the remote-tracking one, else any revision.
  func commitOfBase(_ name: String) throws -> Oid? { try tipsOfBase(name).first }

  /// A feature branch as `feature list` shows it.
  public struct Summary: Sendable {
    public let branch: String
    public let slug: String
    public let description: String?
    public let base: String?
    public let id: String?
    /// Commits on the branch that its base lacks.
    public let commits: Int
    /// `feature pass` runs that ended in a commit on the branch.
    public let passes: Int
    /// Usage in the branch's commits, and pending in this work tree when it is the current branch; not exact
    /// when ``UsageTotals/overflowed`` (crafted notes: their sums pass 64 bits), then shown as unreadable.
    public let cost: UsageTotals
    /// Whether the base contains the branch.
    public let merged: Bool
    public let current: Bool

    public var json: JSONValue {
      var members: [String: JSONValue] = [
        "branch": .string(branch), "slug": .string(slug), "commits": .int(commits), "passes": .int(passes),
        "merged": .bool(merged), "current": .bool(current),
        "cost": cost.overflowed ? .null : .object(cost.json), "costUnreadable": .bool(cost.overflowed),
        "description": description.map(JSONValue.string) ?? .null, "base": base.map(JSONValue.string) ?? .null,
      ]
      if let id { members["id"] = .string(id) }
      return .object(members)
    }
  }

  /// Refuses a harness's feature id that cannot be a commit trailer's value: empty, over 200 characters, or
  /// holding a control character (a line break would end the trailer; an escape would reach every terminal
  /// that shows the log).
  static func checkID(_ id: String) throws {
    let trimmed = id.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty, trimmed == id, id.count <= 200,
      !id.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
    else {
      throw OctoError(
        "the feature id '\(SafeText.terminal(id))' cannot be used",
        hint: "give one line of at most 200 characters, with no control characters or edge spaces", status: .usage)
    }
  }

  /// Every feature branch (under the prefix), newest tip first.
  public func list() throws -> [Summary] {
    let prefix = try prefix()
    let config = try repository.config()
    let head = try repository.head()
    var summaries: [(Summary, Date)] = []
    for reference in try repository.references(matching: "refs/heads/\(prefix)*") {
      let tip = reference.target
      let branch = String(reference.name.dropFirst("refs/heads/".count))
      let description = try config.string("branch.\(branch).description")
      let base = try config.string("branch.\(branch).octoBase")
      let baseCommit = try base.flatMap { try commitOfBase($0) }
      // The feature's own commits: since it started (still right after it was merged), else since the base.
      let start = try config.string("branch.\(branch).octoStart").flatMap(Oid.init(hex:))
        .flatMap { repository.objectExists($0) ? $0 : nil }
      let commits = try repository.commits(from: tip, excluding: start ?? baseCommit)
      var passes = 0
      var cost = UsageTotals()
      for text in try repository.notes(on: commits, ref: FeatureRecord.ref).values {
        passes += FeatureRecord.records(in: text).filter { $0.result == "passed" }.count
      }
      // Each event once, as every report counts it: its best copy (EventCopy).
      var best = EventCopy.Best()
      let usageNotes = try repository.notes(on: commits, ref: UsageNote.ref)
      for commit in commits.reversed() {
        for event in usageNotes[commit].map({ UsageNote.events(in: $0).events }) ?? [] { best.add(event) }
      }
      let current = head == .branch(name: branch, commit: tip)
      if current {
        for item in try Ledger(repository: repository).store.pending(worktree: WorktreeLocation(repository).key) {
          best.add(item.event)
        }
      }
      for event in best.events { cost.add(event) }
      let merged =
        try !commits.isEmpty
        && (baseCommit.map { try repository.mergeAnalysis(ours: $0, theirs: tip).isUpToDate } ?? false)
      let time = try repository.commit(tip).committer.time
      summaries.append(
        (
          Summary(
            branch: branch, slug: String(branch.dropFirst(prefix.count)), description: description, base: base,
            id: try config.string("branch.\(branch).octoFeatureId"), commits: commits.count, passes: passes, cost: cost,
            merged: merged, current: current), time
        ))
    }
    return summaries.sorted { ($0.1, $0.0.branch) > ($1.1, $1.0.branch) }.map(\.0)
  }
}
