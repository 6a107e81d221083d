import Foundation

@testable import OctoGit

/// What GitHub Actions hands a job, and helpers shared by the CI tests: a developer's clone with a bare
/// remote, a runner's fresh checkout of it, the event files GitHub writes.
enum CIFixture {
  static let branch = "feature/export-invoices-as-csv"

  /// The variables that would make octo-git think it runs in CI, all cleared (the tests may themselves run
  /// in a CI job).
  static let outsideCI: [String: String] = [
    "GITHUB_ACTIONS": "", "CI": "", "GITHUB_EVENT_NAME": "", "GITHUB_EVENT_PATH": "", "GITHUB_REPOSITORY": "",
    "GITHUB_API_URL": "", "GITHUB_SERVER_URL": "", "GITHUB_TOKEN": "", "GH_TOKEN": "", "GH_REPO": "",
  ]

  /// A GitHub Actions job's environment for an `event` event whose file is at `eventPath`.
  static func actions(
    _ server: ScriptedHTTPServer, event: String, eventPath: String, token: String = "ghs_job-token-42"
  )
    -> [String: String]
  {
    [
      "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": eventPath,
      "GITHUB_REPOSITORY": "acme/shop", "GITHUB_API_URL": server.baseURL, "GITHUB_SERVER_URL": "https://github.com",
      "GITHUB_TOKEN": token, "GH_TOKEN": "", "GH_REPO": "",
    ]
  }

  /// A developer's clone: a bare remote, octo-git installed, the feature branch with two commits that
  /// carry usage (claude-sonnet-4-5: $0.033, then $0.015), the first made by `feature pass`; branch and
  /// notes pushed.
  static func developer() throws -> TestRepository {
    let fixture = try TestRepository()
    try fixture.addBareOrigin()
    try fixture.git("push", "-q", "origin", "main")
    try fixture.octo("install")
    try fixture.octo("feature", "start", "Export invoices as CSV")
    try fixture.write("Sources/Billing/Export.swift", "// export\n")
    try fixture.octo(
      "usage", "record", "--model", "claude-sonnet-4-5", "--in", "1000", "--out", "2000", "--agent", "claude-code")
    try fixture.octo("feature", "pass", "--test", "true")
    try fixture.write("Sources/Billing/Parser.swift", "// parser\n")
    try fixture.octo(
      "usage", "record", "--model", "claude-sonnet-4-5", "--in", "0", "--out", "1000", "--agent", "claude-code")
    try fixture.commitAll("fix(parser): accept empty lines")
    try fixture.git("push", "-q", "origin", branch)
    try fixture.octo("notes", "sync")
    return fixture
  }

  /// A runner's checkout, as actions/checkout leaves it for a pull request: a fresh clone (no notes, no
  /// git identity), detached at the merge of the branch into main.
  static func runner(_ fixture: TestRepository) throws -> String {
    let runner = fixture.root + "/runner"
    try fixture.git("clone", "-q", fixture.root + "/remote.git", runner, in: fixture.root)
    try fixture.git("checkout", "-q", "--detach", "origin/main", in: runner)
    try fixture.git(
      "-c", "user.name=runner", "-c", "user.email=runner@example.com", "merge", "-q", "--no-ff", "--no-edit",
      "origin/" + branch, in: runner)
    return runner
  }

  /// The `pull_request` event file GitHub writes when new commits reach a pull request.
  static func synchronize(number: Int, head: String, base: String, before: String) -> String {
    """
    {"action":"synchronize","number":\(number),"before":"\(before)","after":"\(head)",
     "pull_request":{"url":"https://api.github.com/repos/acme/shop/pulls/\(number)","id":1987654321,
      "html_url":"https://github.com/acme/shop/pull/\(number)","number":\(number),"state":"open","locked":false,
      "title":"Export invoices as CSV","user":{"login":"dev","id":7,"type":"User"},"body":null,
      "draft":false,"merged":false,"merge_commit_sha":null,"commits":2,"additions":2,"deletions":0,
      "head":{"label":"acme:\(branch)","ref":"\(branch)","sha":"\(head)","repo":{"full_name":"acme/shop"}},
      "base":{"label":"acme:main","ref":"main","sha":"\(base)","repo":{"full_name":"acme/shop"}}},
     "repository":{"id":42424242,"full_name":"acme/shop","private":true,"default_branch":"main"},
     "sender":{"login":"dev","id":7,"type":"User"}}
    """
  }

  /// The `push` event file GitHub writes when `ref` moves from `before` to `after`.
  static func push(before: String, after: String, commits: [String]) -> String {
    let listed = commits.map {
      #"{"id":"\#($0)","tree_id":"\#($0)","distinct":true,"message":"merged","author":{"name":"dev"}}"#
    }
    return """
      {"ref":"refs/heads/main","before":"\(before)","after":"\(after)","created":false,"deleted":false,"forced":false,
       "base_ref":null,"compare":"https://github.com/acme/shop/compare/x...y",\
      "commits":[\(listed.joined(separator: ","))],
       "head_commit":{"id":"\(after)"},"pusher":{"name":"dev"},
       "repository":{"id":42424242,"full_name":"acme/shop","default_branch":"main"},"sender":{"login":"dev"}}
      """
  }

  static func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }
}
