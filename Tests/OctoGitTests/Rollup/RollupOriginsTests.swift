import Foundation
import Testing

@testable import OctoGit

/// The rollup across repositories whatever their origins: each event id once, a failing `--fetch` shown
/// and reported with git's whole message, bare repositories and mirrors read like any clone.
@Suite("Rollup across origins, failing fetches and bare mirrors")
struct RollupOriginsTests {
  typealias Workspace = RollupTests.Workspace

  /// Records one event with a known id and commits it through the post-commit hook.
  func record(_ space: Workspace, id: String, cost: String, at: String, in directory: String) throws {
    try space.octo(
      [
        "usage", "record", "--model", "claude-sonnet-4-5", "--in", "100", "--out", "50", "--cost", cost, "--at", at,
        "--id", id,
      ],
      in: directory)
  }

  /// The rows of a `--by repo` rollup as (repo, events, cost).
  func rows(_ report: JSONValue) -> [(String?, Int?, Decimal?)] {
    (report["rows"]?.arrayValue ?? []).map {
      ($0["keys"]?["repo"]?.stringValue, $0["events"]?.intValue, $0["cost"]?.decimalValue)
    }
  }

  @Test("an event id counts once across every repository, even when a clone's origin moved it to another project")
  func originChanged() throws {
    let space = try Workspace()
    let shop = space.first.path
    try space.git(["remote", "add", "origin", "git@github.com:Acme/Shop.git"], in: shop)
    try space.octo(["install"], in: shop)
    try record(space, id: "e1", cost: "0.1", at: "2026-05-01T09:00:00Z", in: shop)
    try record(space, id: "e2", cost: "0.2", at: "2026-05-01T10:00:00Z", in: shop)
    try record(space, id: "e3", cost: "0.3", at: "2026-05-01T11:00:00Z", in: shop)
    try space.git(["commit", "-q", "--allow-empty", "-m", "work"], in: shop)
    let clone = space.root + "/shop-clone"
    try space.git(["clone", "-q", shop, clone], in: space.root)
    try space.git(["fetch", "-q", "origin", "refs/notes/*:refs/notes/*"], in: clone)
    try space.git(["config", "user.email", "clone@example.com"], in: clone)
    try space.git(["config", "user.name", "Clone"], in: clone)
    try space.git(["remote", "set-url", "origin", "https://github.com/Acme/Shop"], in: clone)
    try space.octo(["repos", "add", clone], in: space.root)
    var report = try space.rollup([])
    #expect(
      report["total"]?["events"]?.intValue == 3 && report["total"]?["cost"]?.decimalValue == Decimal(string: "0.6"))

    // The clone's origin changes: it moves to its new project, and its events (the same ids) still count
    // once, under the repository registered first.
    try space.git(["remote", "set-url", "origin", "git@github.com:Acme/Shop-Renamed.git"], in: clone)
    report = try space.rollup([])
    #expect(
      report["total"]?["events"]?.intValue == 3 && report["total"]?["cost"]?.decimalValue == Decimal(string: "0.6"))
    let moved = report["repositories"]?.arrayValue?.first { $0["path"]?.stringValue == clone }
    #expect(moved?["project"]?.stringValue == "github.com/acme/shop-renamed")
    #expect(rows(report).map { $0.0 } == ["github.com/acme/shop"])

    // The clone then holds a copy of e1 with more output (a later read of the transcript) and a new event:
    // the longer copy counts, under the clone's project; nothing is counted twice.
    let e1 = try #require(
      try space.git(["notes", "--ref=octo/usage", "show", "HEAD"], in: shop).split(separator: "\n")
        .map(String.init).first { $0.contains("\"id\":\"e1\"") })
    var members = try #require(try CanonicalJSON.parse(e1).objectValue)
    members["out"] = .number("80")
    members["cost"] = .number("0.15")
    let longer = CanonicalJSON.string(.object(members))
    members["id"] = .string("e4")
    members["out"] = .number("50")
    members["cost"] = .number("0.5")
    let fresh = CanonicalJSON.string(.object(members))
    try space.git(["commit", "-q", "--allow-empty", "-m", "clone work"], in: clone)
    try space.git(["notes", "--ref=octo/usage", "add", "-m", longer + "\n" + fresh, "HEAD"], in: clone)
    report = try space.rollup([])
    #expect(
      report["total"]?["events"]?.intValue == 4 && report["total"]?["cost"]?.decimalValue == Decimal(string: "1.15"))
    let found = rows(report)
    #expect(found.map { $0.0 } == ["github.com/acme/shop-renamed", "github.com/acme/shop"])
    #expect(found.map { $0.1 } == [2, 2])
    #expect(found.map { $0.2 } == [Decimal(string: "0.65"), Decimal(string: "0.5")])
    // Every dimension sums the same events.
    let byModel = try space.rollup(["--by", "model,day"])
    #expect(
      byModel["total"]?["events"]?.intValue == 4 && byModel["total"]?["cost"]?.decimalValue == Decimal(string: "1.15"))
  }

  @Test("rollup --fetch: a failing origin is stale with git's whole message, the report still printed, exit 6")
  func failingFetch() throws {
    let space = try Workspace()
    let shop = space.first.path
    try space.git(["remote", "add", "origin", space.root + "/gone.git"], in: shop)
    try space.octo(["install"], in: shop)
    try space.commitUsage([("claude-sonnet-4-5", "0.25", "2026-05-01T09:00:00Z")], in: shop)
    let other = try space.repository("local-only", origin: nil)
    try space.octo(["repos", "add", other], in: space.root)

    let result = try OctoGitBinary.run(["rollup", "--fetch", "--json"], in: space.root, home: space.home)
    #expect(result.status == ExitStatus.unavailable.rawValue, "\(result.stderr)")
    let report = try CanonicalJSON.parse(result.stdout)
    let repositories = report["repositories"]?.arrayValue ?? []
    let stale = repositories.first { $0["path"]?.stringValue == shop }
    #expect(stale?["status"]?.stringValue == "stale")
    let problem = stale?["problem"]?.stringValue ?? ""
    #expect(problem.contains("does not appear to be a git repository"), "\(problem)")
    #expect(
      problem.contains("Could not read from remote repository.") && problem.contains("and the repository exists"),
      "\(problem)")
    #expect(!problem.contains("\n"))
    #expect(repositories.first { $0["path"]?.stringValue == other }?["status"]?.stringValue == "ok")
    // Its local notes still count.
    #expect(report["total"]?["cost"]?.decimalValue == Decimal(string: "0.25"))
    #expect(result.stderr.contains("does not appear to be a git repository"))

    // As a table: a line under it names the repository and git's message.
    let table = try OctoGitBinary.run(["rollup", "--fetch"], in: space.root, home: space.home)
    #expect(table.status == ExitStatus.unavailable.rawValue)
    #expect(
      table.stdout.contains("stale \(shop)") && table.stdout.contains("does not appear to be a git repository"),
      "\(table.stdout)")

    // Without --fetch nothing is fetched, so nothing is stale (and no saved stale result is reused).
    let plain = try space.rollup([])
    #expect(
      plain["repositories"]?.arrayValue?.first { $0["path"]?.stringValue == shop }?["status"]?.stringValue == "ok")
  }

  @Test("credentials in an origin URL (user, password, token, query) reach no output and no file")
  func credentialsInOrigin() throws {
    let space = try Workspace()
    let shop = space.first.path
    let origin = "https://alice:ghp_SECRET1@github.com/Acme/Shop.git?private_token=glpat-SECRET2#SECRET3"
    try space.git(["remote", "add", "origin", origin], in: shop)
    try space.git(["notes", "--ref=octo/usage", "add", "-m", line("x", cost: 2)], in: shop)
    try space.octo(["repos", "add", shop], in: space.root)
    var outputs = [try space.octo(["repos", "--json"], in: space.root), try space.octo(["repos"], in: space.root)]
    for format in ["json", "csv", "md", "html", "table"] {
      outputs.append(try space.octo(["rollup", "--by", "repo", "--format", format], in: space.root))
    }
    for output in outputs {
      #expect(!output.contains("SECRET") && !output.contains("alice"), "\(output)")
    }
    let report = try space.rollup(["--by", "repo"])
    #expect(report["rows"]?.arrayValue?.first?["keys"]?["repo"]?.stringValue == "github.com/acme/shop")
    #expect(
      report["repositories"]?.arrayValue?.first?["origin"]?.stringValue == "https://github.com/Acme/Shop.git")
    for suffix in ["", "-wal"] {
      let file = space.home + "/.local/share/octo-git/rollup.sqlite" + suffix
      guard let bytes = FileManager.default.contents(atPath: file) else { continue }
      #expect(bytes.range(of: Data("SECRET".utf8)) == nil, "\(file)")
    }
  }

  @Test("--repos bills an event where its best copy is, as --by repo does: two clients' rollups never both count it")
  func reposFilterAttributes() throws {
    let space = try Workspace()
    let first = space.first.path
    let second = try space.repository("second", origin: nil)
    try space.git(
      ["notes", "--ref=octo/usage", "add", "-m", line("x", cost: 5) + "\n" + line("y", cost: 1)], in: first)
    try space.git(
      ["notes", "--ref=octo/usage", "add", "-m", line("x", cost: 1) + "\n" + line("z", cost: 2)], in: second)
    try space.octo(["repos", "add", first, second], in: space.root)
    let byRepo = try space.rollup(["--by", "repo"])
    #expect(byRepo["total"]?["cost"]?.decimalValue == 8)
    let onlyFirst = try space.rollup(["--repos", first])
    let onlySecond = try space.rollup(["--repos", second])
    #expect(onlyFirst["total"]?["cost"]?.decimalValue == 6 && onlyFirst["total"]?["events"]?.intValue == 2)
    #expect(onlySecond["total"]?["cost"]?.decimalValue == 2 && onlySecond["total"]?["events"]?.intValue == 1)
    // The other repository's notes move: the filtered rollup follows (its saved result is not reused).
    try space.git(["commit", "-q", "--allow-empty", "-m", "more"], in: second)
    try space.git(["notes", "--ref=octo/usage", "add", "-m", line("y", cost: 9)], in: second)
    #expect(try space.rollup(["--repos", first])["total"]?["cost"]?.decimalValue == 5)
  }

  @Test("the lines under a Markdown rollup (a repository skipped, named by its path) are escaped like the cells")
  func markdownFootnotes() throws {
    let space = try Workspace()
    let hostile = try space.repository("x<script>alert(1)</script>&amp;\u{1B}]0;PWN\u{07}", origin: nil)
    try space.git(["notes", "--ref=octo/usage", "add", "-m", line("x", cost: 2)], in: hostile)
    try space.octo(["repos", "add", hostile], in: space.root)
    _ = try space.rollup([])
    try FileManager.default.removeItem(atPath: hostile)
    let markdown = try space.octo(["rollup", "--format", "md"], in: space.root)
    #expect(markdown.contains("skipped"), "\(markdown)")
    #expect(
      !markdown.contains("<script>") && !markdown.contains("\u{1B}") && !markdown.contains("\u{07}"), "\(markdown)")
  }

  /// A usage line of event `id` costing `cost` dollars, as octo-git writes them.
  func line(_ id: String, cost: Int) -> String {
    "{\"agent\":\"a\",\"at\":\"2026-03-30T10:00:00.000Z\",\"cost\":\(cost),\"cr\":0,\"cw1h\":0,\"cw5m\":0,"
      + "\"id\":\"\(id)\",\"in\":\(cost),\"model\":\"m\",\"out\":0,\"user\":\"u\",\"v\":1}"
  }

  @Test("rollup --rebuild counts the copies a fresh rollup counts: each archive read again whole, in another order")
  func rebuildAfterIncremental() throws {
    // Which copies count is kept by position in each repository's archive; an archive read again at the
    // same tip holds its events in another order (the notes' order), which depends on the commits' ids:
    // several rounds, each with new commits.
    for round in 0..<4 {
      let space = try Workspace()
      let first = space.first.path
      let second = try space.repository("second", origin: nil)
      try space.git(
        ["notes", "--ref=octo/usage", "add", "-m", line("x", cost: 1) + "\n" + line("y", cost: 5)], in: first)
      try space.git(["notes", "--ref=octo/usage", "add", "-m", line("y", cost: 10)], in: second)
      try space.octo(["repos", "add", first, second], in: space.root)
      #expect(try space.rollup([])["total"]?["cost"]?.decimalValue == 11)
      for step in 0..<3 {
        try space.git(["commit", "-q", "--allow-empty", "-m", "step \(step)"], in: first)
        try space.git(["notes", "--ref=octo/usage", "add", "-m", line("z\(round)-\(step)", cost: 100)], in: first)
        let expected = Decimal(11 + 100 * (step + 1))
        #expect(try space.rollup([])["total"]?["cost"]?.decimalValue == expected)
        let rebuilt = try space.rollup(["--rebuild"])
        #expect(rebuilt["total"]?["cost"]?.decimalValue == expected, "round \(round), step \(step)")
        #expect(rebuilt["total"]?["events"]?.intValue == 3 + step)
        #expect(try space.rollup([])["total"]?["cost"]?.decimalValue == expected)
      }
    }
  }

  @Test(
    "a mirror (git clone --mirror): repos add registers it, the rollup and usage read its notes; checkpoint refuses it")
  func bareMirror() throws {
    let space = try Workspace()
    let shop = space.first.path
    try space.octo(["install"], in: shop)
    try space.commitUsage(
      [("claude-sonnet-4-5", "0.4", "2026-05-01T09:00:00Z"), ("gpt-5", "0.6", "2026-05-02T09:00:00Z")], in: shop)
    let mirror = space.root + "/shop-mirror.git"
    try space.git(["clone", "-q", "--mirror", shop, mirror], in: space.root)
    #expect(try space.git(["rev-parse", "--is-bare-repository"], in: mirror).hasPrefix("true"))

    // Reports read the mirror's notes (its cache lives in the mirror's directory).
    let usage = try CanonicalJSON.parse(try space.octo(["usage", "--by", "model", "--json"], in: mirror))
    #expect(usage["total"]?["events"]?.intValue == 2 && usage["total"]?["cost"]?.decimalValue == Decimal(string: "1"))
    #expect(usage["rows"]?.arrayValue?.count == 2)
    let shown = try CanonicalJSON.parse(try space.octo(["usage", "show", "--json"], in: mirror))
    #expect(shown.arrayValue?.count == 2)
    // What needs a work tree says so.
    let refused = try OctoGitBinary.run(["checkpoint"], in: mirror, home: space.home)
    #expect(
      refused.status == ExitStatus.notARepository.rawValue && refused.stderr.contains("bare"), "\(refused.stderr)")

    try space.octo(["repos", "remove", shop], in: space.root)
    let added = try space.octo(["repos", "add", mirror], in: space.root)
    #expect(added.contains("registered: \(mirror)"), "\(added)")
    let rolled = try space.rollup([])
    #expect(rolled["total"]?["events"]?.intValue == 2 && rolled["total"]?["cost"]?.decimalValue == Decimal(string: "1"))
    #expect(rolled["repositories"]?.arrayValue?.first?["status"]?.stringValue == "ok")
    // The repository it mirrors is the same project: its events still count once.
    try space.octo(["repos", "add", shop], in: space.root)
    #expect(try space.rollup([])["total"]?["events"]?.intValue == 2)
    // A scan finds the mirror as well.
    let scanned = try CanonicalJSON.parse(
      try space.octo(["repos", "scan", space.root, "--depth", "1", "--json"], in: space.root))
    #expect(scanned["known"]?.arrayValue?.compactMap(\.stringValue).contains(mirror) == true, "\(scanned)")
  }
}
