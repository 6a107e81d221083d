import Foundation
import Testing

@testable import OctoGit

@Suite("Pull request descriptions and GitHub")
struct PullRequestTests {
  /// A repository with a bare remote and a feature branch of three commits (one a rename), a passing run,
  /// a checkpoint and usage.
  func featureRepository() throws -> TestRepository {
    let fixture = try TestRepository()
    try fixture.addBareOrigin()
    try fixture.git("push", "-q", "origin", "main")
    try fixture.octo("install")
    try fixture.write("docs/old-name.md", (1...40).map { "line \($0)" }.joined(separator: "\n") + "\n")
    try fixture.commitAll("docs: add a guide")
    try fixture.git("push", "-q", "origin", "main")
    try fixture.octo(
      "feature", "start", "Export invoices as CSV\n\nClients ask for a spreadsheet of each billing cycle.")
    try fixture.write("Sources/Billing/Export.swift", "// export\n")
    try fixture.octo(
      "usage", "record", "--model", "claude-sonnet-4-5", "--in", "1000", "--out", "2000", "--agent", "claude-code")
    try fixture.octo("feature", "pass", "--test", "true")
    try fixture.git("mv", "docs/old-name.md", "docs/export.md")
    try fixture.git("commit", "-q", "-m", "docs(export): rename the guide\n\nIt now covers the export.")
    try fixture.write("Sources/Billing/Parser.swift", "// parser\n")
    try fixture.octo("checkpoint", "-m", "before the parser fix")
    try fixture.git("add", "-A")
    try fixture.git("commit", "-q", "-m", "fix(parser): accept empty lines")
    return fixture
  }

  @Test("describe: title, summary, grouped commits, diffstat with renames, tests, checkpoints, cost, footer")
  func describe() throws {
    let fixture = try featureRepository()
    try fixture.write(".github/pull_request_template.md", "## Checklist\n- [ ] reviewed\n")
    let markdown = try fixture.octo("pr", "describe")
    #expect(markdown.hasPrefix("# Export invoices as CSV\n"))
    #expect(markdown.contains("Clients ask for a spreadsheet of each billing cycle."))
    #expect(markdown.contains("3 commits to merge into `main` (Features: 1, Fixes: 1, Documentation: 1)."))
    #expect(markdown.contains("### Features\n\n- **billing:** export invoices as CSV"))
    #expect(markdown.contains("### Fixes\n\n- **parser:** accept empty lines"))
    #expect(markdown.contains("> It now covers the export."))
    #expect(markdown.contains("`docs/export.md` (renamed from `docs/old-name.md`)"))
    #expect(markdown.contains("3 file(s) changed, 2 insertion(s)(+), 0 deletion(s)(-), 1 renamed."))
    #expect(markdown.contains("| `true` | passed |"))
    #expect(markdown.contains("before the parser fix"))
    #expect(markdown.contains("| claude-sonnet-4-5 | 1 | 3,000 | $0.03 |"))
    #expect(markdown.contains("## Checklist\n- [ ] reviewed"))
    let footer = try #require(markdown.split(separator: "\n").last { $0.hasPrefix("<!-- octo-git:v1 ") })
    let head = try fixture.git("rev-parse", "HEAD")
    #expect(footer.contains("\"headCommit\":\"\(head)\"") && footer.contains("\"feature\":\"export-invoices-as-csv\""))

    let data = try CanonicalJSON.parse(try fixture.octo("pr", "describe", "--format", "json"))
    #expect(try CanonicalJSON.parse(try fixture.octo("pr", "describe", "--json")) == data)
    #expect(data["title"]?.stringValue == "Export invoices as CSV" && data["base"]?.stringValue == "main")
    #expect(data["commits"]?.arrayValue?.map { $0["type"]?.stringValue } == ["feat", "docs", "fix"])
    #expect(data["cost"]?["cost"]?.decimalValue == Decimal(string: "0.033"))

    // A repository's own template replaces the built-in one.
    try fixture.write(
      ".octo/templates/pr.md.mustache", "{{%CONTENT_TYPE:TEXT}}\n{{title}} <{{base}}> {{commitCount}}\n")
    #expect(try fixture.octo("pr", "describe").contains("Export invoices as CSV <main> 3"))
  }

  @Test("describe keeps every section within GitHub's limit: thousands of conflicting paths, a huge summary")
  func hugeSections() throws {
    var context = PullRequestContext(
      title: "T", summary: String(repeating: "word ", count: 40_000), base: "main", head: "feature/x")
    context.conflicts = (0..<3000).map { "src/conflicting/path-\($0).swift" }
    context.usage.add(
      UsageEvent(id: "e", at: Date(), model: "gpt-5", tokens: TokenCounts(input: 1), cost: PicoDollars(cost: "5".utf8)))
    let template = try TemplateLimits.parse(
      try #require(DefaultFiles.content(of: PullRequestDescriber.templatePath)), name: "built-in")
    let body = try context.renderWithinLimit(template, limit: 65_536)
    #expect(
      body.contains("and 2980 more") && body.contains("## AI usage") && body.contains("## Changes"),
      "\(body.suffix(300))")
    #expect(!body.contains("cut to fit"))
    #expect(context.leftOut.contains("conflicting paths past the first 20"))
  }

  @Test("describe says how many of the branch's usage note lines could not be read (they are not in the cost)")
  func unreadableLines() throws {
    let fixture = try featureRepository()
    #expect(try CanonicalJSON.parse(try fixture.octo("pr", "describe", "--json"))["malformedLines"]?.intValue == 0)
    try fixture.git("notes", "--ref=octo/usage", "append", "-m", "{not json\n{\"id\":\"x\"}", "HEAD")
    let markdown = try fixture.octo("pr", "describe")
    #expect(markdown.contains("_2 usage note line(s) of these commits could not be read"), "\(markdown)")
    let data = try CanonicalJSON.parse(try fixture.octo("pr", "describe", "--json"))
    #expect(data["malformedLines"]?.intValue == 2 && data["cost"]?["cost"]?.decimalValue == Decimal(string: "0.033"))
  }

  @Test("describe leaves out a teammate's commits merged in from origin/main while the local main lags behind")
  func staleLocalBase() throws {
    let fixture = try CIFixture.developer()
    let mine = try fixture.git("rev-list", "--count", "main.." + CIFixture.branch)
    let before = try CanonicalJSON.parse(try fixture.octo("pr", "describe", "--json"))
    // A teammate pushes a commit with usage of its own to main.
    let teammate = fixture.root + "/teammate"
    try fixture.git("clone", "-q", "-b", "main", fixture.root + "/remote.git", teammate, in: fixture.root)
    try fixture.git("config", "user.email", "t@example.com", in: teammate)
    try fixture.git("config", "user.name", "T", in: teammate)
    try fixture.git("fetch", "-q", "origin", "refs/notes/*:refs/notes/*", in: teammate)
    try fixture.git("commit", "-q", "--allow-empty", "-m", "their work", in: teammate)
    try fixture.git(
      "notes", "--ref=octo/usage", "add", "-m",
      #"{"at":"2026-03-01T10:00:00.000Z","cost":1.79,"id":"theirs","in":1,"model":"m","out":1,"v":1}"#, "HEAD",
      in: teammate)
    try fixture.git("push", "-q", "origin", "main", "refs/notes/octo/usage", in: teammate)
    // The developer merges origin/main into the branch; the local main stays where it was.
    try fixture.git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*", "refs/notes/*:refs/notes/*")
    try fixture.git("merge", "-q", "--no-edit", "origin/main")
    let after = try CanonicalJSON.parse(try fixture.octo("pr", "describe", "--json"))
    // The branch's own commits and its merge commit, not the teammate's.
    let subjects = after["commits"]?.arrayValue?.compactMap {
      $0["subject"]?.stringValue ?? $0["description"]?.stringValue
    }
    #expect(
      after["commits"]?.arrayValue?.count == Int(mine)! + 1 && subjects?.contains("their work") == false, "\(after)")
    #expect(after["cost"]?["cost"]?.decimalValue == before["cost"]?["cost"]?.decimalValue, "\(after)")
    // pr comment counts the same commits.
    let head = try #require(Oid(hex: try fixture.git("rev-parse", "HEAD")))
    let target = PullRequestComment.Target(
      number: nil, headRef: CIFixture.branch, headSHA: head, baseRef: "main", baseSHA: nil)
    let commented = try PullRequestComment(repository: try Repository.open(at: fixture.path)).commits(
      of: target, client: nil)
    #expect(commented.count == Int(mine)! + 1 && !commented.contains { $0.subject == "their work" })
  }

  @Test(
    "describe warns, listing the paths, when the branch does not merge cleanly; a long branch fits 65,536 characters")
  func conflictsAndSize() throws {
    let fixture = try TestRepository()
    try fixture.write("shared.txt", "base\n")
    try fixture.commitAll("base")
    try fixture.git("switch", "-q", "-c", "topic/long-work")
    try fixture.write("shared.txt", "ours\n")
    try fixture.commitAll("feat: change shared")
    let longBody = String(repeating: "A long explanation that goes on. ", count: 60)
    for number in 1...150 {
      try fixture.write("file-\(number).txt", "\(number)\n")
      try fixture.git("add", "-A")
      try fixture.git("commit", "-q", "-m", "feat: step \(number)\n\n\(longBody)")
    }
    try fixture.git("switch", "-q", "main")
    try fixture.write("shared.txt", "theirs\n")
    try fixture.commitAll("fix: change shared too")
    try fixture.git("switch", "-q", "topic/long-work")
    let markdown = try fixture.octo("pr", "describe", "--base", "main")
    #expect(markdown.contains("This branch does not merge cleanly into `main`: 1 path(s) conflict."))
    #expect(markdown.contains("> - `shared.txt`"))
    #expect(markdown.hasPrefix("# Long work\n"))
    let body = String(markdown.dropFirst("# Long work\n\n".count))
    #expect(body.count <= PullRequestDescriber.bodyLimit)
    #expect(body.contains("left out to stay within GitHub's size limit: commit bodies"))
    #expect(body.contains("<!-- octo-git:v1 "))
  }

  @Test("describe on a branch of 820 commits leaves out only the older commits that do not fit")
  func manyCommits() throws {
    let fixture = try TestRepository()
    let base = try fixture.git("rev-parse", "HEAD")
    var stream = "reset refs/heads/topic/many\nfrom \(base)\n"
    let subject = "feat: " + String(repeating: "a step of the long work ", count: 6)
    for number in 1...820 {
      let message = "\(subject)\(number)"
      stream +=
        "commit refs/heads/topic/many\ncommitter T <t@example.com> \(1_790_000_000 + number) +0000\n"
        + "data \(message.utf8.count)\n\(message)\n"
    }
    try fixture.git("fast-import", "--quiet", input: stream)
    try fixture.git("switch", "-q", "topic/many")
    let body = try fixture.octo("pr", "describe", "--base", "main")
    let left = body.components(separatedBy: "…and ").dropFirst().first?.split(separator: " ").first
      .flatMap { Int($0) }
    // About 160 characters a commit: some 400 fit in 65,536, where halving kept 205 (410 did not fit).
    let description = String(body.drop { $0 != "\n" }.dropFirst(2))
    #expect(description.unicodeScalars.count <= PullRequestDescriber.bodyLimit)
    #expect((left ?? 820) < 500, "\(String(describing: left)) left out, \(body.unicodeScalars.count) characters")
  }

  @Test("create: pushes, finds no open pull request, opens one; the next run updates it; headers and body checked")
  func create() throws {
    let fixture = try featureRepository()
    try fixture.git("config", "octo.githubRepo", "acme/shop")
    let server = try ScriptedHTTPServer(answers: [
      .init(status: 200, body: "[]"),
      .init(status: 201, body: #"{"number":42,"html_url":"https://github.com/acme/shop/pull/42","draft":true}"#),
      .init(status: 200, body: #"[{"number":42,"html_url":"https://github.com/acme/shop/pull/42"}]"#),
      .init(status: 200, body: #"{"number":42,"html_url":"https://github.com/acme/shop/pull/42"}"#),
    ])
    try fixture.git("config", "octo.githubApiUrl", server.baseURL)
    let environment = ["GH_TOKEN": "secret-token-123"]
    let created = try OctoGitBinary.run(
      ["pr", "create", "--draft"], in: fixture.path, home: fixture.home, environment: environment)
    #expect(created.status == 0, "\(created.stderr)")
    #expect(created.stdout == "created pull request #42: https://github.com/acme/shop/pull/42\n")
    #expect(!created.stdout.contains("secret-token-123") && !created.stderr.contains("secret-token-123"))
    let remote = fixture.root + "/remote.git"
    #expect(
      try fixture.git("rev-parse", "refs/heads/feature/export-invoices-as-csv", in: remote)
        == (try fixture.git("rev-parse", "HEAD")))
    #expect(!(try fixture.git("notes", "--ref=octo/usage", "list", in: remote)).isEmpty)

    let updated = try OctoGitBinary.run(
      ["pr", "create"], in: fixture.path, home: fixture.home, environment: environment)
    #expect(updated.stdout == "updated pull request #42: https://github.com/acme/shop/pull/42\n", "\(updated.stderr)")

    let requests = try server.requests()
    #expect(
      requests.map { "\($0.method) \($0.path)" } == [
        "GET /repos/acme/shop/pulls?state=open&head=acme%3Afeature%2Fexport-invoices-as-csv",
        "POST /repos/acme/shop/pulls",
        "GET /repos/acme/shop/pulls?state=open&head=acme%3Afeature%2Fexport-invoices-as-csv",
        "PATCH /repos/acme/shop/pulls/42",
      ])
    for request in requests {
      #expect(request.headers["authorization"] == "Bearer secret-token-123")
      #expect(request.headers["accept"] == "application/vnd.github+json")
      #expect(request.headers["x-github-api-version"] == "2022-11-28")
      #expect(request.headers["user-agent"]?.hasPrefix("octo-git/") == true)
    }
    let posted = try CanonicalJSON.parse(requests[1].body)
    #expect(posted["title"]?.stringValue == "Export invoices as CSV")
    #expect(posted["head"]?.stringValue == "feature/export-invoices-as-csv" && posted["base"]?.stringValue == "main")
    #expect(posted["draft"]?.boolValue == true)
    #expect(posted["body"]?.stringValue?.contains("<!-- octo-git:v1 ") == true)
    let patched = try CanonicalJSON.parse(requests[3].body)
    #expect(patched["body"] == posted["body"] && patched["title"] == posted["title"])
  }

  @Test("create: clear messages for 401, 403, 404, 422 and rate limits; Retry-After honoured; no token, no call")
  func failures() throws {
    let fixture = try featureRepository()
    try fixture.git("config", "octo.githubRepo", "acme/shop")
    let noToken = try OctoGitBinary.run(
      ["pr", "create"], in: fixture.path, home: fixture.home, environment: ["GH_TOKEN": "", "GITHUB_TOKEN": ""])
    #expect(
      noToken.status == ExitStatus.unavailable.rawValue && noToken.stderr.contains("no GitHub token for github.com"))

    let cases: [(ScriptedHTTPServer.Answer, String)] = [
      (.init(status: 401, body: #"{"message":"Bad credentials"}"#), "GitHub refused the token (401: Bad credentials)"),
      (.init(status: 403, body: #"{"message":"Resource not accessible by integration"}"#), "GitHub forbids this (403"),
      (.init(status: 404, body: #"{"message":"Not Found"}"#), "GitHub does not know acme/shop (404)"),
      (
        .init(
          status: 403, body: #"{"message":"API rate limit exceeded"}"#,
          headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1800000000"]),
        "GitHub's rate limit is used up until 2027-01-15"
      ),
      // A secondary rate limit asking to wait longer than octo-git waits: not a missing permission.
      (
        .init(
          status: 403, body: #"{"message":"You have exceeded a secondary rate limit."}"#,
          headers: ["Retry-After": "120", "X-RateLimit-Remaining": "4999"]),
        "GitHub asks to slow down (403: You have exceeded a secondary rate limit.); try again in 120 s"
      ),
    ]
    for (answer, expected) in cases {
      let server = try ScriptedHTTPServer(answers: [answer])
      try fixture.git("config", "octo.githubApiUrl", server.baseURL)
      let result = try OctoGitBinary.run(
        ["pr", "create"], in: fixture.path, home: fixture.home, environment: ["GH_TOKEN": "t0ken"])
      #expect(result.status != 0 && result.stderr.contains(expected), "\(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1 && !result.stderr.contains("t0ken"))
    }
    let unprocessable = try ScriptedHTTPServer(answers: [
      .init(status: 200, body: "[]"),
      .init(
        status: 422,
        body:
          #"{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","#
          + #""message":"No commits between main and feature/x"}]}"#
      ),
    ])
    try fixture.git("config", "octo.githubApiUrl", unprocessable.baseURL)
    let refused = try OctoGitBinary.run(
      ["pr", "create"], in: fixture.path, home: fixture.home, environment: ["GH_TOKEN": "t"])
    #expect(refused.stderr.contains("(422: Validation Failed: No commits between main and feature/x)"))
    #expect(refused.stderr.contains("the branch has nothing the base lacks"))

    let limited = try ScriptedHTTPServer(answers: [
      .init(status: 429, body: #"{"message":"slow down"}"#, headers: ["Retry-After": "1"]),
      .init(status: 200, body: "[]"),
      .init(status: 201, body: #"{"number":7,"html_url":"https://github.com/acme/shop/pull/7"}"#),
    ])
    try fixture.git("config", "octo.githubApiUrl", limited.baseURL)
    let retried = try OctoGitBinary.run(
      ["pr", "create"], in: fixture.path, home: fixture.home, environment: ["GH_TOKEN": "t"])
    #expect(retried.status == 0 && retried.stdout.contains("#7"), "\(retried.stderr)")
    #expect(try limited.requests().count == 3)

    let dry = try fixture.octo("pr", "create", "--dry-run")
    #expect(dry.contains("POST http") && dry.contains("# Export invoices as CSV"))
  }

  @Test("the GitHub repository and API of a remote: github.com, GHE.com, Enterprise Server")
  func remotes() throws {
    let fixture = try TestRepository()
    try fixture.git("remote", "add", "origin", "git@github.com:Acme/Shop.git")
    try fixture.git("remote", "add", "work", "ssh://git@ghe.example.com:2222/team/app.git")
    try fixture.git("remote", "add", "cloud", "https://acme.ghe.com/team/app")
    let repository = try fixture.open()
    let dotcom = try GitHubRepository.of(repository, remote: "origin")
    #expect(
      dotcom.apiBase == "https://api.github.com" && dotcom.owner == "Acme" && dotcom.name == "Shop"
        && !dotcom.isEnterprise)
    #expect(try dotcom.token(environment: ["GH_TOKEN": "first", "GITHUB_TOKEN": "second"]) == "first")
    #expect(try dotcom.token(environment: ["GITHUB_TOKEN": "second", "GH_ENTERPRISE_TOKEN": "x"]) == "second")
    let server = try GitHubRepository.of(repository, remote: "work")
    #expect(server.apiBase == "https://ghe.example.com/api/v3" && server.isEnterprise)
    #expect(try server.token(environment: ["GH_TOKEN": "dotcom", "GH_ENTERPRISE_TOKEN": "enterprise"]) == "enterprise")
    #expect(throws: OctoError.self) { try server.token(environment: ["GH_TOKEN": "dotcom"]) }
    #expect(try GitHubRepository.of(repository, remote: "cloud").apiBase == "https://api.acme.ghe.com")
    #expect(throws: OctoError.self) { try GitHubRepository.of(repository, remote: "nope") }
    #expect(GitHubRepository.parse(url: "git@github.com:Acme/Shop.git")! == ("github.com", "Acme", "Shop"))
    #expect(GitHubRepository.parse(url: "https://github.com/acme/shop")! == ("github.com", "acme", "shop"))
    #expect(
      GitHubRepository.parse(url: "ssh://git@ghe.example.com:2222/team/app.git")! == ("ghe.example.com", "team", "app"))
    #expect(GitHubRepository.parse(url: "/srv/git/app.git") == nil)
  }
}
