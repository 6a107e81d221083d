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

  public init(
    repository: GitHubRepository, token: String, maximumWait: TimeInterval = 60,
    sleep: @escaping (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }
  ) {
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
      "title": .string(title), "body": .string(body), "head": .string(head), "base": .string(base),
      "draft": .bool(draft),
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
    try exchange(method, url: repository.apiBase + path, body: body, expecting: expecting).value
  }

  /// ``send(_:_:body:expecting:)`` to a whole URL, returning the response's headers too (pagination reads
  /// `Link`).
  func exchange(_ method: String, url: String, body: JSONValue?, expecting: Set<Int>) throws -> (
    value: JSONValue, headers: [String: String]
  ) {
    var waited: TimeInterval = 0
    var serverErrors = 0
    while true {
      let response = try HTTPClient.request(
        method, url, headers: headers, body: body.map { Data(CanonicalJSON.string($0).utf8) }, timeout: 30)
      let value = (try? CanonicalJSON.parse(String(decoding: response.body, as: UTF8.self))) ?? .null
      if expecting.contains(response.status) { return (value, response.headers) }
      if let wait = retryDelay(response, value), waited + wait <= maximumWait {
        sleep(wait)
        waited += wait
        continue
      }
      // GitHub's 502s and 503s pass: a read or an edit (never a POST, which could be made twice) is tried
      // twice more, a few seconds apart.
      if (500...599).contains(response.status), method == "GET" || method == "PATCH", serverErrors < 2,
        waited + 2 <= maximumWait
      {
        serverErrors += 1
        sleep(TimeInterval(serverErrors))
        waited += TimeInterval(serverErrors)
        continue
      }
      throw failure(response, value, method: method, url: url)
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

  func failure(_ response: HTTPClient.Response, _ value: JSONValue, method: String, url: String = "") -> OctoError {
    let message = value["message"]?.stringValue ?? "HTTP \(response.status)"
    let slug = "\(repository.owner)/\(repository.name)"
    // What the request was about: a pull request or issue by number, or a comment.
    let number = Self.number(in: url)
    let isComment = url.contains("/comments")
    switch response.status {
    case 401:
      return OctoError(
        "GitHub refused the token (401: \(message))",
        hint: "check GH_TOKEN (or GITHUB_TOKEN): it may be expired or mistyped",
        status: .unavailable)
    case 403, 429:
      if response.headers["x-ratelimit-remaining"] == "0" || response.status == 429 {
        // GitHub sends seconds since 1970; anything else (not finite, past year 5000) is not shown.
        let reset =
          response.headers["x-ratelimit-reset"].flatMap(TimeInterval.init).flatMap {
            $0.isFinite && $0 >= 0 && $0 < 1e11 ? $0 : nil
          }.map {
            " until " + Timestamp.format(Date(timeIntervalSince1970: $0))
          } ?? ""
        return OctoError("GitHub's rate limit is used up\(reset)", hint: "try again later", status: .unavailable)
      }
      // A secondary rate limit: a 403 saying so, or asking to wait (Retry-After) longer than octo-git waits.
      let wait = response.headers["retry-after"].flatMap(Int.init).flatMap { $0 >= 0 && $0 < 86_400 ? $0 : nil }
      if wait != nil || message.lowercased().contains("rate limit") {
        return OctoError(
          "GitHub asks to slow down (403: \(message))",
          hint: wait.flatMap { $0 > 0 ? "try again in \($0) s" : nil } ?? "try again in a few minutes",
          status: .unavailable)
      }
      return OctoError(
        "GitHub forbids this (403: \(message))",
        hint: "the token needs write access to pull requests of \(slug) (fine-grained tokens: Pull requests: write)",
        status: .unavailable)
    case 404 where number != nil:
      return OctoError(
        "GitHub does not know pull request #\(number!) of \(slug) (404)",
        hint: "check the number (--pr) and that the token can see the repository", status: .unavailable)
    case 404:
      return OctoError(
        "GitHub does not know \(slug) (404)",
        hint: "check the remote, octo.githubRepo, and that the token can see the repository",
        status: .unavailable)
    case 422:
      let details = (value["errors"]?.arrayValue ?? []).compactMap { error in
        error["message"]?.stringValue
          ?? error["code"]?.stringValue.map { code in
            [error["field"]?.stringValue, code].compactMap { $0 }.joined(separator: " ")
          }
      }
      let text = ([message] + details).joined(separator: ": ")
      let hint =
        text.contains("No commits between")
        ? "the branch has nothing the base lacks: commit first"
        : text.contains("head")
          ? "push the branch first (pr create pushes it unless --dry-run)" : "fix what GitHub reports"
      if isComment {
        return OctoError("GitHub refused the comment (422: \(text))", hint: "fix what GitHub reports")
      }
      if method == "GET" {
        return OctoError("GitHub could not read the pull request (422: \(text))", hint: "fix what GitHub reports")
      }
      return OctoError(
        "GitHub could not \(method == "POST" ? "open" : "update") the pull request (422: \(text))", hint: hint)
    case 500...599:
      return OctoError(
        "GitHub failed (\(response.status)\(value["message"]?.stringValue.map { ": " + $0 } ?? ""))",
        hint: "GitHub's status page says when it is back; try again later", status: .unavailable)
    default:
      return OctoError("GitHub answered \(response.status): \(message)", hint: "try again later", status: .unavailable)
    }
  }

  /// The pull request or issue number a REST URL names (`…/pulls/42`, `…/issues/42/comments`), if any.
  static func number(in url: String) -> Int? {
    let parts = (url.split(separator: "?").first ?? "").split(separator: "/")
    for (index, part) in parts.enumerated() where (part == "pulls" || part == "issues") && index + 1 < parts.count {
      if let number = Int(parts[index + 1]), number > 0 { return number }
    }
    return nil
  }

  static func escape(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }
}

// MARK: - Comments, a pull request's commits, the pull requests of a commit (pr comment, notes carry)

extension GitHubClient {
  /// A pull request with the fields `pr comment` and `notes carry` read.
  public struct PullRequestDetails: Equatable, Sendable {
    public let number: Int
    public let url: String
    /// `open` or `closed`.
    public let state: String
    public let merged: Bool
    public let headRef: String
    public let headSHA: Oid?
    public let baseRef: String
    public let baseSHA: Oid?
    /// For a merged pull request: the merge commit, the squash commit, or the last rebased commit.
    public let mergeCommitSHA: Oid?
  }

  /// A comment on an issue or pull request.
  public struct IssueComment: Equatable, Sendable {
    public let id: Int
    public let body: String
    public let url: String
    /// Who wrote it (`user.login`), and whether that account is a bot (an app's, or GitHub Actions' token).
    public var author: String? = nil
    public var authorIsBot = false
  }

  /// One commit of a pull request, as GitHub lists it.
  public struct PullRequestCommit: Equatable, Sendable {
    public let sha: Oid
    public let message: String
  }

  /// Items asked for per page, and the most pages read of one list (10,000 items).
  static let pageSize = 100
  static let maximumPages = 100

  var repositoryPath: String { "/repos/\(repository.owner)/\(repository.name)" }

  /// Pull request `number`.
  public func pullRequest(number: Int) throws -> PullRequestDetails {
    let value = try send("GET", pullsPath + "/\(number)", body: nil, expecting: [200])
    guard let details = Self.details(value) else { throw OctoError("GitHub's answer names no pull request") }
    return details
  }

  /// The open pull request from `branch` of this repository, with its head and base, if there is one.
  public func openPullRequestDetails(branch: String) throws -> PullRequestDetails? {
    let query = "?state=open&head=" + Self.escape("\(repository.owner):\(branch)")
    let value = try send("GET", pullsPath + query, body: nil, expecting: [200])
    return (value.arrayValue ?? []).lazy.compactMap(Self.details).first
  }

  /// The pull requests a commit belongs to (`GET /repos/{o}/{r}/commits/{sha}/pulls`): for a commit on the
  /// base branch, the merged pull request that brought it. Empty for a commit GitHub does not know (422).
  public func pullRequests(ofCommit sha: Oid) throws -> [PullRequestDetails] {
    let answer = try exchange(
      "GET", url: repository.apiBase + repositoryPath + "/commits/\(sha.hex)/pulls", body: nil, expecting: [200, 422])
    return (answer.value.arrayValue ?? []).compactMap(Self.details)
  }

  /// The commits of pull request `number`, oldest first, every page (GitHub lists at most 250).
  public func commits(ofPullRequest number: Int) throws -> [PullRequestCommit] {
    try pages(pullsPath + "/\(number)/commits").compactMap { item in
      guard let sha = item["sha"]?.stringValue.flatMap(Oid.init(hex:)) else { return nil }
      return PullRequestCommit(sha: sha, message: item["commit"]?["message"]?.stringValue ?? "")
    }
  }

  /// Every comment on issue or pull request `number`, oldest first, every page.
  public func comments(onIssue number: Int) throws -> [IssueComment] {
    try pages(repositoryPath + "/issues/\(number)/comments").compactMap(Self.comment)
  }

  /// The login of the token's account (`GET /user`); `nil` when GitHub does not say (an app's or GitHub
  /// Actions' token may not read it).
  public func viewerLogin() -> String? {
    (try? send("GET", "/user", body: nil, expecting: [200]))?["login"]?.stringValue
  }

  /// Adds a comment to issue or pull request `number`.
  public func createComment(onIssue number: Int, body: String) throws -> IssueComment {
    let value = try send(
      "POST", repositoryPath + "/issues/\(number)/comments", body: .object(["body": .string(body)]), expecting: [201])
    guard let comment = Self.comment(value) else { throw OctoError("GitHub's answer names no comment") }
    return comment
  }

  /// Rewrites comment `id`'s body in place.
  public func updateComment(id: Int, body: String) throws -> IssueComment {
    let value = try send(
      "PATCH", repositoryPath + "/issues/comments/\(id)", body: .object(["body": .string(body)]), expecting: [200])
    guard let comment = Self.comment(value) else { throw OctoError("GitHub's answer names no comment") }
    return comment
  }

  /// Every item of a list GitHub pages: the first page at `path`, then each `rel="next"` of the `Link`
  /// header, which must stay under the API's base URL (the token is sent to it).
  func pages(_ path: String) throws -> [JSONValue] {
    var items: [JSONValue] = []
    var next: String? = repository.apiBase + path + (path.contains("?") ? "&" : "?") + "per_page=\(Self.pageSize)"
    var count = 0
    while let url = next {
      count += 1
      guard count <= Self.maximumPages else {
        throw OctoError(
          "GitHub's list at \(path) goes on beyond \(Self.maximumPages) pages", hint: "try again later",
          status: .unavailable)
      }
      let answer = try exchange("GET", url: url, body: nil, expecting: [200])
      guard let page = answer.value.arrayValue else {
        throw OctoError("GitHub's answer to GET \(path) is not a list", hint: "try again later", status: .unavailable)
      }
      items += page
      next = try Self.nextPage(answer.headers["link"], apiBase: repository.apiBase)
    }
    return items
  }

  /// The `rel="next"` target of a `Link` header (RFC 8288), made absolute against the API's origin;
  /// `nil` when there is none. Throws when it leads away from `apiBase`.
  static func nextPage(_ header: String?, apiBase: String) throws -> String? {
    guard let header else { return nil }
    var rest = Substring(header)
    while let open = rest.firstIndex(of: "<") {
      guard let close = rest[open...].firstIndex(of: ">") else { return nil }
      let target = String(rest[rest.index(after: open)..<close])
      let afterTarget = rest[rest.index(after: close)...]
      let parameters = afterTarget.prefix { $0 != "<" }
      rest = afterTarget.dropFirst(parameters.count)
      let relations = parameters.split(separator: ";").compactMap { parameter -> [Substring]? in
        let pair = parameter.split(separator: "=", maxSplits: 1)
        guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "rel" else { return nil }
        let value = pair[1].trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: "\",")))
        return value.lowercased().split(separator: " ")
      }.flatMap { $0 }
      guard relations.contains("next") else { continue }
      let absolute: String
      if target.hasPrefix("/") && !target.hasPrefix("//") {
        absolute = origin(of: apiBase) + target
      } else {
        absolute = target
      }
      guard absolute.hasPrefix(apiBase + "/") else {
        throw OctoError(
          "GitHub's next page (\(target)) is not under \(apiBase)", hint: "check GITHUB_API_URL and octo.githubApiUrl",
          status: .unavailable)
      }
      return absolute
    }
    return nil
  }

  /// `scheme://host[:port]` of a URL.
  static func origin(of url: String) -> String {
    guard let scheme = url.range(of: "://") else { return url }
    let afterScheme = url[scheme.upperBound...]
    guard let slash = afterScheme.firstIndex(of: "/") else { return url }
    return String(url[..<slash])
  }

  static func details(_ value: JSONValue) -> PullRequestDetails? {
    guard let number = value["number"]?.intValue, number > 0, let url = value["html_url"]?.stringValue else {
      return nil
    }
    let merged = value["merged"]?.boolValue == true || value["merged_at"]?.stringValue != nil
    return PullRequestDetails(
      number: number, url: url, state: value["state"]?.stringValue ?? "open", merged: merged,
      headRef: value["head"]?["ref"]?.stringValue ?? "",
      headSHA: value["head"]?["sha"]?.stringValue.flatMap(Oid.init(hex:)),
      baseRef: value["base"]?["ref"]?.stringValue ?? "",
      baseSHA: value["base"]?["sha"]?.stringValue.flatMap(Oid.init(hex:)),
      mergeCommitSHA: value["merge_commit_sha"]?.stringValue.flatMap(Oid.init(hex:)))
  }

  static func comment(_ value: JSONValue) -> IssueComment? {
    guard let id = value["id"]?.intValue else { return nil }
    return IssueComment(
      id: id, body: value["body"]?.stringValue ?? "", url: value["html_url"]?.stringValue ?? "",
      author: value["user"]?["login"]?.stringValue, authorIsBot: value["user"]?["type"]?.stringValue == "Bot")
  }
}
