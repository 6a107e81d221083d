import Foundation
import Testing

@testable import OctoGit

@Suite("pr comment: the pull request's cost in one comment, and the budget check")
struct PullRequestCommentTests {
  @Test(
    """
    in a pull_request job: notes fetched, comments read over two \
    pages, one comment posted; the next run updates it in place
    """
  )
  func stickyComment() throws {
    let fixture = try CIFixture.developer()
    let runner = try CIFixture.runner(fixture)
    let base = try fixture.git("rev-parse", "main")
    let firstHead = try fixture.git("rev-parse", "HEAD")
    let ours =
      #"{"id":9001,"body":"<!-- octo-git:cost -->\n### AI cost","#
      + #""html_url":"https://github.com/acme/shop/pull/42#issuecomment-9001"}"#
    let firstPage = ScriptedHTTPServer.Answer(
      status: 200,
      body: #"[{"id":1,"body":"Looks good","html_url":"https://github.com/acme/shop/pull/42#issuecomment-1"}]"#,
      headers: [
        "Link":
          #"</repos/acme/shop/issues/42/comments?per_page=100&page=2>; rel="next", "#
          + #"</repos/acme/shop/issues/42/comments?per_page=100&page=2>; rel="last""#
      ])
    let server = try ScriptedHTTPServer(answers: [
      firstPage,
      .init(status: 200, body: #"[{"id":2,"body":"Mentions <!-- octo-git:cost --> in passing","html_url":"x"}]"#),
      .init(status: 201, body: ours),
      firstPage,
      .init(
        status: 200,
        body: "[" + #"{"id":2,"body":"Mentions <!-- octo-git:cost --> in passing","html_url":"x"}"# + "," + ours + "]"),
      .init(status: 200, body: ours),
    ])
    let event = fixture.root + "/event.json"
    try CIFixture.write(CIFixture.synchronize(number: 42, head: firstHead, base: base, before: base), to: event)
    let environment = CIFixture.actions(server, event: "pull_request", eventPath: event)
    #expect(try fixture.git("notes", "--ref=octo/usage", "list", in: runner).isEmpty)

    let first = try OctoGitBinary.run(["pr", "comment"], in: runner, home: fixture.home, environment: environment)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(
      first.stdout
        == "created the cost comment on pull request #42: https://github.com/acme/shop/pull/42#issuecomment-9001\n")
    #expect(!(try fixture.git("notes", "--ref=octo/usage", "list", in: runner)).isEmpty)

    // New commits reach the pull request (one with markup in its subject); GitHub sends synchronize again.
    try fixture.octo(
      "usage", "record", "--model", "claude-sonnet-4-5", "--in", "100", "--out", "100", "--agent", "claude-code")
    try fixture.commitAll("docs: explain <b>bold</b> | pipes")
    try fixture.git("push", "-q", "origin", CIFixture.branch)
    try fixture.octo("notes", "sync")
    let secondHead = try fixture.git("rev-parse", "HEAD")
    try fixture.git("fetch", "-q", "origin", in: runner)
    try CIFixture.write(CIFixture.synchronize(number: 42, head: secondHead, base: base, before: firstHead), to: event)
    let second = try OctoGitBinary.run(["pr", "comment"], in: runner, home: fixture.home, environment: environment)
    #expect(second.status == 0, "\(second.stderr)")
    #expect(second.stdout.hasPrefix("updated the cost comment on pull request #42"))

    let requests = try server.requests()
    #expect(
      requests.map { "\($0.method) \($0.path)" } == [
        "GET /repos/acme/shop/issues/42/comments?per_page=100",
        "GET /repos/acme/shop/issues/42/comments?per_page=100&page=2",
        "POST /repos/acme/shop/issues/42/comments",
        "GET /repos/acme/shop/issues/42/comments?per_page=100",
        "GET /repos/acme/shop/issues/42/comments?per_page=100&page=2",
        "PATCH /repos/acme/shop/issues/comments/9001",
      ])
    for request in requests {
      #expect(request.headers["authorization"] == "Bearer ghs_job-token-42")
    }
    for output in [first.stdout, first.stderr, second.stdout, second.stderr] {
      #expect(!output.contains("ghs_job-token-42"))
    }

    let posted = try #require(try CanonicalJSON.parse(requests[2].body)["body"]?.stringValue)
    #expect(posted.hasPrefix("<!-- octo-git:cost -->\n"))
    #expect(posted.contains("**$0.05** for 2 request(s) and 4,000 tokens on 2 commit(s)."))
    #expect(posted.contains("| claude-sonnet-4-5 | 2 | 4,000 | $0.05 |"))
    #expect(posted.contains("| claude-code | 2 | 4,000 | $0.05 |"))
    #expect(posted.contains("| `\(firstHead.prefix(7))` | fix(parser): accept empty lines | 1 | 1,000 | $0.02 |"))
    #expect(posted.contains("| true | passed |"))
    let patched = try #require(try CanonicalJSON.parse(requests[5].body)["body"]?.stringValue)
    #expect(patched.hasPrefix("<!-- octo-git:cost -->\n"))
    #expect(patched.contains("on 3 commit(s)") && patched.contains("up to \(secondHead.prefix(7))"))
    // The subject reaches Markdown escaped: no HTML, no table cell broken.
    #expect(patched.contains("docs: explain \\<b\\>bold\\</b\\> \\| pipes"))
    #expect(!patched.contains("<b>"))
  }

  @Test("the budget: from 80% a warning; over it the comment says so and the command fails with one line")
  func budgetGate() throws {
    let fixture = try CIFixture.developer()
    let environment = CIFixture.outsideCI

    // A dry run needs no GitHub: the branch against its base, 96% of $0.05 spent.
    let dry = try OctoGitBinary.run(
      ["pr", "comment", "--dry-run", "--budget", "0.05"], in: fixture.path, home: fixture.home, environment: environment
    )
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout.hasPrefix("<!-- octo-git:cost -->\n"))
    #expect(dry.stdout.contains("> [!WARNING]\n> 96% of the budget used: $0.048 of $0.05."))
    #expect(dry.stderr == "octo-git: warning: the pull request has used 96% of its budget: $0.048 of $0.05\n")

    try fixture.git("config", "octo.githubRepo", "acme/shop")
    try fixture.git("config", "octo.budget.pr", "0.04")
    let head = try fixture.git("rev-parse", "HEAD")
    let base = try fixture.git("rev-parse", "main")
    let server = try ScriptedHTTPServer(answers: [
      .init(
        status: 200,
        body:
          #"[{"number":42,"html_url":"https://github.com/acme/shop/pull/42","state":"open","#
          + #""head":{"ref":"\#(CIFixture.branch)","sha":"\#(head)"},"base":{"ref":"main","sha":"\#(base)"}}]"#
      ),
      .init(status: 200, body: "[]"),
      .init(
        status: 201, body: #"{"id":77,"body":"x","html_url":"https://github.com/acme/shop/pull/42#issuecomment-77"}"#),
    ])
    try fixture.git("config", "octo.githubApiUrl", server.baseURL)
    var withToken = environment
    withToken["GH_TOKEN"] = "t0ken"
    let over = try OctoGitBinary.run(["pr", "comment"], in: fixture.path, home: fixture.home, environment: withToken)
    #expect(over.status == ExitStatus.failure.rawValue)
    #expect(
      over.stdout
        == "created the cost comment on pull request #42: https://github.com/acme/shop/pull/42#issuecomment-77\n")
    #expect(over.stderr == "octo-git: pull request #42 is over its budget: it cost $0.05, the budget is $0.04 (120%)\n")
    let requests = try server.requests()
    #expect(
      requests.map { "\($0.method) \($0.path)" } == [
        "GET /repos/acme/shop/pulls?state=open&head=acme%3Afeature%2Fexport-invoices-as-csv",
        "GET /repos/acme/shop/issues/42/comments?per_page=100",
        "POST /repos/acme/shop/issues/42/comments",
      ])
    let posted = try #require(try CanonicalJSON.parse(requests[2].body)["body"]?.stringValue)
    #expect(posted.contains("> [!CAUTION]\n> **Over budget:** $0.05 spent, the budget is $0.04 (120%)."))

    // --budget wins over octo.budget.pr; a bad amount is a usage error before anything is sent.
    let bad = try OctoGitBinary.run(
      ["pr", "comment", "--budget", "lots"], in: fixture.path, home: fixture.home, environment: withToken)
    #expect(bad.status == ExitStatus.usage.rawValue && bad.stderr.split(separator: "\n").count == 1)
    #expect(try server.requests().count == 3)
  }

  @Test("a line added on a later commit to lower an event's cost changes nothing: pr comment, usage and rollup agree")
  func cheaperCopyIgnored() throws {
    let fixture = try CIFixture.developer()
    let environment = CIFixture.outsideCI
    func dryRun() throws -> String {
      let result = try OctoGitBinary.run(
        ["pr", "comment", "--dry-run", "--budget", "0.05"], in: fixture.path, home: fixture.home,
        environment: environment)
      #expect(result.status == 0, "\(result.stderr)")
      return result.stdout
    }
    func totals() throws -> (usage: String?, rollup: String?) {
      let usage = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "model", "--json"))
      let rollup = try CanonicalJSON.parse(try fixture.octo("rollup", "--by", "model", "--json"))
      return (usage["total"]?["cost"]?.decimalValue?.description, rollup["total"]?["cost"]?.decimalValue?.description)
    }
    try fixture.octo("repos", "add")
    let before = try dryRun()
    #expect(before.contains("$0.048"))
    let (usageBefore, rollupBefore) = try totals()
    #expect(usageBefore == "0.048" && rollupBefore == "0.048")

    // Every event of the branch again, on a newer commit, with no output and no cost.
    var zeroed: [String] = []
    for commit in try fixture.git("rev-list", "main.." + CIFixture.branch).split(separator: "\n") {
      guard let text = try? fixture.git("notes", "--ref=octo/usage", "show", String(commit)) else { continue }
      for event in UsageNote.events(in: text).events {
        zeroed.append(
          #"{"at":"2026-11-01T10:00:00.000Z","cost":0,"id":"\#(event.id)","in":0,"model":"\#(event.model)","#
            + #""out":0,"v":1}"#)
      }
    }
    #expect(zeroed.count == 2)
    try fixture.write("later.txt", "later\n")
    try fixture.commitAll("chore: later")
    try fixture.git("notes", "--ref=octo/usage", "add", "-f", "-m", zeroed.joined(separator: "\n"), "HEAD")
    #expect(try dryRun().contains("$0.048"))
    let (usageAfter, rollupAfter) = try totals()
    #expect(usageAfter == "0.048" && rollupAfter == "0.048")
  }

  @Test("an event on two commits counts on the one usage --by commit names: newest by commit time, then id")
  func equalCopiesByCommitTime() throws {
    let fixture = try CIFixture.developer()
    let first = try fixture.git("rev-list", "--reverse", "main.." + CIFixture.branch).split(separator: "\n")[0]
    let text = try fixture.git("notes", "--ref=octo/usage", "show", String(first))
    // The same lines again on a commit made after it in the history but dated before it.
    try fixture.write("copy.txt", "copy\n")
    try fixture.git("add", "copy.txt")
    try fixture.git(
      "commit", "-q", "-m", "chore: copy", environment: ["GIT_COMMITTER_DATE": "2001-01-01T00:00:00Z"])
    try fixture.git("notes", "--ref=octo/usage", "add", "-f", "-m", text, "HEAD")
    let copy = try fixture.git("rev-parse", "--short=7", "HEAD")
    let byCommit = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "commit", "--json"))
    let charged = (byCommit["rows"]?.arrayValue ?? []).compactMap { $0["key"]?.stringValue }
    #expect(!charged.contains { $0.hasPrefix(copy) }, "\(charged)")
    let result = try OctoGitBinary.run(
      ["pr", "comment", "--dry-run"], in: fixture.path, home: fixture.home, environment: CIFixture.outsideCI)
    let row = result.stdout.split(separator: "\n").first { $0.contains(copy) }.map(String.init) ?? ""
    #expect(row.isEmpty || !row.contains("$0.0"), "\(result.stdout)")
  }

  @Test("the sticky comment is the token's own: a marker in someone else's comment is never edited")
  func stickyCommentOwner() {
    typealias Comment = GitHubClient.IssueComment
    let marker = PullRequestComment.marker
    let attacker = Comment(id: 1, body: marker + "\n$0.00", url: "", author: "attacker")
    let spaced = Comment(id: 2, body: "  " + marker + "\nx", url: "", author: "github-actions[bot]", authorIsBot: true)
    let bot = Comment(id: 3, body: marker + "\nours", url: "", author: "github-actions[bot]", authorIsBot: true)
    let mine = Comment(id: 4, body: marker + "\nmine", url: "", author: "dev")
    var asked = 0
    func viewer(_ login: String?) -> () -> String? {
      {
        asked += 1
        return login
      }
    }
    // GitHub Actions' token cannot read /user: a bot's marked comment.
    #expect(PullRequestComment.sticky(among: [attacker, spaced, bot], viewer: viewer(nil))?.id == 3)
    // A person's token: that person's comment, never the attacker's, nor a bot's.
    #expect(PullRequestComment.sticky(among: [attacker, bot, mine], viewer: viewer("dev"))?.id == 4)
    #expect(PullRequestComment.sticky(among: [attacker], viewer: viewer("dev")) == nil)
    #expect(PullRequestComment.sticky(among: [attacker], viewer: viewer(nil)) == nil)
    // In GitHub Actions, its own bot's comment before another app's; else the newest bot's (the last run's),
    // so that a run never adds a second comment.
    let other = Comment(id: 5, body: marker + "\nother tool", url: "", author: "other-app[bot]", authorIsBot: true)
    let actions = PullRequestComment.actionsBot
    #expect(PullRequestComment.sticky(among: [other, bot], viewer: viewer(nil), actionsBot: actions)?.id == 3)
    #expect(PullRequestComment.sticky(among: [bot, other], viewer: viewer(nil), actionsBot: actions)?.id == 3)
    #expect(PullRequestComment.sticky(among: [bot, other], viewer: viewer(nil))?.id == 5)
    #expect(PullRequestComment.sticky(among: [other, attacker], viewer: viewer(nil), actionsBot: actions)?.id == 5)
    // Nothing marked: the token's login is not asked for.
    asked = 0
    #expect(
      PullRequestComment.sticky(among: [Comment(id: 9, body: "hi", url: "", author: "x")], viewer: viewer("dev")) == nil
    )
    #expect(asked == 0)
  }

  @Test("GitHub's failures in one line about what was asked: a 502 read is tried again, a 404 names the number")
  func gitHubFailures() throws {
    let server = try ScriptedHTTPServer(answers: [
      .init(status: 502, body: "<html>bad gateway</html>"),
      .init(status: 200, body: "[]"),
      .init(status: 404, body: #"{"message":"Not Found"}"#),
      .init(status: 503, body: "{}"), .init(status: 503, body: "{}"), .init(status: 503, body: "{}"),
      .init(status: 502, body: "{}"),
    ])
    let client = GitHubClient(
      repository: GitHubRepository(host: "github.com", owner: "acme", name: "shop", apiBase: server.baseURL),
      token: "t0ken", maximumWait: 10, sleep: { _ in })
    #expect(try client.comments(onIssue: 7).isEmpty)
    #expect {
      try client.comments(onIssue: 8)
    } throws: { error in
      "\(error)".contains("does not know pull request #8 of acme/shop (404)")
    }
    #expect {
      try client.comments(onIssue: 9)
    } throws: { error in
      "\(error)".contains("GitHub failed (503)") && !"\(error)".contains("t0ken")
    }
    // A POST is never sent twice.
    #expect(throws: OctoError.self) { try client.createComment(onIssue: 9, body: "x") }
    #expect(try server.requests().count == 7)
    #expect(GitHubClient.number(in: "https://api.github.com/repos/a/b/pulls/42?x=1") == 42)
    #expect(GitHubClient.number(in: "") == nil)
    #expect(
      RedactedURL.of("https://me:s3cret@ghe.example.com/api/v3") == "https://ghe.example.com/api/v3")
  }

  @Test("a pull request whose head is not in the clone and whose commits GitHub does not list: an error, no comment")
  func headMissingNothingListed() throws {
    let fixture = try TestRepository()
    let server = try ScriptedHTTPServer(answers: [.init(status: 200, body: "[]")])
    let client = GitHubClient(
      repository: GitHubRepository(host: "github.com", owner: "acme", name: "shop", apiBase: server.baseURL),
      token: "t0ken", maximumWait: 10, sleep: { _ in })
    let absent = try #require(Oid(hex: String(repeating: "ab", count: 20)))
    let target = PullRequestComment.Target(
      number: 7, headRef: "feature/x", headSHA: absent, baseRef: "main", baseSHA: nil)
    #expect {
      try PullRequestComment(repository: try Repository.open(at: fixture.path)).commits(of: target, client: client)
    } throws: { error in
      "\(error)".contains("GitHub lists no commits of pull request #7") && "\(error)".contains(absent.abbreviated())
    }
  }

  @Test("a token without pull-requests: write: GitHub's 403 explained in one line")
  func forbidden() throws {
    let fixture = try CIFixture.developer()
    let runner = try CIFixture.runner(fixture)
    let server = try ScriptedHTTPServer(answers: [
      .init(status: 200, body: "[]"),
      .init(
        status: 403,
        body:
          #"""
          {"message":"Resource not accessible by integration",\#
          "documentation_url":"https://docs.github.com/rest/issues/comments#create-an-issue-comment",\#
          "status":"403"}
          """#
      ),
    ])
    let event = fixture.root + "/event.json"
    try CIFixture.write(
      CIFixture.synchronize(
        number: 42, head: try fixture.git("rev-parse", "HEAD"), base: try fixture.git("rev-parse", "main"),
        before: try fixture.git("rev-parse", "main")), to: event)
    let result = try OctoGitBinary.run(
      ["pr", "comment"], in: runner, home: fixture.home,
      environment: CIFixture.actions(server, event: "pull_request", eventPath: event, token: "ghs_readonly"))
    #expect(result.status == ExitStatus.unavailable.rawValue)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.split(separator: "\n").count == 1)
    #expect(
      result.stderr.contains(
        "cannot comment on pull request #42: GitHub forbids this (403: Resource not accessible by integration)"))
    #expect(result.stderr.contains("permissions: pull-requests: write"))
    #expect(!result.stderr.contains("ghs_readonly"))
  }

  @Test("event files as GitHub writes them; Link headers; budget levels")
  func parsing() throws {
    let head = String(repeating: "a", count: 40)
    let base = String(repeating: "b", count: 40)
    let event = try GitHubActionsEvent.parse(
      CIFixture.synchronize(number: 7, head: head, base: base, before: base), name: "pull_request")
    guard case .pullRequest(let pull) = event else {
      Issue.record("not a pull request event: \(event)")
      return
    }
    #expect(
      pull.number == 7 && pull.action == "synchronize" && pull.headRef == CIFixture.branch && pull.baseRef == "main")
    #expect(pull.headSHA.hex == head && pull.baseSHA?.hex == base)

    let push = try GitHubActionsEvent.parse(
      CIFixture.push(before: String(repeating: "0", count: 40), after: head, commits: [base, head]), name: "push")
    guard case .push(let pushed) = push else {
      Issue.record("not a push event: \(push)")
      return
    }
    #expect(pushed.branch == "main" && pushed.before == nil && pushed.after?.hex == head)
    #expect(pushed.commits.map(\.hex) == [base, head])
    #expect(try GitHubActionsEvent.parse("{}", name: "workflow_dispatch") == .other("workflow_dispatch"))
    #expect(throws: OctoError.self) {
      try GitHubActionsEvent.parse(#"{"pull_request":{"number":1}}"#, name: "pull_request")
    }
    #expect(throws: OctoError.self) { try GitHubActionsEvent.parse("not json", name: "push") }

    let api = "https://api.github.com"
    #expect(
      try GitHubClient.nextPage(
        #"<https://api.github.com/repositories/1/issues/2/comments?page=2>; rel="next", "#
          + #"<https://api.github.com/repositories/1/issues/2/comments?page=5>; rel="last""#,
        apiBase: api) == "https://api.github.com/repositories/1/issues/2/comments?page=2")
    #expect(try GitHubClient.nextPage(#"<https://api.github.com/x?page=1>; rel="prev""#, apiBase: api) == nil)
    #expect(try GitHubClient.nextPage(nil, apiBase: api) == nil)
    #expect(
      try GitHubClient.nextPage(#"</api/v3/x?page=2>; rel="next""#, apiBase: "https://ghe.example.com/api/v3")
        == "https://ghe.example.com/api/v3/x?page=2")
    // The token goes with every page: a next page elsewhere is refused.
    #expect(throws: OctoError.self) {
      try GitHubClient.nextPage(#"<https://evil.example/x>; rel="next""#, apiBase: api)
    }

    #expect(PullRequestComment.BudgetCheck(amount: 10, spent: 7.99).level == .within)
    #expect(PullRequestComment.BudgetCheck(amount: 10, spent: 8).level == .warning)
    #expect(PullRequestComment.BudgetCheck(amount: 10, spent: 10).level == .warning)
    #expect(PullRequestComment.BudgetCheck(amount: 10, spent: Decimal(string: "10.001")!).level == .over)
    let close = PullRequestComment.BudgetCheck(amount: 10, spent: Decimal(string: "10.001")!).shown
    #expect(close.spent == "$10.001" && close.amount == "$10.00")
    #expect(throws: OctoError.self) { try PullRequestComment.parseBudget("-5") }
    #expect(try PullRequestComment.parseBudget("$12.50") == Decimal(string: "12.5"))
  }
}
