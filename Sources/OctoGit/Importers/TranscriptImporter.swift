import Foundation

/// `octo-git usage import claude-code|codex`: agents' transcripts into the ledger.
///
/// Requests made in this repository (their `cwd` is one of its work trees, or a folder inside) are
/// priced and attributed: to the first commit *made in this clone* on that work tree's branch at or after
/// the request (the branch Claude Code logged, when it was not detached), or, when no such commit exists
/// yet, to that work tree's pending usage, which the next commit made there takes. A commit counts as
/// made here when the branch's reflog says a commit, merge, cherry-pick, revert, `am` or rebase wrote it
/// (see ``LocalCommits``); without a reflog, when its committer email is the configured `user.email`.
/// Commits that came with the clone or by a fast-forward to someone else's work are never charged.
/// Event ids come from `message.id`, so importing again never counts anything twice, and per-file
/// offsets make a re-run read only what was appended.
public struct TranscriptImporter {
  public struct Options: Sendable {
    public var folders: [String]
    /// Only this transcript (an agent hook's `transcript_path`).
    public var file: String?
    public var since: Date?
    public var session: String?
    /// Requests from any folder, attributed to this work tree's pending usage.
    public var allProjects = false

    public init(
      folders: [String], file: String? = nil, since: Date? = nil, session: String? = nil, allProjects: Bool = false
    ) {
      self.folders = folders
      self.file = file
      self.since = since
      self.session = session
      self.allProjects = allProjects
    }
  }

  /// What an import did.
  public struct Summary: Sendable {
    public var files = 0
    public var lines = 0
    public var malformedLines = 0
    /// Files skipped because they could not be read (not a regular file, no permission).
    public var unreadableFiles = 0
    public var requests = 0
    public var imported = 0
    public var alreadyRecorded = 0
    public var otherProjects = 0
    public var attributed = 0
    public var pending = 0

    public init() {}

    public var json: JSONValue {
      .object([
        "files": .int(files), "unreadableFiles": .int(unreadableFiles), "lines": .int(lines),
        "malformedLines": .int(malformedLines), "requests": .int(requests),
        "imported": .int(imported), "alreadyRecorded": .int(alreadyRecorded), "otherProjects": .int(otherProjects),
        "attributed": .int(attributed), "pending": .int(pending),
      ])
    }

    /// `usage import all --json`: one object keyed by agent, each agent's ``json``. A documented, stable
    /// schema.
    public static func json(byAgent summaries: [String: Summary]) -> JSONValue {
      .object(summaries.mapValues { $0.json })
    }
  }

  public let ledger: Ledger
  public let prices: PriceTable

  public init(ledger: Ledger, prices: PriceTable) {
    self.ledger = ledger
    self.prices = prices
  }

  public func run(_ options: Options) throws -> Summary {
    var batch = ImportBatch()
    let summary = try run(options, into: &batch)
    try write(batch)
    return summary
  }

  /// ``run(_:)`` into `batch`: the offsets are saved once it is written.
  func run(_ options: Options, into batch: inout ImportBatch) throws -> Summary {
    var summary = Summary()
    // A hook names the session's transcript; its subagents' transcripts sit in the session's own folder
    // (`<session>/subagents/*.jsonl`), most of the usage when the work was delegated: read with it.
    let files =
      options.file.map { file in
        [(path: file, size: (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? UInt64) ?? nil ?? 0)]
          + (file.hasSuffix(".jsonl")
            ? ClaudeCodeTranscripts.transcriptFiles(in: [String(file.dropLast(".jsonl".count))]) : [])
      }
      ?? ClaudeCodeTranscripts.transcriptFiles(
        in: options.folders,
        cachePath: (ledger.store.path as NSString).deletingLastPathComponent + "/transcript-folders")
    // Offsets make a re-run read only what was appended. A narrowed import (other projects, one session,
    // a start date) reads everything and leaves them alone: ids keep every import exact.
    let incremental = !options.allProjects && options.session == nil && options.since == nil
    let offsets = incremental ? try ledger.store.importOffsets() : [:]
    var scan = ClaudeCodeTranscripts.Scan()
    var newOffsets: [String: (offset: UInt64, size: UInt64)] = [:]
    var work: [(file: String, start: UInt64, size: UInt64)] = []
    for (file, size) in files {
      var start = offsets[file]?.offset ?? 0
      if start > size { start = 0 }  // rewritten or truncated: read it again (ids keep it exact)
      if start == size, size > 0 { continue }
      // Grown: read on from the offset only if it is still the same file (ids keep a full read exact).
      if start > 0, offsets[file]?.identity?.matches(file) != true { start = 0 }
      work.append((file, start, size))
    }
    // The files are read on every core, largest first, each worker taking the next file when it is done (no
    // worker is left with the tail) and reading it into a scan of its own; the scans are then merged (the
    // largest output_tokens per message id wins, whichever worker saw it).
    let items = work.enumerated().map {
      ScanItem(origin: $0.offset, file: $0.element.file, start: $0.element.start, size: $0.element.size)
    }
    .sorted { $0.size - $0.start > $1.size - $1.start }
    var taken = try WorkerPool.reduce(items, into: ScanPart()) { part, item in
      part.scan.origin = item.origin
      do {
        let end = try ClaudeCodeTranscripts.read(item.file, from: item.start, into: &part.scan, complete: false)
        part.offsets[item.file] = (end, item.size)
      } catch is OctoError {
        part.scan.unreadableFiles += 1
      }
    }
    // Into the largest scan, taken over (not copied).
    taken.sort { $0.scan.requests.count > $1.scan.requests.count }
    for index in taken.indices {
      if index == 0 {
        swap(&scan, &taken[0].scan)
      } else {
        scan.merge(taken[index].scan)
      }
      newOffsets.merge(taken[index].offsets) { $1 }
    }
    summary.files = scan.files
    summary.lines = scan.lines
    summary.malformedLines = scan.malformedLines
    summary.unreadableFiles = scan.unreadableFiles

    if !scan.requests.isEmpty {
      try attribute(scan.requests.values.lazy.map(\.request), options, &summary, into: &batch)
    }
    // Only the files read this time have new offsets; the others' rows stay as they are.
    if incremental && !newOffsets.isEmpty {
      // Each file's identity taken now, as it was read: one replaced before the writes end is read again.
      var saved: [String: LedgerStore.ImportOffset] = [:]
      for (file, end) in newOffsets {
        saved[file] = LedgerStore.ImportOffset(
          offset: end.offset, size: end.size, identity: FileIdentity.of(file, length: Int(clamping: end.offset)))
      }
      let store = ledger.store
      batch.afterWriting.append { try store.saveImportOffsets(saved) }
    }
    return summary
  }
  /// Attributes requests of this repository (all of them with `allProjects`): to the first commit made
  /// here on their work tree's branch at or after them (see ``BranchTimelines``), else to that work
  /// tree's pending usage.
  func attribute(_ requests: some Sequence<AgentRequest>, _ options: Options, _ summary: inout Summary) throws {
    var batch = ImportBatch()
    try attribute(requests, options, &summary, into: &batch)
    try write(batch)
  }

  /// ``attribute(_:_:_:)`` into `batch`, written later (with other agents' requests).
  func attribute(
    _ requests: some Sequence<AgentRequest>, _ options: Options, _ summary: inout Summary,
    into batch: inout ImportBatch
  ) throws {
    let worktrees = try ledger.repository.worktrees()
    var worktreeOfFolder = WorktreeOfFolder(worktrees)
    var chosen: [(AgentRequest, WorktreeInfo?)] = []
    // A request read twice (a Codex fork's rollout repeats its parent's turns) is one request: its best copy
    // (``EventCopy``).
    var position: [String: Int] = [:]
    for request in requests {
      if let session = options.session, request.session != session { continue }
      if let since = options.since, request.at < since { continue }
      let worktree = request.cwd.flatMap { worktreeOfFolder.worktree(holding: $0) }
      if worktree == nil && !options.allProjects {
        summary.otherProjects += 1
        continue
      }
      if let known = position[request.id] {
        let held = chosen[known].0
        if EventCopy.isBetter(request.tokens, cost: request.cost, than: held.tokens, held.cost) {
          chosen[known] = (request, worktree)
        }
        continue
      }
      position[request.id] = chosen.count
      chosen.append((request, worktree))
    }
    summary.requests = chosen.count
    chosen.sort { $0.0.at < $1.0.at }

    // Ids already recorded with at least as many output tokens are skipped; a larger count replaces.
    try ledger.store.refreshCache(from: ledger.repository)
    let known = try ledger.store.knownOutputTokens(chosen.map { $0.0.id })
    let base = try ledger.defaults()
    var timelines = BranchTimelines(
      repository: ledger.repository, userEmail: try ledger.repository.config().string("user.email"))
    // Each work tree's current branch, read once (for requests that logged none).
    var branches: [String: String?] = [:]
    let features = Features(repository: ledger.repository)
    // Each branch's feature, looked up once.
    var featureOf: [String: String?] = [:]
    func feature(of branch: String?) throws -> String? {
      guard let branch else { return nil }
      if let known = featureOf[branch] { return known }
      let slug = try features.slug(ofBranch: branch)
      featureOf[branch] = .some(slug)
      return slug
    }
    for (request, worktree) in chosen {
      let id = request.id
      if let recorded = known[id], recorded >= request.tokens.output {
        summary.alreadyRecorded += 1
        continue
      }
      let home = worktree ?? worktrees.first { $0.location == ledger.location }
      var branch = request.branch
      if branch == nil || branch == "HEAD" || branch?.isEmpty == true {
        branch = try home.flatMap { home in
          if let known = branches[home.path] { return known }
          let current = try ledger.repository.branch(of: home)
          branches[home.path] = .some(current)
          return current
        }
      }
      let event = UsageEvent(
        id: id, at: request.at, agent: request.agent, session: request.session, model: request.model,
        tokens: request.tokens, cost: request.agentCost(unlessPricedBy: self.prices), user: base.user,
        machine: base.machine, branch: branch, feature: try feature(of: branch)
      )
      summary.imported += 1
      if worktree != nil, let branch, let commit = try timelines.firstCommit(on: branch, notBefore: request.at) {
        batch.charge(event, to: commit)
        summary.attributed += 1
      } else {
        batch.keepPending(event, in: home?.location ?? ledger.location)
        summary.pending += 1
      }
    }
  }

  /// Reads Codex CLI rollouts (whole files: a rollout's counts are deltas of running totals) and
  /// attributes their requests.
  public func runCodex(homes: [String], options: Options) throws -> Summary {
    var batch = ImportBatch()
    let summary = try runCodex(homes: homes, options: options, into: &batch)
    try write(batch)
    return summary
  }

  /// ``runCodex(homes:options:)`` into `batch`.
  func runCodex(homes: [String], options: Options, into batch: inout ImportBatch) throws -> Summary {
    var summary = Summary()
    var requests: [AgentRequest] = []
    var malformed = 0
    let files = options.file.map { [$0] } ?? CodexTranscripts.rolloutFiles(in: homes)
    var rollouts: [CodexTranscripts.Rollout] = []
    for file in files {
      do {
        rollouts.append(
          try CodexTranscripts.read(file, into: &requests, malformed: &malformed, lines: &summary.lines))
      } catch is OctoError {
        summary.unreadableFiles += 1
      }
    }
    // A fork's source not read (one file given, by a hook): its rollouts (a resumed session has several) are
    // read for their running totals when they are there.
    let owners = Set(rollouts.compactMap(\.owner))
    let missing = Set(rollouts.flatMap { $0.copies.map(\.source) }).subtracting(owners)
    if !missing.isEmpty {
      let every = CodexTranscripts.rolloutFiles(in: homes)
      for source in missing {
        for file in every where file.hasSuffix("-" + source + ".jsonl") {
          var ignored: [AgentRequest] = []
          var (unread, lines) = (0, 0)
          if var rollout = try? CodexTranscripts.read(
            file, into: &ignored, malformed: &unread, lines: &lines, onlyTotals: true)
          {
            // Read for its totals only: its copies are not this import's.
            rollout.owner = rollout.owner ?? source
            rollout.copies = []
            rollouts.append(rollout)
          }
        }
      }
    }
    CodexTranscripts.resolveCopies(rollouts, in: &requests)
    summary.files = files.count
    summary.malformedLines = malformed
    try attribute(requests, options, &summary, into: &batch)
    return summary
  }
}

/// The commits of each branch that were made in this clone, in the branch's first-parent order, to find
/// the first one made after a moment (see ``LocalCommits`` for what "made here" means).
///
/// A commit that arrived from elsewhere (the history a clone came with, a fast-forward to someone else's
/// work) is never charged: the request waits, pending, for the next commit made here.
struct BranchTimelines {
  let repository: Repository
  /// The configured `user.email`: the fallback test of a branch without a reflog.
  let userEmail: String?
  /// Per branch: the commits made here, oldest first, with the latest commit time up to each one.
  var timelines: [String: [(latest: Date, commit: Oid)]] = [:]

  init(repository: Repository, userEmail: String? = nil) {
    self.repository = repository
    self.userEmail = userEmail.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap {
      $0.isEmpty ? nil : $0
    }
  }

  /// The earliest commit made here on `branch`'s first-parent line whose commit time is at or after
  /// `moment` (commit times have whole seconds: the same second counts as after); `nil` when none is.
  mutating func firstCommit(on branch: String, notBefore moment: Date) throws -> Oid? {
    if timelines[branch] == nil { timelines[branch] = try timeline(of: branch) }
    let line = timelines[branch]!
    // `latest` only grows: the first entry reaching the moment is the first commit at or after it, even
    // where commit times go backwards along the history. Found by bisection.
    let bound = moment.addingTimeInterval(-0.999)
    var low = 0
    var high = line.count
    while low < high {
      let middle = (low + high) / 2
      if line[middle].latest < bound { low = middle + 1 } else { high = middle }
    }
    return low < line.count ? line[low].commit : nil
  }

  /// `branch`'s commits made here, oldest first, each with the latest commit time up to it.
  private func timeline(of branch: String) throws -> [(latest: Date, commit: Oid)] {
    let name = "refs/heads/" + branch
    guard let tip = try repository.reference(name)?.target else { return [] }
    let log = try repository.reflog(of: name)
    // With a reflog, only the commits it says were made here; without one, the user's own commits.
    let local: Set<Oid>? = log.isEmpty ? nil : LocalCommits.made(by: log, in: repository)
    if local?.isEmpty ?? (userEmail == nil) { return [] }
    var found: [(time: Date, commit: Oid)] = []
    let walk = try RevWalk(repository, order: [.topological, .time], firstParentOnly: true)
    try walk.include(tip)
    var walked = 0
    for commit in walk {
      walked += 1
      if walked > 50_000 { break }
      if let local {
        guard local.contains(commit) else { continue }
        found.append((try repository.commit(commit).committer.time, commit))
        if found.count == local.count { break }  // every commit made here is met: the rest came from elsewhere
      } else {
        let committer = try repository.commit(commit).committer
        guard committer.email.lowercased() == userEmail else { continue }
        found.append((committer.time, commit))
      }
    }
    var latest = Date.distantPast
    return found.reversed().map { entry in
      latest = max(latest, entry.time)
      return (latest, entry.commit)
    }
  }
}

/// A transcript to read (from `start`), with its place in the import's list of files.
private struct ScanItem: Sendable {
  let origin: Int
  let file: String
  let start: UInt64
  let size: UInt64
}

/// What one worker read of the transcripts: its scan and where each file it read ended.
private struct ScanPart: Sendable {
  var scan = ClaudeCodeTranscripts.Scan()
  var offsets: [String: (offset: UInt64, size: UInt64)] = [:]
}
