import Foundation
import Testing

@testable import OctoGit

@Suite("notes carry: usage onto the commits a squash or rebase merge made")
struct NotesCarryTests {
  /// The exact text of `commit`'s usage note in the repository at `directory` (a bare one too); `nil`
  /// when it has none.
  func note(_ commit: String, in directory: String, home: String) throws -> String? {
    let result = try Shell.run(Shell.git, ["notes", "--ref=octo/usage", "show", commit], in: directory, home: home)
    return result.status == 0 ? result.stdout : nil
  }

  func lines(_ text: String?) -> Set<String> {
    Set((text ?? "").split(separator: "\n").map(String.init))
  }

  /// A runner's checkout of main for a push job: a fresh clone, no notes, no git identity.
  func runner(_ fixture: TestRepository) throws -> String {
    let runner = fixture.root + "/runner"
    try fixture.git("clone", "-q", fixture.root + "/remote.git", runner, in: fixture.root)
    try fixture.git("checkout", "-q", "main", in: runner)
    return runner
  }

  /// GitHub's answer to `GET /repos/acme/shop/commits/{sha}/pulls` for a commit of merged pull request
  /// `number`.
  func merged(_ number: Int, mergeCommit: String, base: String) -> ScriptedHTTPServer.Answer {
    .init(
      status: 200,
      body:
        #"""
        [{"number":\#(number),"html_url":"https://github.com/acme/shop/pull/\#(number)","state":"closed",\#
        "merged_at":"2026-03-02T10:00:00Z","merge_commit_sha":"\#(mergeCommit)",\#
        "head":{"ref":"\#(CIFixture.branch)","sha":"\#(mergeCommit)"},"base":{"ref":"main","sha":"\#(base)"}}]
        """#
    )
  }

  /// The developer squash-merges the branch into main (as GitHub's "Squash and merge" does: one new
  /// commit, no notes) and pushes main. Returns main before the merge and the squash commit.
  func squashMerge(_ fixture: TestRepository) throws -> (before: String, squash: String) {
    try fixture.git("switch", "-q", "main")
    let before = try fixture.git("rev-parse", "HEAD")
    try fixture.git("merge", "-q", "--squash", CIFixture.branch)
    try fixture.git("commit", "-q", "-m", "Export invoices as CSV (#7)")
    let squash = try fixture.git("rev-parse", "HEAD")
    try fixture.git("push", "-q", "origin", "main")
    return (before, squash)
  }

  @Test(
    "a squash merge: in the push job every line of the pull request's commits lands on the squash commit, byte for byte"
  )
  func squash() throws {
    let fixture = try CIFixture.developer()
    let olds = try fixture.git("rev-list", "--reverse", "main.." + CIFixture.branch).split(separator: "\n").map(
      String.init)
    #expect(olds.count == 2)
    let (before, squash) = try squashMerge(fixture)
    let remote = fixture.root + "/remote.git"
    #expect(try note(squash, in: remote, home: fixture.home) == nil)
    let runner = try runner(fixture)
    let server = try ScriptedHTTPServer(answers: [
      merged(7, mergeCommit: squash, base: before),
      .init(
        status: 200, body: #"[{"sha":"\#(olds[0])","commit":{"message":"feat: export"}}]"#,
        headers: ["Link": #"</repos/acme/shop/pulls/7/commits?per_page=100&page=2>; rel="next""#]),
      .init(status: 200, body: #"[{"sha":"\#(olds[1])","commit":{"message":"fix(parser): accept empty lines"}}]"#),
    ])
    let event = fixture.root + "/push.json"
    try CIFixture.write(CIFixture.push(before: before, after: squash, commits: [squash]), to: event)
    let environment = CIFixture.actions(server, event: "push", eventPath: event)
    let result = try OctoGitBinary.run(
      ["notes", "carry", "--json"], in: runner, home: fixture.home, environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    let outcome = try CanonicalJSON.parse(result.stdout)
    let carried = try #require(outcome["carried"]?.arrayValue)
    #expect(carried.count == 1)
    #expect(carried.first?["commit"]?.stringValue == squash && carried.first?["mode"]?.stringValue == "squash")
    #expect(carried.first?["from"]?.arrayValue?.compactMap(\.stringValue) == olds)
    #expect(carried.first?["pullRequest"]?.intValue == 7 && carried.first?["lines"]?.intValue == 2)
    #expect(outcome["pushed"]?.arrayValue?.contains(.string("refs/notes/octo/usage")) == true)
    #expect(outcome["attempts"]?.intValue == 1)
    #expect(
      try server.requests().map { "\($0.method) \($0.path)" } == [
        "GET /repos/acme/shop/commits/\(squash)/pulls",
        "GET /repos/acme/shop/pulls/7/commits?per_page=100",
        "GET /repos/acme/shop/pulls/7/commits?per_page=100&page=2",
      ])

    // The git CLI as witness, on the remote: the squash commit holds the old lines byte for byte.
    let carriedNote = try note(squash, in: remote, home: fixture.home)
    let oldLines = try olds.map { try #require(try note($0, in: fixture.path, home: fixture.home)) }
    #expect(lines(carriedNote) == lines(oldLines.joined()))
    #expect(lines(carriedNote).count == 2)
    // A runner has no git identity: the notes commit is the Actions bot's.
    #expect(
      try fixture.git("log", "-1", "--format=%an <%ae>", "refs/notes/octo/usage", in: runner)
        == "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>")

    // The job running again (a re-run) asks GitHub nothing more and adds nothing: the commit has usage now.
    let again = try OctoGitBinary.run(["notes", "carry"], in: runner, home: fixture.home, environment: environment)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try server.requests().count == 3)
    #expect(try note(squash, in: remote, home: fixture.home) == carriedNote)

    // Reports count each event once: the ids are the old ones.
    try fixture.git("pull", "-q", "origin", "main")
    try fixture.octo("notes", "sync")
    let report = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "model", "--json"))
    #expect(report["total"]?["events"]?.intValue == 2, "\(report)")
  }

  @Test(
    """
    a rebase merge: each commit's usage onto the rebased commit with its \
    patch id (one lookup for the pull request); a direct commit left alone
    """
  )
  func rebase() throws {
    let fixture = try CIFixture.developer()
    let olds = try fixture.git("rev-list", "--reverse", "main.." + CIFixture.branch).split(separator: "\n").map(
      String.init)
    try fixture.git("switch", "-q", "main")
    let before = try fixture.git("rev-parse", "HEAD")
    // Someone pushed to main meanwhile, so the rebased commits differ from the branch's.
    try fixture.write("CHANGELOG.md", "- other work\n")
    let direct = try fixture.commitAll("chore: other work")
    // GitHub's "Rebase and merge": the same changes replayed, no notes (no hooks run).
    try fixture.git("-c", "core.hooksPath=/dev/null", "cherry-pick", olds[0], olds[1])
    let rebased = try fixture.git("rev-list", "--reverse", direct + "..HEAD").split(separator: "\n").map(String.init)
    #expect(rebased.count == 2 && Set(rebased).isDisjoint(with: olds))
    try fixture.git("push", "-q", "origin", "main")
    let runner = try runner(fixture)
    let server = try ScriptedHTTPServer(answers: [
      .init(status: 200, body: "[]"),
      merged(8, mergeCommit: rebased[1], base: before),
      // Listed newest first here, so that pairing by order would be wrong: only patch ids pair them right.
      .init(
        status: 200,
        body: #"[{"sha":"\#(olds[1])","commit":{"message":"b"}},{"sha":"\#(olds[0])","commit":{"message":"a"}}]"#),
    ])
    let event = fixture.root + "/push.json"
    try CIFixture.write(CIFixture.push(before: before, after: rebased[1], commits: [direct] + rebased), to: event)
    let result = try OctoGitBinary.run(
      ["notes", "carry", "--json"], in: runner, home: fixture.home,
      environment: CIFixture.actions(server, event: "push", eventPath: event))
    #expect(result.status == 0, "\(result.stderr)")
    let carried = try #require(try CanonicalJSON.parse(result.stdout)["carried"]?.arrayValue)
    #expect(carried.map { $0["commit"]?.stringValue } == rebased)
    #expect(carried.map { $0["from"]?.arrayValue?.first?.stringValue } == olds)
    #expect(carried.allSatisfy { $0["mode"]?.stringValue == "rebase" })
    #expect(
      try server.requests().map { "\($0.method) \($0.path)" } == [
        "GET /repos/acme/shop/commits/\(direct)/pulls",
        "GET /repos/acme/shop/commits/\(rebased[0])/pulls",
        "GET /repos/acme/shop/pulls/8/commits?per_page=100",
        // The second rebased commit is matched by patch id: GitHub is not asked about it.
      ])
    let remote = fixture.root + "/remote.git"
    for (old, new) in zip(olds, rebased) {
      let oldNote = try #require(try note(old, in: fixture.path, home: fixture.home))
      #expect(try note(new, in: remote, home: fixture.home) == oldNote)
    }
    #expect(try note(direct, in: remote, home: fixture.home) == nil)
  }

  @Test("a pull request of more commits than GitHub lists (250): its commits are walked from its base to its head")
  func longPullRequest() throws {
    let fixture = try CIFixture.developer()
    try fixture.git("switch", "-q", "main")
    let base = try fixture.git("rev-parse", "HEAD")
    let notesTip = try fixture.git("rev-parse", "refs/notes/octo/usage")
    // 300 commits on a branch, each with a usage note of its own (one fast-import: quick).
    var script = ""
    for number in 1...300 {
      script += "commit refs/heads/long\nmark :\(number)\ncommitter T <t@example.com> \(1_772_000_000 + number) +0000\n"
      script += "data 8\nstep \(String(format: "%03d", number))\n" + (number == 1 ? "from \(base)\n" : "") + "\n"
    }
    script +=
      "commit refs/notes/octo/usage\ncommitter T <t@example.com> 1772001000 +0000\ndata 5\nnotes\nfrom \(notesTip)\n"
    for number in 1...300 {
      let line =
        #"{"at":"2026-03-01T10:00:00.000Z","cost":0.01,"id":"long-\#(number)","in":1,"model":"m","out":1,"v":1}"#
      script += "N inline :\(number)\ndata \(line.utf8.count)\n\(line)\n"
    }
    try fixture.git("fast-import", "--quiet", input: script + "\n")
    let head = try fixture.git("rev-parse", "long")
    let olds = try fixture.git("rev-list", "--reverse", "\(base)..long").split(separator: "\n").map(String.init)
    #expect(olds.count == 300)
    // GitHub answers with its first 250 commits only.
    let listed = olds.prefix(250).map { #"{"sha":"\#($0)","commit":{"message":"step"}}"# }.joined(separator: ",")
    let server = try ScriptedHTTPServer(answers: [
      .init(
        status: 200,
        body: #"{"number":9,"html_url":"https://github.com/acme/shop/pull/9","state":"closed","merged_at":"#
          + #""2026-03-02T10:00:00Z","merge_commit_sha":"\#(head)","head":{"ref":"long","sha":"\#(head)"},"#
          + #""base":{"ref":"main","sha":"\#(base)"}}"#),
      .init(status: 200, body: "[" + listed + "]"),
    ])
    let environment = CIFixture.actions(server, event: "workflow_dispatch", eventPath: "")
    let result = try OctoGitBinary.run(
      ["notes", "carry", "--pr", "9", "--onto", base, "--dry-run", "--json"], in: fixture.path, home: fixture.home,
      environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    let carried = try CanonicalJSON.parse(result.stdout)["carried"]?.arrayValue?.first
    #expect(carried?["from"]?.arrayValue?.count == 300 && carried?["lines"]?.intValue == 300, "\(result.stdout)")
  }

  @Test("a teammate's notes push lands first: the carry's push is rejected, merged and retried")
  func concurrentPush() throws {
    let fixture = try CIFixture.developer()
    let olds = try fixture.git("rev-list", "--reverse", "main.." + CIFixture.branch).split(separator: "\n").map(
      String.init)
    let (before, squash) = try squashMerge(fixture)
    let runner = try runner(fixture)
    // The teammate's clone holds a note the remote lacks yet.
    let first = try fixture.git("rev-list", "--max-parents=0", "HEAD")
    try fixture.git("notes", "--ref=octo/usage", "add", "-m", "teammate-line", first)
    // git as octo-git runs it, except that just before octo-git's first push the teammate pushes.
    let marker = fixture.root + "/pushed-once"
    let wrapper = fixture.root + "/git-with-a-teammate"
    try Data(
      """
      #!/bin/sh
      if [ "$3" = "push" ] && [ ! -e "\(marker)" ]; then
        : > "\(marker)"
        "\(Shell.git)" -C "\(fixture.path)" push --quiet --no-verify origin \
      refs/notes/octo/usage:refs/notes/octo/usage >/dev/null 2>&1
      fi
      exec "\(Shell.git)" "$@"

      """.utf8
    ).write(to: URL(fileURLWithPath: wrapper))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
    let server = try ScriptedHTTPServer(answers: [
      merged(7, mergeCommit: squash, base: before),
      .init(
        status: 200, body: "[" + olds.map { #"{"sha":"\#($0)","commit":{"message":"m"}}"# }.joined(separator: ",") + "]"
      ),
    ])
    let event = fixture.root + "/push.json"
    try CIFixture.write(CIFixture.push(before: before, after: squash, commits: [squash]), to: event)
    var environment = CIFixture.actions(server, event: "push", eventPath: event)
    environment["OCTO_GIT_GIT"] = wrapper
    let result = try OctoGitBinary.run(
      ["notes", "carry", "--json"], in: runner, home: fixture.home, environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(FileManager.default.fileExists(atPath: marker))
    let outcome = try CanonicalJSON.parse(result.stdout)
    #expect(outcome["attempts"]?.intValue == 2, "\(result.stdout)")
    // Both writers' notes are on the remote.
    let remote = fixture.root + "/remote.git"
    #expect(try note(first, in: remote, home: fixture.home) == "teammate-line\n")
    #expect(lines(try note(squash, in: remote, home: fixture.home)).count == 2)
  }

  @Test("locally, without GitHub: --from main@{1}..feature --onto HEAD after a squash merge; a dry run writes nothing")
  func local() throws {
    let fixture = try CIFixture.developer()
    let olds = try fixture.git("rev-list", "--reverse", "main.." + CIFixture.branch).split(separator: "\n").map(
      String.init)
    // A damaged line stays on its commit (carried, it would count twice); a later format's line is carried.
    let later = #"{"at":"2026-03-01T10:00:00.000Z","id":"later-1","model":"m","v":2}"#
    try fixture.git("notes", "--ref=octo/usage", "append", "-m", "{damaged\n" + later, olds[0])
    try fixture.git("switch", "-q", "main")
    try fixture.git("merge", "-q", "--squash", CIFixture.branch)
    try fixture.git("commit", "-q", "-m", "Export invoices as CSV")
    let squash = try fixture.git("rev-parse", "HEAD")
    let range = "main@{1}.." + CIFixture.branch
    let environment = CIFixture.outsideCI

    let dry = try OctoGitBinary.run(
      ["notes", "carry", "--from", range, "--onto", "HEAD", "--dry-run"], in: fixture.path, home: fixture.home,
      environment: environment)
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout == "would carry 3 usage line(s) from 2 commit(s) onto \(squash.prefix(12)) (squash)\n")
    #expect(try note(squash, in: fixture.path, home: fixture.home) == nil)

    let done = try OctoGitBinary.run(
      ["notes", "carry", "--from", range, "--onto", "HEAD"], in: fixture.path, home: fixture.home,
      environment: environment)
    #expect(done.status == 0, "\(done.stderr)")
    #expect(done.stdout.hasPrefix("carried 3 usage line(s) from 2 commit(s) onto \(squash.prefix(12)) (squash)\n"))
    let oldLines = try olds.map { try #require(try note($0, in: fixture.path, home: fixture.home)) }
    #expect(
      lines(try note(squash, in: fixture.path, home: fixture.home))
        == lines(oldLines.joined()).subtracting(["{damaged"]))
    #expect(try fixture.git("log", "-1", "--format=%an", "refs/notes/octo/usage") == "Test User")

    let again = try OctoGitBinary.run(
      ["notes", "carry", "--from", range, "--onto", "HEAD"], in: fixture.path, home: fixture.home,
      environment: environment)
    #expect(again.stdout.hasPrefix("carried 0 usage line(s)"), "\(again.stdout)")

    let noEvent = try OctoGitBinary.run(
      ["notes", "carry"], in: fixture.path, home: fixture.home, environment: environment)
    #expect(noEvent.status == ExitStatus.usage.rawValue && noEvent.stderr.split(separator: "\n").count == 1)
  }

  @Test("pairing: a squash takes everything; a rebase pairs by patch id, then in order, then onto the newest")
  func matching() throws {
    let ids = (1...6).map { Oid(hex: String(repeating: String($0), count: 40))! }
    let patches: [Oid: Oid] = [ids[0]: ids[5], ids[3]: ids[5], ids[1]: ids[4]]
    let squash = NotesCarry.match(olds: [ids[0], ids[1]], targets: [ids[2]], patchID: { patches[$0] })
    #expect(squash.mode == .squash && squash.pairs.count == 1 && squash.pairs[0].sources == [ids[0], ids[1]])
    // ids[0] and ids[3] share a patch; ids[1] has none among the targets: paired with the one left.
    let rebase = NotesCarry.match(olds: [ids[1], ids[0]], targets: [ids[3], ids[2]], patchID: { patches[$0] })
    #expect(rebase.mode == .rebase)
    #expect(rebase.pairs.map(\.target) == [ids[3], ids[2]])
    #expect(rebase.pairs.map(\.sources) == [[ids[0]], [ids[1]]])
    let leftover = NotesCarry.match(
      olds: [ids[0], ids[1], ids[4]], targets: [ids[3], ids[2]], patchID: { patches[$0] })
    #expect(leftover.pairs.map(\.sources) == [[ids[0]], [ids[1], ids[4]]])
    #expect(NotesCarry.match(olds: [], targets: [ids[0]], patchID: { _ in nil }).pairs.isEmpty)
  }
}
