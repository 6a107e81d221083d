import Foundation

/// GitHub's REST API for pull requests, over libcurl: the headers GitHub requires, and its failures as
/// one-line errors a user can act on. Waits and retries when GitHub asks it to (`Retry-After`, secondary
/// rate limits), up to a minute in all.
public struct GitHubClient {
  public let repository: GitHubRepository
  let token: String
  /// Seconds to wait before retrying, at most (tests set it low).
  let maximumWait: TimeInterval
  let sleep: (TimeInterval) -> Void

  public init(repository: GitHubRepository, token: String, maximumWait: TimeInterval = 60, sleep: @escaping (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }) {
    self.repository = repository
    self.token = token
    self.maximumWait = maximumWait
    self.sleep = sleep
  }

  /// A pull request as GitHub describes it (only the fields used).
  public struct PullRequest: Sendable {
    public let number: Int
    public let url: String
    public let draft: Bool
  }

  var headers: [String] {
    [
      "Accept: application/vnd.github+json", "Authorization: Bearer \(token)", "X-GitHub-Api-Version: 2022-11-28",
      "Content-Type: application/json",
    ]
  }

  var pullsPath: String { "/repos/\(repository.owner)/\(repository.name)/pulls" }

  /// The open pull request from `branch` of this repository, if there is one.
  public func openPullRequest(branch: String) throws -> PullRequest? {
    let query = "?state=open&head=" + Self.escape("\(repository.owner):\(branch)")
    let value = try send("GET", pullsPath + query, body: nil, expecting: [200])
    return value.arrayValue?.first.flatMap(Self.pullRequest)
  }

  /// Opens a pull request.
  public func create(title: String, body: String, head: String, base: String, draft: Bool) throws -> PullRequest {
    let payload: JSONValue = .object([
      "title": .string(title), "body": .string(body), "head": .string(head), "base": .string(base), "draft": .bool(draft),
      "maintainer_can_modify": .bool(true),
    ])
    let value = try send("POST", pullsPath, body: payload, expecting: [201])
    guard let pullRequest = Self.pullRequest(value) else { throw OctoError("GitHub's answer names no pull request") }
    return pullRequest
  }

  /// Rewrites an open pull request's title, body and base.
  public func update(number: Int, title: String, body: String, base: String) throws -> PullRequest {
    let payload: JSONValue = .object(["title": .string(title), "body": .string(body), "base": .string(base)])
    let value = try send("PATCH", pullsPath + "/\(number)", body: payload, expecting: [200])
    guard let pullRequest = Self.pullRequest(value) else { throw OctoError("GitHub's answer names no pull request") }
    return pullRequest
  }

  static func pullRequest(_ value: JSONValue) -> PullRequest? {
    guard let number = value["number"]?.intValue, let url = value["html_url"]?.stringValue else { return nil }
    return PullRequest(number: number, url: url, draft: value["draft"]?.boolValue ?? false)
  }

  /// Sends one request; retries when GitHub says to wait; maps failures to errors.
  func send(_ method: String, _ path: String, body: JSONValue?, expecting: Set<Int>) throws -> JSONValue {
    let url = repository.apiBase + path
    var waited: TimeInterval = 0
    while true {
      let response = try HTTPClient.request(
        method, url, headers: headers, body: body.map { Data(CanonicalJSON.string($0).utf8) }, timeout: 30)
      let value = (try? CanonicalJSON.parse(String(decoding: response.body, as: UTF8.self))) ?? .null
      if expecting.contains(response.status) { return value }
      if let wait = retryDelay(response, value), waited + wait <= maximumWait {
        sleep(wait)
        waited += wait
        continue
      }
      throw failure(response, value, method: method)
    }
  }

  /// How long GitHub asks to wait before trying again, when it does (429, or 403 with `Retry-After` or a
  /// secondary rate limit).
  func retryDelay(_ response: HTTPClient.Response, _ value: JSONValue) -> TimeInterval? {
    guard response.status == 429 || response.status == 403 else { return nil }
    if let retryAfter = response.headers["retry-after"].flatMap(TimeInterval.init) { return max(1, retryAfter) }
    let message = value["message"]?.stringValue?.lowercased() ?? ""
    if message.contains("secondary rate limit") { return 60 }
    return nil
  }

  func failure(_ response: HTTPClient.Response, _ value: JSONValue, method: String) -> OctoError {
    let message = value["message"]?.stringValue ?? "HTTP \(response.status)"
    let slug = "\(repository.owner)/\(repository.name)"
    switch response.status {
    case 401:
      return OctoError(
        "GitHub refused the token (401: \(message))", hint: "check GH_TOKEN (or GITHUB_TOKEN): it may be expired or mistyped",
        status: .unavailable)
    case 403, 429:
      if response.headers["x-ratelimit-remaining"] == "0" || response.status == 429 {
        let reset = response.headers["x-ratelimit-reset"].flatMap(TimeInterval.init).map {
          " until " + Timestamp.format(Date(timeIntervalSince1970: $0))
        } ?? ""
        return OctoError("GitHub's rate limit is used up\(reset)", hint: "try again later", status: .unavailable)
      }
      return OctoError(
        "GitHub forbids this (403: \(message))",
        hint: "the token needs write access to pull requests of \(slug) (fine-grained tokens: Pull requests: write)",
        status: .unavailable)
    case 404:
      return OctoError(
        "GitHub does not know \(slug) (404)", hint: "check the remote, octo.githubRepo, and that the token can see the repository",
        status: .unavailable)
    case 422:
      let details = (value["errors"]?.arrayValue ?? []).compactMap { error in
        error["message"]?.stringValue ?? error["code"]?.stringValue.map { code in
          [error["field"]?.stringValue, code].compactMap { $0 }.joined(separator: " ")
        }
      }
      let text = ([message] + details).joined(separator: ": ")
      let hint = text.contains("No commits between")
        ? "the branch has nothing the base lacks: commit first" : text.contains("head")
        ? "push the branch first (pr create pushes it unless --dry-run)" : "fix what GitHub reports"
      return OctoError("GitHub could not \(method == "POST" ? "open" : "update") the pull request (422: \(text))", hint: hint)
    default:
      return OctoError("GitHub answered \(response.status): \(message)", hint: "try again later", status: .unavailable)
    }
  }

  static func escape(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }
}
