import Foundation

/// `octo-git notes sync`: brings a remote's octo notes in, merges them, and pushes the result back.
///
/// Remote notes are fetched into `refs/notes/octo-remote/<remote>/<name>` and merged into the local ref
/// with git's `cat_sort_uniq` strategy (one canonical line per event, so the union has each once). The
/// push never forces; when someone pushed meanwhile, the round is repeated. Checkpoint metadata travels
/// only with `octo.checkpoint.push=true`.
///
/// The remote must be one configured in the repository (see ``GitCLI/checkRemote(_:in:)``). The whole
/// sync, every fetch, merge and push of every round, shares one time limit: when it runs out, the sync
/// stops with an ``ExitStatus/unavailable`` error and git is stopped with what it started.
public enum NotesSync {
  public struct Outcome: Sendable {
    /// Local refs that took the remote's notes in.
    public var merged: [String] = []
    /// Refs the remote did not have as they are here, now pushed.
    public var pushed: [String] = []
    public var attempts = 0

    /// What the sync did with `remote`, in one line.
    public func summary(remote: String) -> String {
      func names(_ refs: [String]) -> String {
        refs.map { String($0.dropFirst("refs/notes/octo/".count)) }.joined(separator: ", ")
      }
      if merged.isEmpty && pushed.isEmpty { return "notes already in sync with \(remote)" }
      var parts: [String] = []
      if !merged.isEmpty { parts.append("took in \(remote)'s \(names(merged)) notes") }
      if !pushed.isEmpty { parts.append("pushed \(names(pushed)) notes") }
      return parts.joined(separator: "; ")
    }
  }

  /// The moment a sync must be over by, on a monotonic clock.
  struct Deadline {
    let remote: String
    let seconds: TimeInterval
    let end: TimeInterval

    init(remote: String, seconds: TimeInterval) {
      self.remote = remote
      self.seconds = seconds
      end = ProcessRunner.now() + seconds
    }

    /// The time left for the next step; throws ``expired`` when there is none.
    func remaining() throws -> TimeInterval {
      let left = end - ProcessRunner.now()
      guard left > 0 else { throw expired }
      return left
    }

    /// The error a sync that ran out of time ends with.
    var expired: OctoError {
      OctoError(
        "notes not synced with \(remote) within \(Self.format(seconds)) s",
        hint: "run octo-git notes sync later", status: .unavailable)
    }

    static func format(_ seconds: TimeInterval) -> String {
      guard seconds.isFinite, abs(seconds) < 1e9 else { return "\(seconds)" }
      return seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
  }

  public static func sync(_ repository: Repository, remote: String, timeout: TimeInterval = 20) throws -> Outcome {
    try GitCLI.checkRemote(remote, in: repository)
    let deadline = Deadline(remote: remote, seconds: timeout)
    let config = try repository.config()
    var names = ["usage", "features"]
    if try config.bool("octo.checkpoint.push") == true { names.append("checkpoints") }
    let directory = repository.commandDirectory
    var outcome = Outcome()
    for attempt in 1...3 {
      outcome.attempts = attempt
      try fetchAndMerge(repository, names: names, remote: remote, deadline: deadline, into: &outcome)
      let refs = try names.map { "refs/notes/octo/\($0)" }.filter { try repository.reference($0) != nil }
      if refs.isEmpty { return outcome }
      let push = try GitCLI.run(
        ["push", "--no-verify", "--porcelain", "--end-of-options", remote] + refs.map { "\($0):\($0)" },
        in: directory, timeout: try deadline.remaining())
      if push.timedOut { throw deadline.expired }
      if push.succeeded {
        // `--porcelain` marks a ref the remote already had with `=`.
        let current = Set(
          push.output.split(separator: "\n").filter { $0.hasPrefix("=") }.compactMap {
            $0.split(separator: "\t").dropFirst().first?.split(separator: ":").first.map(String.init)
          })
        outcome.pushed = refs.filter { !current.contains($0) }
        return outcome
      }
      let rejected =
        push.output.contains("[rejected]") || push.errors.contains("fetch first")
        || push.errors.contains("non-fast-forward")
      if !rejected || attempt == 3 {
        throw OctoError(
          "cannot push notes to \(remote): \(push.lastError)", hint: "run octo-git notes sync to try again",
          status: .unavailable)
      }
    }
    return outcome
  }

  /// Brings the remote's usage and feature notes in and merges them into the local refs, without pushing
  /// (what `rollup --fetch` does).
  public static func pull(_ repository: Repository, remote: String, timeout: TimeInterval = 20) throws -> Outcome {
    try GitCLI.checkRemote(remote, in: repository)
    let deadline = Deadline(remote: remote, seconds: timeout)
    var outcome = Outcome()
    outcome.attempts = 1
    try fetchAndMerge(repository, names: ["usage", "features"], remote: remote, deadline: deadline, into: &outcome)
    return outcome
  }

  /// Fetches and merges; `remote` has been checked by the caller.
  static func fetchAndMerge(
    _ repository: Repository, names: [String], remote: String, deadline: Deadline, into outcome: inout Outcome
  ) throws {
    let fetch = try GitCLI.run(
      [
        "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--end-of-options", remote,
        "+refs/notes/octo/*:refs/notes/octo-remote/\(remote)/*",
      ], in: repository.commandDirectory,
      timeout: try deadline.remaining())
    if fetch.timedOut { throw deadline.expired }
    guard fetch.succeeded else {
      throw OctoError(
        "cannot fetch notes from \(remote): \(fetch.lastError)", hint: "check the remote with git fetch \(remote)",
        status: .unavailable)
    }
    for name in names {
      try merge(repository, name: name, remote: remote, deadline: deadline, into: &outcome)
    }
  }

  static func merge(
    _ repository: Repository, name: String, remote: String, deadline: Deadline, into outcome: inout Outcome
  ) throws {
    let local = "refs/notes/octo/\(name)"
    let fetched = "refs/notes/octo-remote/\(remote)/\(name)"
    guard let theirs = try repository.reference(fetched)?.target else { return }
    // A notes ref is a commit; one that is not (a blob or tree pushed by hand, a bad refspec) cannot merge.
    guard (try? repository.commit(theirs)) != nil else {
      throw OctoError.badInput(
        "\(remote)'s \(local) is not notes (\(theirs.abbreviated()) is no commit): nothing of it was merged",
        hint: "see it with git fetch \(remote) \(local) && git cat-file -t FETCH_HEAD; whoever pushed it can "
          + "replace it with a notes commit")
    }
    guard let ours = try repository.reference(local)?.target else {
      try repository.updateReference(local, to: theirs, expecting: nil, message: "octo-git: notes from \(remote)")
      outcome.merged.append(local)
      return
    }
    if ours == theirs { return }
    guard (try? repository.commit(ours)) != nil else {
      throw OctoError.badInput(
        "\(local) is not notes (\(ours.abbreviated()) is no commit): nothing was merged into it",
        hint: "see what it holds with git log \(local); if it is not notes remove it with git update-ref -d \(local)")
    }
    let analysis = try repository.mergeAnalysis(ours: ours, theirs: theirs)
    if analysis.isUpToDate { return }
    if analysis.isFastForward {
      try repository.updateReference(local, to: theirs, expecting: ours, message: "octo-git: notes from \(remote)")
      outcome.merged.append(local)
      return
    }
    var arguments = ["notes", "--ref=octo/\(name)", "merge", "--quiet", "--strategy=cat_sort_uniq", fetched]
    if repository.configuredSignature() == nil {
      // No identity here (a CI runner): the Actions bot's on GitHub Actions, else octo-git's own.
      let actions = ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true"
      let name = actions ? Signature.gitHubActionsBot.name : "octo-git"
      let email = actions ? Signature.gitHubActionsBot.email : "octo-git@localhost"
      arguments = ["-c", "user.name=\(name)", "-c", "user.email=\(email)"] + arguments
    }
    let result = try GitCLI.run(arguments, in: repository.commandDirectory, timeout: try deadline.remaining())
    if result.timedOut { throw deadline.expired }
    guard result.succeeded else {
      throw OctoError(
        "cannot merge \(remote)'s \(local): \(result.lastError)",
        hint: "run git notes --ref=octo/\(name) merge --abort, then retry")
    }
    outcome.merged.append(local)
  }
}
