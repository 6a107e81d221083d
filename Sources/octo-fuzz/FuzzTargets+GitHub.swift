import Foundation

@testable import OctoGit

/// What GitHub hands octo-git: Actions' event files and environment, Link headers, the API's answers.
extension FuzzTargets {
  /// An Actions event file read under each event name, and its repository read from the environment.
  static func actionsEvent(_ bytes: UnsafeBufferPointer<UInt8>) {
    let text = String(decoding: bytes, as: UTF8.self)
    let pull = try? GitHubActionsEvent.parse(text, name: "pull_request")
    precondition(
      pull == (try? GitHubActionsEvent.parse(text, name: "pull_request_target")),
      "pull_request and pull_request_target read differently")
    if case .pullRequest(let event)? = pull {
      precondition(
        event.number > 0 && !event.headRef.isEmpty && !event.baseRef.isEmpty, "a pull request event past its checks")
    }
    let push = try? GitHubActionsEvent.parse(text, name: "push")
    if case .push(let event)? = push {
      precondition(
        !event.ref.isEmpty && event.before?.isZero != true && event.after?.isZero != true,
        "a push event past its checks")
    }
    if let other = try? GitHubActionsEvent.parse(text, name: "workflow_run") {
      precondition(other == .other("workflow_run"), "an event of another name read as a known one")
    }
    withScratchFile(bytes) { path in
      precondition(
        (try? GitHubActionsEvent.read(path: path, name: "push")) == push, "the event file read unlike its text")
    }
    _ = try? GitHubActionsEnvironment(["GITHUB_REPOSITORY": text, "GITHUB_SERVER_URL": text]).repository()
  }

  /// A Link header's next page is followed only under the API's base (the token is sent to it).
  static func githubLink(_ bytes: UnsafeBufferPointer<UInt8>) {
    let header = String(decoding: bytes, as: UTF8.self)
    for apiBase in ["https://api.github.com", "https://ghe.example.com/api/v3", "http://127.0.0.1:8080"] {
      if let next = try? GitHubClient.nextPage(header, apiBase: apiBase) {
        precondition(next.utf8.starts(with: (apiBase + "/").utf8), "a next page outside the API's base")
      }
    }
    _ = GitHubClient.origin(of: header)
  }

  // MARK: - GitHub's answers

  /// An answer of GitHub's API: its JSON body, after a status line and headers when it starts with `HTTP/`
  /// (read as HTTPClient reads libcurl's header lines). Read as every call reads it, and as a failure.
  static func githubAnswer(_ bytes: UnsafeBufferPointer<UInt8>) {
    let text = String(decoding: bytes, as: UTF8.self)
    var statuses = [401, 403, 404, 422, 429, 500]
    var headers: [String: String] = [:]
    var body = Substring(text)
    if text.hasPrefix("HTTP/"), let blank = text.range(of: "\r\n\r\n") ?? text.range(of: "\n\n") {
      // "\r\n" is one Character: split at either ending.
      let lines = text[..<blank.lowerBound].split { $0 == "\n" || $0 == "\r\n" }
      if let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
        statuses.append(status)
      }
      for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
          in: .whitespacesAndNewlines)
      }
      body = text[blank.upperBound...]
    }
    let value = (try? CanonicalJSON.parse(String(body))) ?? .null
    let client = GitHubClient(
      repository: GitHubRepository(host: "github.com", owner: "acme", name: "app", apiBase: "https://api.github.com"),
      token: "t", maximumWait: 0, sleep: { _ in })
    _ = GitHubClient.pullRequest(value)
    _ = GitHubClient.comment(value)
    if let details = GitHubClient.details(value) {
      precondition(details.number > 0, "a pull request numbered \(details.number)")
    }
    for item in (value.arrayValue ?? []).prefix(256) {
      if let details = GitHubClient.details(item) {
        precondition(details.number > 0, "a pull request numbered \(details.number)")
      }
      _ = GitHubClient.comment(item)
      _ = item["sha"]?.stringValue.flatMap(Oid.init(hex:))
    }
    for status in statuses {
      let response = HTTPClient.Response(status: status, headers: headers, body: Data(body.utf8))
      if let wait = client.retryDelay(response, value) { precondition(wait >= 1, "a wait of \(wait) s") }
      _ = client.failure(response, value, method: status == 422 ? "POST" : "PATCH")
    }
  }
}
