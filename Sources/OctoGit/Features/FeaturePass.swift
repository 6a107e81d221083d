import Foundation

/// `octo-git feature pass`: run the feature's tests; commit everything when they pass, take a checkpoint
/// when they fail. octo-git's own files in the work tree (its agent wiring, hook stubs it wrote there) are
/// never part of the commit; the outcome lists the files committed, and a dry run lists them without
/// running the tests or committing.
///
/// The commit is made through libgit2, with what `git commit` would do around it done by octo-git: the
/// repository's `pre-commit` and `commit-msg` hooks (unless `noVerify`), then the post-commit work in
/// process (pending usage attached to the commit) and the repository's `post-commit` hook. When
/// `commit.gpgsign` is set the commit is made by the git CLI instead, so the user's signing applies.
public struct FeaturePass {
  public let repository: Repository
  /// octo-git's own files in the work tree, relative to its top, that the commit leaves out as HEAD has them
  /// (the executable passes ``HookInstaller/ownWorkTreeFiles(_:)``: Features/ does not know what Hooks/ wrote).
  public let ownWorkTreeFiles: [String]

  public init(repository: Repository, ownWorkTreeFiles: [String]) {
    self.repository = repository
    self.ownWorkTreeFiles = ownWorkTreeFiles
  }

  public struct Request: Sendable {
    public var test: String?
    /// The subject to use instead of the one derived from the description.
    public var message: String?
    public var noVerify = false
    /// A harness's own feature id and description (instead of the current feature branch's).
    public var id: String?
    public var description: String?
    public var agent: String?
    /// Where the test command's output goes (stderr keeps stdout for JSON).
    public var testOutput: UserCommand.Output = .standardOutput
    public var timeout: TimeInterval?
    /// Only list what a passing run would commit: no tests, no commit, no hook.
    public var dryRun = false

    public init(
      test: String? = nil, message: String? = nil, noVerify: Bool = false, id: String? = nil,
      description: String? = nil,
      agent: String? = nil, testOutput: UserCommand.Output = .standardOutput, timeout: TimeInterval? = nil,
      dryRun: Bool = false
    ) {
      self.test = test
      self.message = message
      self.noVerify = noVerify
      self.id = id
      self.description = description
      self.agent = agent
      self.testOutput = testOutput
      self.timeout = timeout
      self.dryRun = dryRun
    }
  }

  /// One file of the commit, as `git show --name-status` lists it.
  public struct CommittedFile: Equatable, Sendable {
    /// `A` (added), `M` (modified) or `D` (deleted).
    public let status: String
    public let path: String

    public init(status: String, path: String) {
      self.status = status
      self.path = path
    }

    /// `<status>\t<path>`, as git prints it.
    public var line: String { status + "\t" + path }
  }

  public enum Outcome: Sendable {
    /// The tests passed and this commit holds the work: these files.
    case committed(commit: Oid, subject: String, test: String, duration: TimeInterval, files: [CommittedFile])
    /// A dry run: what a passing run would commit (nothing was run or committed).
    case dryRun(subject: String, files: [CommittedFile])
    /// The tests passed and there was nothing to commit.
    case nothingToCommit(test: String, duration: TimeInterval)
    /// The tests failed (exit code, or killed at the time limit): nothing committed; the checkpoint taken
    /// before they ran holds the work.
    case failed(test: String, status: Int32, timedOut: Bool, duration: TimeInterval, checkpoint: Oid?)
    /// The tests ran but moved HEAD or changed files that are not ignored (`reason` says which): nothing
    /// committed; the checkpoint taken before they ran holds the work as tested.
    case refused(test: String, reason: String, checkpoint: Oid)
  }

  /// The feature being worked on: from the request (a harness's id and description), else from the
  /// current feature branch.
  struct FeatureContext {
    var slug: String
    var id: String?
    var description: String
    var branch: String?
  }

  func context(_ request: Request) throws -> FeatureContext {
    let head = try repository.head()
    var branch: String?
    if case .branch(let name, _) = head { branch = name }
    if case .unborn(let name) = head { branch = name }
    if let id = request.id { try Features.checkID(id) }
    if let description = request.description {
      guard !description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
        throw OctoError(
          "--description is empty", hint: "say what the feature does: --description \"what it does\"", status: .usage)
      }
      return FeatureContext(
        slug: FeatureSlug.make(from: description), id: request.id, description: description, branch: branch)
    }
    let config = try repository.config()
    if let branch, let slug = try Features(repository: repository).slug(ofBranch: branch),
      let description = try config.string("branch.\(branch).description")
    {
      let storedID = try config.string("branch.\(branch).octoFeatureId")
      return FeatureContext(slug: slug, id: request.id ?? storedID, description: description, branch: branch)
    }
    if request.id != nil {
      throw OctoError(
        "--id needs --description", hint: "octo-git feature pass --id ID --description \"what it does\"", status: .usage
      )
    }
    throw OctoError(
      "not on a feature branch (\(branch ?? "detached HEAD"))",
      hint: "start one with octo-git feature start \"description\", or pass --id and --description", status: .usage)
  }

  public func run(_ request: Request) throws -> Outcome {
    let feature = try context(request)
    let config = try repository.config()
    let configuredTest = try config.string("octo.testCommand")
    let test = request.test ?? configuredTest ?? ""
    guard request.dryRun || !test.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
      throw OctoError(
        "no test command",
        hint: "pass --test \"swift test\" or set it once: git config octo.testCommand \"swift test\"",
        status: .usage)
    }
    if case .detached = try repository.head() {
      throw OctoError(
        "HEAD is detached: a feature's commit needs a branch", hint: "switch to the feature's branch first")
    }
    if let operation = repository.operationInProgress {
      throw OctoError("a \(operation) is in progress", hint: "finish or abort it first")
    }
    if request.dryRun { return try preview(feature, request: request) }
    let ledger = try Ledger(repository: repository)
    let agent = try request.agent ?? (knownAgent(ledger))
    // The work as the tests find it, kept whatever they do: a test that deletes files, fails or switches
    // branch loses nothing, and a passing run commits only a work tree the tests left as they found it.
    let startHead = try repository.head()
    let checkpoints = Checkpoints(repository: repository)
    let taken = try checkpoints.takeReporting(.init(message: "before tests: \(test)", agent: agent))
    let before = taken.checkpoint
    // Files the checkpoint could not hold (larger than octo.checkpoint.maxFileSize, unreadable) are compared by
    // their stat data.
    let leftOutBefore = Self.stamps(taken.leftOut, in: repository)
    let run = try UserCommand.shell(
      test, in: repository.workDirectory, output: request.testOutput, environment: ["OCTO_GIT_FEATURE": feature.slug],
      timeout: request.timeout)
    if try repository.head() != startHead {
      return .refused(
        test: test, reason: "the tests moved HEAD (\(Self.describe(startHead)) before)", checkpoint: before.id)
    }
    guard run.succeeded else {
      return .failed(
        test: test, status: run.status, timedOut: run.timedOut, duration: run.duration, checkpoint: before.id)
    }
    let tested = try repository.commit(before.id).tree
    let snapshotAfter = try SnapshotBuilder.snapshot(repository, includeIgnored: false)
    let after = snapshotAfter.tree
    let leftOutAfter = Self.stamps(snapshotAfter.leftOut, in: repository)
    if after != tested || leftOutAfter != leftOutBefore {
      var changed = try repository.changedPaths(from: tested, to: after).map { RawPath.shown($0.path) }
      changed += Set(leftOutBefore.keys).union(leftOutAfter.keys).sorted()
        .filter { leftOutBefore[$0] != leftOutAfter[$0] }.map(RawPath.shown)
      let shown = changed.prefix(3).joined(separator: ", ") + (changed.count > 3 ? ", …" : "")
      return .refused(
        test: test, reason: "the tests passed but changed \(changed.count) file(s) (\(shown))", checkpoint: before.id)
    }
    let headCommit = try repository.headCommit()
    let headTree = try headCommit.map { try repository.commit($0).tree }
    let index = try repository.currentIndex()
    try repository.addAllToIndex()
    _ = try Self.leaveOut(ownWorkTreeFiles, from: index, headTree: headTree, in: repository)
    try index.write()
    if try index.writeTree(to: repository) == headTree {
      return .nothingToCommit(test: test, duration: run.duration)
    }
    let hooks = RepositoryHooks(repository: repository)
    if !request.noVerify {
      try hooks.run("pre-commit", arguments: [], failure: "the pre-commit hook failed: nothing committed")
    }
    try index.reread()
    // A hook may have staged files again: octo-git's own stay out all the same.
    if try Self.leaveOut(ownWorkTreeFiles, from: index, headTree: headTree, in: repository) { try index.write() }
    let tree = try index.writeTree(to: repository)
    let files = try Self.files(from: headTree, to: tree, in: repository)
    let changed = files.map(\.path)
    var message = CommitMessage(
      subject: request.message
        ?? CommitMessage.subject(description: feature.description, scope: CommitMessage.scope(of: changed)),
      body: "Tests: `\(test)` passed in \(Self.seconds(run.duration)).", trailers: [("Octo-Feature", feature.slug)])
    if let id = feature.id { message.trailers.append(("Octo-Feature-Id", id)) }
    if let agent, let coAuthor = CommitMessage.coAuthor(ofAgent: agent) {
      message.trailers.append(("Co-authored-by", coAuthor))
    }
    var text = message.text
    let messageFile = repository.gitDirectory + "/COMMIT_EDITMSG"
    try Data(text.utf8).write(to: URL(fileURLWithPath: messageFile))
    let commit: Oid
    if try config.bool("commit.gpgsign") == true {
      commit = try commitSigned(messageFile: messageFile, noVerify: request.noVerify)
    } else {
      if !request.noVerify {
        try hooks.run(
          "commit-msg", arguments: [messageFile], failure: "the commit-msg hook refused the message: nothing committed")
        text = (try? String(contentsOfFile: messageFile, encoding: .utf8)) ?? text
      }
      guard let signature = repository.configuredSignature() else {
        throw OctoError(
          "git does not know who you are",
          hint: "git config user.name \"Your Name\"; git config user.email you@example.com")
      }
      commit = try repository.createCommit(
        tree: tree, parents: headCommit.map { [$0] } ?? [], message: Self.cleaned(text), author: signature)
      let branch = "refs/heads/" + (feature.branch ?? "main")
      try repository.updateReference(
        branch, to: commit, expecting: headCommit, message: "octo-git feature pass: " + message.subject)
    }
    try afterCommit(commit, ledger: ledger, feature: feature, test: test, run: run, agent: agent)
    if try config.bool("commit.gpgsign") != true {
      // As git does (even with --no-verify); it cannot undo the commit, so its failure is ignored. octo-git's
      // own stub has nothing left to do: the work was done above.
      try? hooks.run("post-commit", arguments: [], failure: "", environment: ["OCTO_GIT_INTERNAL": "1"])
    }
    return .committed(
      commit: commit, subject: try repository.commit(commit).summary, test: test, duration: run.duration, files: files)
  }

  /// What `lstat` says of each of `paths` (work-tree paths in ``RawPath`` form) that a change would move:
  /// type, size, times, inode.
  static func stamps(_ paths: [String], in repository: Repository) -> [String: [Int64]] {
    let found = PathStatus.of(rawPaths: paths, under: repository.workDirectory)
    return Dictionary(
      zip(paths, found).map { path, status in
        (
          path,
          [
            Int64(status.error), Int64(status.mode), Int64(truncatingIfNeeded: status.size),
            status.mtime_seconds, status.mtime_nanoseconds, status.ctime_seconds, status.ctime_nanoseconds,
            Int64(truncatingIfNeeded: status.inode),
          ]
        )
      }, uniquingKeysWith: { first, _ in first })
  }

  /// HEAD as a message names it: the branch, or the commit.
  static func describe(_ head: Head) -> String {
    switch head {
    case .branch(let name, _), .unborn(let name): return SafeText.terminal(name)
    case .detached(let commit): return "detached at \(commit.abbreviated())"
    }
  }

  /// What a passing run would commit, found with a private copy of the index (the real one is not touched).
  func preview(_ feature: FeatureContext, request: Request) throws -> Outcome {
    let scratch = try Repository.open(at: repository.workDirectory)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("octo-git-pass-\(UUID().uuidString).index")
      .path
    defer { unlink(file) }
    let index = try scratch.privateIndexCopy(at: file)
    try scratch.useIndex(index)
    try scratch.addAllToIndex()
    let headTree = try scratch.headCommit().map { try scratch.commit($0).tree }
    _ = try Self.leaveOut(ownWorkTreeFiles, from: index, headTree: headTree, in: scratch)
    let tree = try index.writeTree(to: scratch)
    let files = try tree == headTree ? [] : Self.files(from: headTree, to: tree, in: scratch)
    let subject =
      request.message
      ?? CommitMessage.subject(description: feature.description, scope: CommitMessage.scope(of: files.map(\.path)))
    return .dryRun(subject: subject, files: files)
  }

  /// Puts octo-git's own files in `index` back as HEAD has them (out of the index when HEAD has none).
  /// Returns whether the index changed.
  static func leaveOut(_ paths: [String], from index: Index, headTree: Oid?, in repository: Repository) throws -> Bool {
    var changed = false
    for path in paths {
      let head = try headTree.flatMap { try repository.treeEntry(in: $0, path: path) }
      let staged = index.entry(at: path)
      if let head, head.mode != .tree {
        if staged?.id != head.id || staged?.mode != head.mode {
          try index.add(path: path, id: head.id, mode: head.mode)
          changed = true
        }
      } else if staged != nil {
        try index.remove(path: path)
        changed = true
      }
    }
    return changed
  }

  /// The files that differ between two trees, as `git diff --name-status` lists them.
  static func files(from old: Oid?, to new: Oid, in repository: Repository) throws -> [CommittedFile] {
    try repository.changedPaths(from: old, to: new).map { change in
      CommittedFile(status: change.oldID == nil ? "A" : change.newID == nil ? "D" : "M", path: change.path)
    }
  }

  /// The post-commit work git's hook would do, in process: pending usage attached, the feature's record.
  func afterCommit(
    _ commit: Oid, ledger: Ledger, feature: FeatureContext, test: String, run: UserCommand.Result, agent: String?
  ) throws {
    if ledger.location.isMarkedPending { try ledger.attachPending(to: commit) }
    let record = FeatureRecord(
      id: "fp-" + UUID().uuidString.lowercased(), at: Date(), feature: feature.slug, featureID: feature.id,
      description: feature.description, branch: feature.branch, test: test, result: "passed",
      exitCode: Int(run.status), durationMs: Int((run.duration * 1000).rounded()), agent: agent)
    let author = repository.signatureOrOctoGit()
    try repository.updateNote(on: commit, ref: FeatureRecord.ref, author: author) { existing in
      let lines = (existing ?? "").split(separator: "\n").map(String.init) + [record.line]
      return lines.joined(separator: "\n") + "\n"
    }
  }

  /// Commits the staged index through `git commit` so the user's signing configuration applies. The git
  /// CLI runs the hooks itself; octo-git's own post-commit stub sees `OCTO_GIT_INTERNAL=1` and leaves the
  /// bookkeeping to ``afterCommit``.
  func commitSigned(messageFile: String, noVerify: Bool) throws -> Oid {
    var arguments = ["commit", "--quiet", "--cleanup=strip", "-F", messageFile]
    if noVerify { arguments.append("--no-verify") }
    let result = try GitCLI.run(arguments, in: repository.workDirectory, timeout: 120)
    guard result.succeeded else {
      throw OctoError(
        "git commit (signed) failed: \(result.lastError)",
        hint: "check your signing setup (commit.gpgsign, gpg.program)")
    }
    guard let commit = try repository.headCommit() else { throw OctoError("git commit made no commit") }
    return commit
  }

  /// The agent at work: the newest pending usage's agent, else the environment Claude Code and Codex set.
  func knownAgent(_ ledger: Ledger) throws -> String? {
    if ledger.location.isMarkedPending,
      let newest = try ledger.store.pending(worktree: ledger.location.key).max(by: { $0.event.at < $1.event.at }),
      let agent = newest.event.agent
    {
      return agent
    }
    let environment = ProcessInfo.processInfo.environment
    if environment["CLAUDECODE"] == "1" { return "claude-code" }
    if environment["CODEX_SANDBOX"] != nil || environment["CODEX_SANDBOX_NETWORK_DISABLED"] != nil { return "codex" }
    return nil
  }

  /// A message as `git commit --cleanup=strip` leaves it: comment lines and trailing blank lines removed.
  static func cleaned(_ text: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      .filter { !$0.hasPrefix("#") }.map {
        $0.replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression)
      }
    while lines.last?.isEmpty == true { lines.removeLast() }
    while lines.first?.isEmpty == true { lines.removeFirst() }
    return lines.joined(separator: "\n") + "\n"
  }

  static func seconds(_ duration: TimeInterval) -> String { String(format: "%.1f s", duration) }
}

/// Runs a repository's own hooks from the hooks folder git uses (libgit2 runs none).
struct RepositoryHooks {
  let repository: Repository

  /// Runs `name` when it exists and is executable; throws `failure` when it exits non-zero.
  func run(_ name: String, arguments: [String], failure: String, environment: [String: String] = [:]) throws {
    let path = try repository.hooksDirectory() + "/" + name
    guard FileManager.default.isExecutableFile(atPath: path) else { return }
    let result = try UserCommand.run(
      path, arguments, in: repository.workDirectory, output: .standardError,
      environment: ["GIT_INDEX_FILE": repository.indexPath, "GIT_EDITOR": ":"].merging(environment) { $1 })
    if !result.succeeded { throw OctoError(failure, hint: "fix what the hook reports, or pass --no-verify to skip it") }
  }
}
