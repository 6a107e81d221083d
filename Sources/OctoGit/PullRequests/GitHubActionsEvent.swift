import Foundation

/// What a CI job tells the commands it runs, through its environment: whether it is GitHub Actions
/// (`GITHUB_ACTIONS=true`) or any CI (`CI=true`), the event (`GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`), the
/// repository (`GITHUB_REPOSITORY`, which any CI may set, with `GITHUB_API_URL` and `GITHUB_SERVER_URL`),
/// and the token. An empty variable counts as unset.
public struct GitHubActionsEnvironment: Sendable {
  public let variables: [String: String]

  public init(_ variables: [String: String] = ProcessInfo.processInfo.environment) {
    self.variables = variables
  }

  /// The variable's value, trimmed; `nil` when unset or empty.
  public func value(_ name: String) -> String? {
    guard let text = variables[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
    return text
  }

  /// Inside a GitHub Actions job.
  public var isActions: Bool { value("GITHUB_ACTIONS")?.lowercased() == "true" }

  /// Inside any CI job (GitHub Actions, GitLab CI and most others set `CI=true`).
  public var isCI: Bool {
    if isActions { return true }
    guard let flag = value("CI")?.lowercased() else { return false }
    return ["true", "1", "yes"].contains(flag)
  }

  /// The repository `GITHUB_REPOSITORY` (`owner/name`) names, with its API: `GITHUB_API_URL`, else the one
  /// of `GITHUB_SERVER_URL`'s host, else `https://api.github.com`. `nil` when the variable is not set.
  public func repository() throws -> GitHubRepository? {
    guard let slug = value("GITHUB_REPOSITORY") else { return nil }
    let parts = slug.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    let allowed = { (part: String) in
      !part.isEmpty && part != "." && part != ".."
        && part.unicodeScalars.allSatisfy {
          $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0))
        }
    }
    guard parts.count == 2, parts.allSatisfy(allowed) else {
      throw OctoError.badInput(
        "GITHUB_REPOSITORY must be owner/name, not \(slug)", hint: "set it to the repository the pull request is in")
    }
    var host = "github.com"
    if let server = value("GITHUB_SERVER_URL") {
      var rest = Substring(server)
      if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
      let name = rest.prefix { $0 != "/" && $0 != ":" }.lowercased()
      if !name.isEmpty { host = name }
    }
    return GitHubRepository(
      host: host, owner: parts[0], name: parts[1],
      apiBase: GitHubRepository.apiBaseURL(host: host, override: value("GITHUB_API_URL")))
  }

  /// The token for `repository`: in a CI job `GH_TOKEN` or `GITHUB_TOKEN` whatever the host (Actions hands
  /// out `GITHUB_TOKEN` on Enterprise Server too), then the Enterprise names; elsewhere as
  /// ``GitHubRepository/token(environment:)`` says.
  public func token(for repository: GitHubRepository) throws -> String {
    if isCI {
      for name in ["GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"] {
        if let token = value(name) { return token }
      }
      throw OctoError(
        "no GitHub token for \(repository.host)",
        hint: "pass the job's token: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}", status: .unavailable)
    }
    do {
      return try repository.token(environment: variables)
    } catch let error as OctoError {
      throw OctoError(error.message, hint: error.hint, status: .unavailable)
    }
  }

  /// The event of this GitHub Actions job; `nil` outside Actions or without `GITHUB_EVENT_PATH`.
  public func event() throws -> GitHubActionsEvent? {
    guard isActions, let path = value("GITHUB_EVENT_PATH") else { return nil }
    return try GitHubActionsEvent.read(path: path, name: value("GITHUB_EVENT_NAME") ?? "")
  }
}

/// The event a GitHub Actions job runs for, read from the JSON file `GITHUB_EVENT_PATH` names: the fields
/// `pr comment` and `notes carry` use, each checked (numbers positive, commit ids 40 hexadecimal digits).
public enum GitHubActionsEvent: Equatable, Sendable {
  /// `pull_request` (or `pull_request_target`): opened, synchronize (new commits), reopened…
  public struct PullRequest: Equatable, Sendable {
    public let action: String?
    public let number: Int
    public let url: String?
    public let headRef: String
    public let headSHA: Oid
    public let baseRef: String
    public let baseSHA: Oid?
  }

  /// `push`: a branch moved from `before` to `after`.
  public struct Push: Equatable, Sendable {
    /// The full ref, e.g. `refs/heads/main`.
    public let ref: String
    /// `nil` when the push created the branch (all zeros).
    public let before: Oid?
    /// `nil` when the push deleted the branch (all zeros).
    public let after: Oid?
    /// The commits the event lists (oldest first; GitHub lists at most 2,048).
    public let commits: [Oid]
    public let forced: Bool

    /// The branch's short name, when the ref is a branch.
    public var branch: String? { ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : nil }
  }

  case pullRequest(PullRequest)
  case push(Push)
  /// Any other event, by name.
  case other(String)

  /// The largest event file read (a push of 2,048 commits with their file lists stays well under it).
  public static let maxBytes = 32 << 20

  /// Reads the event file at `path`; `name` is `GITHUB_EVENT_NAME`.
  public static func read(path: String, name: String) throws -> GitHubActionsEvent {
    let data: Data
    do {
      data = try RegularFile.contents(path, limit: maxBytes)
    } catch {
      throw OctoError.badInput("cannot read the GitHub event file \(error)", hint: "check GITHUB_EVENT_PATH")
    }
    return try parse(String(decoding: data, as: UTF8.self), name: name, source: path)
  }

  /// The event in `text`, a `name` event.
  public static func parse(_ text: String, name: String, source: String = "the event") throws -> GitHubActionsEvent {
    let value: JSONValue
    do {
      value = try CanonicalJSON.parse(text)
    } catch {
      throw OctoError.badInput(
        "the GitHub event file \(source) is not JSON (\(error))", hint: "check GITHUB_EVENT_PATH")
    }
    func bad(_ field: String) -> OctoError {
      OctoError.badInput(
        "the \(name) event in \(source) has no valid \(field)", hint: "check GITHUB_EVENT_PATH and GITHUB_EVENT_NAME")
    }
    switch name {
    case "pull_request", "pull_request_target":
      guard let pull = value["pull_request"], pull.objectValue != nil else { throw bad("pull_request") }
      guard let number = pull["number"]?.intValue ?? value["number"]?.intValue, number > 0 else { throw bad("number") }
      guard let headSHA = pull["head"]?["sha"]?.stringValue.flatMap(Oid.init(hex:)) else {
        throw bad("pull_request.head.sha")
      }
      guard let headRef = pull["head"]?["ref"]?.stringValue, !headRef.isEmpty else {
        throw bad("pull_request.head.ref")
      }
      guard let baseRef = pull["base"]?["ref"]?.stringValue, !baseRef.isEmpty else {
        throw bad("pull_request.base.ref")
      }
      return .pullRequest(
        PullRequest(
          action: value["action"]?.stringValue, number: number, url: pull["html_url"]?.stringValue, headRef: headRef,
          headSHA: headSHA, baseRef: baseRef, baseSHA: pull["base"]?["sha"]?.stringValue.flatMap(Oid.init(hex:))))
    case "push":
      guard let ref = value["ref"]?.stringValue, !ref.isEmpty else { throw bad("ref") }
      func commit(_ field: String) throws -> Oid? {
        guard let text = value[field]?.stringValue else { return nil }
        guard let id = Oid(hex: text.lowercased()) else { throw bad(field) }
        return id.isZero ? nil : id
      }
      let commits = try (value["commits"]?.arrayValue ?? []).map { item -> Oid in
        guard let id = item["id"]?.stringValue.flatMap({ Oid(hex: $0.lowercased()) }) else { throw bad("commits[].id") }
        return id
      }
      return .push(
        Push(
          ref: ref, before: try commit("before"), after: try commit("after"), commits: commits,
          forced: value["forced"]?.boolValue ?? false))
    default:
      return .other(name)
    }
  }
}
