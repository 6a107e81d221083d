import Foundation

/// Which GitHub repository a remote is, and where its REST API answers.
///
/// The owner and name come from the remote's URL (`git@host:owner/repo.git`, `ssh://…`, `https://…`), or
/// from `octo.githubRepo` (`owner/name`) when the remote is not on GitHub. The API is
/// `https://api.github.com` for github.com, `https://api.HOST` for `*.ghe.com`, and `https://HOST/api/v3`
/// for GitHub Enterprise Server; `octo.githubApiUrl` or `GITHUB_API_URL` override it.
public struct GitHubRepository: Equatable, Sendable {
  public let host: String
  public let owner: String
  public let name: String
  public let apiBase: String

  /// Whether the host is GitHub Enterprise Server (its tokens are `GH_ENTERPRISE_TOKEN`).
  public var isEnterprise: Bool { host != "github.com" && !host.hasSuffix(".ghe.com") }

  /// Reads `remote`'s URL and the overrides.
  public static func of(_ repository: Repository, remote: String) throws -> GitHubRepository {
    let config = try repository.config()
    let environment = ProcessInfo.processInfo.environment
    guard let url = try config.string("remote.\(remote).url") else {
      throw OctoError.badInput(
        "no remote named \(remote)", hint: "add it (git remote add \(remote) URL) or pass --remote")
    }
    var parsed = parse(url: url)
    if let explicit = try config.string("octo.githubRepo") ?? environment["GH_REPO"] {
      let parts = explicit.split(separator: "/").map(String.init)
      guard parts.count >= 2 else {
        throw OctoError.badInput("octo.githubRepo must be owner/name, not \(explicit)")
      }
      let host = parts.count == 3 ? parts[0] : parsed?.0 ?? "github.com"
      parsed = (host.contains(".") ? host : "github.com", parts[parts.count - 2], parts[parts.count - 1])
    }
    guard let (host, owner, name) = parsed else {
      throw OctoError.badInput(
        "the remote \(remote) (\(url)) is not a GitHub repository URL",
        hint: "set the repository with git config octo.githubRepo owner/name")
    }
    let override = try config.string("octo.githubApiUrl") ?? environment["GITHUB_API_URL"]
    return GitHubRepository(host: host, owner: owner, name: name, apiBase: apiBaseURL(host: host, override: override))
  }

  /// Where `host`'s REST API answers: `override` (one trailing slash dropped) when set and not empty, else
  /// `https://api.github.com` for github.com, `https://api.HOST` for `*.ghe.com`, and `https://HOST/api/v3`
  /// for GitHub Enterprise Server.
  static func apiBaseURL(host: String, override: String?) -> String {
    if let override, !override.isEmpty { return override.hasSuffix("/") ? String(override.dropLast()) : override }
    if host == "github.com" { return "https://api.github.com" }
    if host.hasSuffix(".ghe.com") { return "https://api." + host }
    return "https://\(host)/api/v3"
  }

  /// Host, owner and name of a remote URL; `nil` for a local path.
  static func parse(url: String) -> (String, String, String)? {
    let normalised = ProjectIdentity.normalise(url: url)
    guard !normalised.hasPrefix("/") else { return nil }
    // ProjectIdentity lower-cases; take the original spelling of owner and name from the URL itself.
    var text = url.trimmingCharacters(in: .whitespaces)
    while text.hasSuffix("/") { text.removeLast() }
    if text.hasSuffix(".git") { text.removeLast(4) }
    let parts = text.split(whereSeparator: { $0 == "/" || $0 == ":" }).map(String.init)
    let host = normalised.split(separator: "/").first.map(String.init) ?? ""
    guard parts.count >= 3, !host.isEmpty else { return nil }
    return (host, parts[parts.count - 2], parts[parts.count - 1])
  }

  /// The token from the environment (never from a file, never printed): `GH_TOKEN`, `GITHUB_TOKEN`, or for
  /// Enterprise Server `GH_ENTERPRISE_TOKEN`, `GITHUB_ENTERPRISE_TOKEN`.
  public func token(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
    let names = isEnterprise ? ["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"] : ["GH_TOKEN", "GITHUB_TOKEN"]
    for name in names {
      if let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty { return value }
    }
    throw OctoError(
      "no GitHub token for \(host)", hint: "export \(names[0]) with a token that may write pull requests",
      status: .usage)
  }
}
