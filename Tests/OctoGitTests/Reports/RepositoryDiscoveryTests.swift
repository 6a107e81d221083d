import Foundation
import Testing

@testable import OctoGit

/// Issue 16: repository discovery as git's (ceilings, GIT_DIR, GIT_WORK_TREE), `pr create` without a token, an id
/// recorded twice, and `--by commit` showing only commits a ref reaches.
@Suite("Discovery, already-recorded ids, reachable commits")
struct RepositoryDiscoveryTests {
  // MARK: - Discovery

  @Test("GIT_CEILING_DIRECTORIES stops the search as it stops git's")
  func ceilings() throws {
    let fixture = try TestRepository()
    let inner = fixture.path + "/a/b"
    try FileManager.default.createDirectory(atPath: inner, withIntermediateDirectories: true)
    let link = fixture.root + "/link"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.path)
    for (ceiling, found) in [
      (fixture.path + "/a", false), (fixture.path + "/a/", false), (inner, true), (fixture.path, false),
      ("relative/a", true), ("/nonexistent:" + fixture.path + "/a", false),
      // Through a symlink, as git resolves it; after an empty entry, as written (so a symlink never matches).
      (link + "/a", false), (":" + link + "/a", true),
    ] {
      let environment = ["GIT_CEILING_DIRECTORIES": ceiling]
      let git = try Shell.run(
        Shell.git, ["rev-parse", "--show-toplevel"], in: inner, environment: environment, home: fixture.home)
      #expect((git.status == 0) == found, "git with \(ceiling): \(git.stderr)")
      let octo = try OctoGitBinary.run(["usage", "pending"], in: inner, home: fixture.home, environment: environment)
      #expect(
        octo.status == (found ? 0 : ExitStatus.notARepository.rawValue), "octo-git with \(ceiling): \(octo.stderr)")
    }
    #expect(Repository.ceilingDirectories("relative::") == nil)
  }

  @Test("GIT_DIR and GIT_WORK_TREE set by the user name the repository, as for git")
  func gitDirAndWorkTree() throws {
    let fixture = try TestRepository()
    let elsewhere = fixture.root + "/elsewhere"
    try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
    let none = try OctoGitBinary.run(["usage", "pending"], in: elsewhere, home: fixture.home)
    #expect(none.status == ExitStatus.notARepository.rawValue)

    let both = ["GIT_DIR": fixture.path + "/.git", "GIT_WORK_TREE": fixture.path]
    func real(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().path }
    #expect(
      real(try fixture.git("rev-parse", "--show-toplevel", in: elsewhere, environment: both)) == real(fixture.path))
    let recorded = try OctoGitBinary.run(
      ["usage", "record", "--model", "gpt-5", "--out", "5", "--id", "through-git-dir"], in: elsewhere,
      home: fixture.home,
      environment: both)
    #expect(recorded.status == 0, "\(recorded.stderr)")
    #expect(try fixture.octo("usage", "pending", "--json").contains("through-git-dir"))

    // GIT_DIR alone (relative, as git takes it): the work tree is the directory it runs in.
    let gitDirOnly = ["GIT_DIR": "../repo/.git"]
    let top = try fixture.git("rev-parse", "--show-toplevel", in: elsewhere, environment: gitDirOnly)
    #expect(real(top) == real(elsewhere))
    let alone = try OctoGitBinary.run(
      ["usage", "record", "--model", "gpt-5", "--out", "5", "--id", "git-dir-alone"], in: elsewhere, home: fixture.home,
      environment: gitDirOnly)
    #expect(alone.status == 0, "\(alone.stderr)")
    #expect(try fixture.octo("usage", "pending", "--json").contains("git-dir-alone"))
    let opened = try Repository.discover(from: elsewhere, environment: gitDirOnly)
    #expect(real(opened.workDirectory) == real(elsewhere))
    #expect(real(opened.gitDirectory) == real(fixture.path + "/.git"))

    let wrong = try OctoGitBinary.run(
      ["usage", "pending"], in: fixture.path, home: fixture.home, environment: ["GIT_DIR": elsewhere])
    #expect(wrong.status == ExitStatus.notARepository.rawValue && wrong.stderr.contains("GIT_DIR"))

    // A path that is not where octo-git runs (a registered repository, another worktree) is opened as itself.
    let scoped = Repository.discoveryEnvironment(
      for: fixture.path, ["GIT_DIR": elsewhere, "GIT_WORK_TREE": elsewhere, "HOME": "/h"])
    #expect(scoped["GIT_DIR"] == nil && scoped["GIT_WORK_TREE"] == nil && scoped["HOME"] == "/h")
    let here = Repository.discoveryEnvironment(for: FileManager.default.currentDirectoryPath, ["GIT_DIR": elsewhere])
    #expect(here["GIT_DIR"] == elsewhere)
  }

  @Test("a linked worktree's hook, run with git's GIT_DIR, still attaches usage to the right commit")
  func hookInLinkedWorktree() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    let worktree = try fixture.addWorktree("side", branch: "side")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "5", "--id", "in-worktree", in: worktree)
    try fixture.git("commit", "-q", "--allow-empty", "-m", "side work", in: worktree)
    let head = try fixture.git("rev-parse", "HEAD", in: worktree)
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", head).contains("in-worktree"))
  }

  // MARK: - pr create without a token

  @Test("pr create without a token: one line, exit 6 (GitHub unavailable), nothing pushed")
  func prCreateWithoutToken() throws {
    let fixture = try TestRepository()
    let remote = try fixture.addBareOrigin()
    try fixture.git("config", "octo.githubRepo", "acme/shop")
    try fixture.git("checkout", "-q", "-b", "topic")
    try fixture.commitAll("feat: something")
    let result = try OctoGitBinary.run(
      ["pr", "create"], in: fixture.path, home: fixture.home,
      environment: ["GH_TOKEN": "", "GITHUB_TOKEN": "", "GH_ENTERPRISE_TOKEN": ""])
    #expect(result.status == ExitStatus.unavailable.rawValue, "\(result.stderr)")
    #expect(result.stderr.contains("no GitHub token for github.com"))
    #expect(result.stderr.split(separator: "\n").count == 1)
    #expect(try fixture.git("ls-remote", remote).isEmpty)
  }

  // MARK: - An id recorded again

  @Test("recording an id already pending or committed says so and keeps the first event")
  func alreadyRecorded() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    let first = try CanonicalJSON.parse(
      try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "100", "--id", "same", "--json"))
    #expect(first["recorded"]?.intValue == 1 && first["alreadyRecorded"]?.intValue == 0)

    let again = try CanonicalJSON.parse(
      try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "999", "--id", "same", "--json"))
    #expect(again["recorded"]?.intValue == 0 && again["alreadyRecorded"]?.intValue == 1)
    #expect(again["alreadyRecordedIds"]?.arrayValue?.first?.stringValue == "same")
    let pending = try CanonicalJSON.parse(try fixture.octo("usage", "pending", "--json")).arrayValue ?? []
    #expect(pending.count == 1 && pending.first?["out"]?.intValue == 100)

    let text = try OctoGitBinary.run(
      ["usage", "record", "--model", "gpt-5", "--out", "5", "--id", "same"], in: fixture.path, home: fixture.home)
    #expect(text.status == 0)
    #expect(text.stderr.contains("already recorded") && text.stderr.contains("same"))
    #expect(text.stderr.split(separator: "\n").count == 1)

    // Committed: the note holds it, nothing is pending, and recording it again still changes nothing.
    try fixture.commitAll("work")
    #expect(try fixture.octo("usage", "pending", "--json") == "[]\n")
    let committed = try CanonicalJSON.parse(
      try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "7", "--id", "same", "--json"))
    #expect(committed["recorded"]?.intValue == 0 && committed["alreadyRecorded"]?.intValue == 1)
    #expect(try fixture.octo("usage", "pending", "--json") == "[]\n")
    let mixed = try CanonicalJSON.parse(
      try fixture.octo(
        "usage", "record", "--json",
        input: #"{"id":"same","model":"gpt-5","out":1}"# + "\n" + #"{"id":"new","model":"gpt-5","out":1}"#))
    #expect(mixed["recorded"]?.intValue == 1 && mixed["alreadyRecorded"]?.intValue == 1)
    #expect(mixed["ids"]?.arrayValue?.first?.stringValue == "new")
    #expect(try fixture.allUsageLines().filter { $0.contains(#""id":"same""#) }.count == 1)
  }

  // MARK: - Reachable commits

  /// Whether some branch, remote-tracking branch or tag contains `commit`, as git says.
  func reachable(_ fixture: TestRepository, _ commit: String) throws -> Bool {
    !(try fixture.git("for-each-ref", "--contains", commit, "refs/heads", "refs/remotes", "refs/tags")).isEmpty
  }

  @Test("usage --by commit shows only commits a ref reaches: amended in the same second, reset away, kept by a tag")
  func reachableCommits() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    try fixture.git("config", "notes.rewriteRef", UsageNote.ref)
    let sameSecond = ["GIT_COMMITTER_DATE": "@1773156600 +0000", "GIT_AUTHOR_DATE": "@1773156600 +0000"]
    try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "1000", "--id", "kept")
    try fixture.write("a.txt", "a\n")
    try fixture.git("add", "-A")
    try fixture.git("commit", "-q", "-m", "first", environment: sameSecond)
    // Amend (the note follows) until an orphan sorts after HEAD: the order a tie in time fell back on.
    var orphans: [String] = []
    var head = try fixture.git("rev-parse", "HEAD")
    for attempt in 0..<24 where !orphans.contains(where: { $0 > head }) {
      orphans.append(head)
      try fixture.git("commit", "-q", "--amend", "-m", "first, take \(attempt)", environment: sameSecond)
      head = try fixture.git("rev-parse", "HEAD")
    }
    #expect(orphans.contains { $0 > head })
    for orphan in orphans {
      #expect(try !reachable(fixture, orphan))
      #expect(try fixture.git("notes", "--ref=octo/usage", "show", orphan).contains("kept"))
    }
    #expect(try reachable(fixture, head))

    func commitRows() throws -> (rows: [String: JSONValue], order: [String], total: Int?) {
      let report = try CanonicalJSON.parse(try fixture.octo("usage", "--json", "--by", "commit"))
      let rows = report["rows"]?.arrayValue ?? []
      let order = rows.compactMap { $0["key"]?.stringValue }
      return (Dictionary(uniqueKeysWithValues: zip(order, rows)), order, report["total"]?["events"]?.intValue)
    }
    var report = try commitRows()
    #expect(report.order == [head])
    #expect(report.rows[head]?["events"]?.intValue == 1)
    #expect(report.rows[head]?["subject"]?.stringValue == "first, take \(orphans.count - 1)")

    // A commit reset away: its usage is counted once, on no commit id.
    try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "10", "--id", "dropped")
    let dropped = try fixture.commitAll("dropped later")
    try fixture.git("reset", "-q", "--hard", "HEAD~1")
    #expect(try !reachable(fixture, dropped))
    report = try commitRows()
    #expect(report.order == [head, UsageReport.unreachableKey])
    #expect(report.rows[UsageReport.unreachableKey]?["events"]?.intValue == 1)
    #expect(report.total == 2)
    let byModel = try CanonicalJSON.parse(try fixture.octo("usage", "--json", "--by", "model"))
    #expect(byModel["total"]?["events"]?.intValue == 2)

    // A tag reaches it again.
    try fixture.git("tag", "keep-it", dropped)
    #expect(try reachable(fixture, dropped))
    report = try commitRows()
    #expect(Set(report.order) == [head, dropped])
    #expect(report.rows[dropped]?["events"]?.intValue == 1)
  }
}
