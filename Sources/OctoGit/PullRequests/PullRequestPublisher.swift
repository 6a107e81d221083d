import Foundation

/// `octo-git pr create`: pushes the branch and the notes, then opens the branch's pull request on GitHub,
/// or updates the one already open.
public struct PullRequestPublisher {
  public let repository: Repository

  public init(repository: Repository) { self.repository = repository }

  public struct Options: Sendable {
    public var base: String?
    public var draft = false
    public var dryRun = false
    public var remote = "origin"
    public var templateFile: String?

    public init(
      base: String? = nil, draft: Bool = false, dryRun: Bool = false, remote: String = "origin",
      templateFile: String? = nil
    ) {
      self.base = base
      self.draft = draft
      self.dryRun = dryRun
      self.remote = remote
      self.templateFile = templateFile
    }
  }

  public struct Outcome: Sendable {
    public enum Action: String, Sendable {
      case created, updated
      case dryRun = "dry-run"
    }
    public let action: Action
    public let url: String?
    public let number: Int?
    public let title: String
    public let body: String
    /// What would be (or was) sent, for --dry-run: method and URL of each request.
    public let requests: [String]
    /// Problems that did not stop it (the notes could not be pushed).
    public let warnings: [String]
  }

  public func publish(_ options: Options) throws -> Outcome {
    // The remote goes on git command lines: a configured one only, never something read as an option.
    try GitCLI.checkRemote(options.remote, in: repository)
    let description = try PullRequestDescriber(repository: repository).describe(
      base: options.base, templateFile: options.templateFile)
    let github = try GitHubRepository.of(repository, remote: options.remote)
    let pulls = "\(github.apiBase)/repos/\(github.owner)/\(github.name)/pulls"
    if options.dryRun {
      return Outcome(
        action: .dryRun, url: nil, number: nil, title: description.title, body: description.body,
        requests: [
          "git push --set-upstream \(options.remote) \(description.head)",
          "octo-git notes sync --remote \(options.remote)",
          "GET \(pulls)?state=open&head=\(github.owner):\(description.head)",
          "PATCH \(pulls)/<number> (when one is open), else POST \(pulls)"
            + " (head \(description.head), base \(description.base)\(options.draft ? ", draft" : ""))",
        ], warnings: [])
    }
    let token = try github.token()
    try push(branch: description.head, remote: options.remote)
    var warnings: [String] = []
    do {
      _ = try NotesSync.sync(repository, remote: options.remote)
    } catch {
      warnings.append("notes not pushed: \(error)")
    }
    let client = GitHubClient(repository: github, token: token)
    if let open = try client.openPullRequest(branch: description.head) {
      let updated = try client.update(
        number: open.number, title: description.title, body: description.body, base: description.base)
      return Outcome(
        action: .updated, url: updated.url, number: updated.number, title: description.title, body: description.body,
        requests: [], warnings: warnings)
    }
    do {
      let created = try client.create(
        title: description.title, body: description.body, head: description.head, base: description.base,
        draft: options.draft)
      return Outcome(
        action: .created, url: created.url, number: created.number, title: description.title, body: description.body,
        requests: [], warnings: warnings)
    } catch let error as OctoError where error.message.contains("already exists") {
      // Opened by someone else between the look-up and the creation.
      guard let open = try client.openPullRequest(branch: description.head) else { throw error }
      let updated = try client.update(
        number: open.number, title: description.title, body: description.body, base: description.base)
      return Outcome(
        action: .updated, url: updated.url, number: updated.number, title: description.title, body: description.body,
        requests: [], warnings: warnings)
    }
  }

  /// Pushes the branch with the git CLI (the user's credentials, transports and pre-push hooks; libgit2
  /// has none of them). octo-git's own pre-push stub sees `OCTO_GIT_INTERNAL=1`; the notes are synced
  /// separately. `remote` has been checked with ``GitCLI/checkRemote(_:in:)``.
  func push(branch: String, remote: String) throws {
    let result = try GitCLI.run(
      ["push", "--quiet", "--set-upstream", "--end-of-options", remote, "refs/heads/\(branch):refs/heads/\(branch)"],
      in: repository.workDirectory, timeout: 300)
    guard result.succeeded else {
      throw OctoError(
        "cannot push \(branch) to \(remote): \(result.lastError)",
        hint: "push it yourself (git push -u \(remote) \(branch)), then run pr create again",
        status: .unavailable)
    }
  }
}
