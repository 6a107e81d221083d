import Foundation
import Testing

@testable import OctoGit

@Suite("Usage reports, cache and budgets")
struct UsageReportTests {
  /// A repository with three commits carrying known usage on two branches and days.
  func seeded() throws -> TestRepository {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    let lines = [
      #"{"id":"a","model":"claude-sonnet-4-5-20250929","in":1000,"out":2000,"cw5m":3000,"cw1h":4000,"cr":5000,"#
        + #""at":"2026-11-18T20:00:00Z","agent":"claude-code"}"#,
      #"{"id":"b","model":"claude-sonnet-4","in":150000,"cr":60000,"out":1000,"at":"2026-11-19T09:00:00Z","#
        + #""agent":"claude-code"}"#,
    ]
    try fixture.octo("usage", "record", input: lines.joined(separator: "\n"))
    try fixture.commitAll("first")
    try fixture.git("checkout", "-q", "-b", "topic")
    try fixture.octo(
      "usage", "record",
      input:
        #"{"id":"c","model":"gpt-5","in":10000,"out":1000,"cr":100000,"at":"2026-11-23T12:00:00Z","agent":"codex"}"#
        + "\n"
        + #"{"id":"d","model":"claude-mystery-9","in":10,"out":10,"at":"2026-11-23T12:30:00Z","agent":"codex"}"#)
    try fixture.commitAll("second")
    return fixture
  }

  func report(_ fixture: TestRepository, _ arguments: String...) throws -> JSONValue {
    try CanonicalJSON.parse(try fixture.octo(["usage", "--json"] + arguments))
  }

  func rows(_ report: JSONValue) -> [String: JSONValue] {
    Dictionary(uniqueKeysWithValues: (report["rows"]?.arrayValue ?? []).map { ($0["key"]!.stringValue!, $0) })
  }

  // a: 0.003 + 0.03 + 0.01125 + 0.024 + 0.0015 = 0.06975
  // b: prompt 210,000 > 200k: 150000 × 6/M + 60000 × 0.6/M + 1000 × 22.5/M = 0.9 + 0.036 + 0.0225 = 0.9585
  // c: 10000 × 1.25/M + 1000 × 10/M + 100000 × 0.125/M = 0.0125 + 0.01 + 0.0125 = 0.035
  @Test("totals are exact, by model, with the unpriced model apart")
  func byModel() throws {
    let fixture = try seeded()
    let report = try report(fixture, "--by", "model")
    let byModel = rows(report)
    #expect(byModel["claude-sonnet-4-5"]?["cost"]?.decimalValue == Decimal(string: "0.06975"))
    #expect(byModel["claude-sonnet-4"]?["cost"]?.decimalValue == Decimal(string: "0.9585"))
    #expect(byModel["gpt-5"]?["cost"]?.decimalValue == Decimal(string: "0.035"))
    #expect(byModel["claude-mystery-9"]?["unpricedEvents"]?.intValue == 1)
    // No price is not $0: a row of unpriced events only has no cost.
    #expect(byModel["claude-mystery-9"]?["cost"] == .null)
    #expect(report["total"]?["cost"]?.decimalValue == Decimal(string: "1.06325"))
    #expect(report["total"]?["unpricedTokens"]?.intValue == 20)
    #expect(report["total"]?["cr"]?.intValue == 165_000)
    let table = try fixture.octo("usage", "--by", "model")
    #expect(table.contains("$1.06") && !table.contains("$1.06325"))
    #expect(table.contains("no price"))
  }

  @Test("by commit, branch, agent, day in a time zone, and billing cycle")
  func dimensions() throws {
    let fixture = try seeded()
    let commits = rows(try report(fixture, "--by", "commit"))
    #expect(commits.count == 2)
    #expect(commits[try fixture.git("rev-parse", "HEAD")]?["subject"]?.stringValue == "second")
    #expect(Set(rows(try report(fixture, "--by", "branch")).keys) == ["main", "topic"])
    #expect(rows(try report(fixture, "--by", "agent"))["codex"]?["events"]?.intValue == 2)
    let utcDays = rows(try report(fixture, "--by", "day", "--tz", "UTC"))
    #expect(Set(utcDays.keys) == ["2026-11-18", "2026-11-19", "2026-11-23"])
    let tokyoDays = rows(try report(fixture, "--by", "day", "--tz", "Asia/Tokyo"))
    #expect(Set(tokyoDays.keys) == ["2026-11-19", "2026-11-23"])
    let cycles = rows(try report(fixture, "--by", "cycle", "--cycle-day", "19", "--tz", "UTC"))
    #expect(cycles["2026-10-19..2026-11-18"]?["events"]?.intValue == 1)
    #expect(cycles["2026-11-19..2026-12-18"]?["events"]?.intValue == 3)
    try fixture.git("config", "octo.cycleDay", "19")
    #expect(rows(try report(fixture, "--by", "cycle", "--tz", "UTC")).count == 2)
    let weeks = rows(try report(fixture, "--by", "week", "--tz", "UTC"))
    #expect(Set(weeks.keys) == ["2026-W47", "2026-W48"])
    let since = try report(fixture, "--by", "model", "--since", "2026-11-19", "--until", "2026-11-19", "--tz", "UTC")
    #expect(since["total"]?["events"]?.intValue == 1)
  }

  @Test("csv and markdown carry the same rows; bad options are usage errors")
  func formats() throws {
    let fixture = try seeded()
    let csv = try fixture.octo("usage", "--by", "model", "--format", "csv")
    #expect(csv.hasPrefix("model,events,in,out,cache_write_5m,cache_write_1h,cache_read,cost_USD,unpriced_events\n"))
    #expect(csv.contains("claude-sonnet-4,1,150000,1000,0,0,60000,0.9585,0"))
    let markdown = try fixture.octo("usage", "--by", "model", "--format", "md")
    #expect(markdown.contains("| claude-sonnet-4 | 1 |"))
    for arguments in [
      ["usage", "--by", "planet"], ["usage", "--tz", "Mars/Base"], ["usage", "--cycle-day", "32"],
      ["usage", "--since", "soon"],
    ] {
      let result = try OctoGitBinary.run(arguments, in: fixture.path, home: fixture.home)
      #expect(result.status == ExitStatus.usage.rawValue, "\(arguments)")
    }
  }

  @Test("cache rebuild from the notes alone gives identical reports; the cache follows new notes")
  func cacheRebuild() throws {
    let fixture = try seeded()
    let before = try fixture.octo("usage", "--by", "commit", "--json")
    try FileManager.default.removeItem(atPath: fixture.path + "/.git/octo/ledger.sqlite")
    #expect(try fixture.octo("usage", "--by", "commit", "--json") == before)
    try fixture.octo("cache", "rebuild")
    #expect(try fixture.octo("usage", "--by", "commit", "--json") == before)
    // A note added by someone else (git CLI) is picked up incrementally.
    let extra = UsageEvent(
      id: "z", at: Timestamp.parse("2026-11-23T13:00:00Z")!, model: "gpt-5", tokens: TokenCounts(output: 100_000)
    )
    .priced(with: .builtIn)
    try fixture.git("notes", "--ref=octo/usage", "append", "-m", extra.line, "HEAD~1")
    let after = try report(fixture, "--by", "model")
    #expect(rows(after)["gpt-5"]?["events"]?.intValue == 2)
    try fixture.octo("cache", "rebuild")
    #expect(try report(fixture, "--by", "model") == after)
  }

  @Test("budget warnings at 80% and 100%, from the hook and from reports")
  func budgets() throws {
    let fixture = try seeded()
    try fixture.git("config", "octo.budget", "1.2")
    let report80 = try fixture.octo("usage", "--by", "model")
    #expect(report80.contains("budget: this repository has spent $1.06 of $1.20 (88%)"))
    try fixture.octo("usage", "record", "--model", "claude-opus-4-1", "--out", "10000", "--id", "big")
    try fixture.write("x.txt", "x\n")
    try fixture.git("add", "-A")
    let commit = try Shell.run(Shell.git, ["commit", "-q", "-m", "over"], in: fixture.path, home: fixture.home)
    #expect(commit.status == 0)
    #expect(commit.stderr.contains("over budget: this repository has spent $1.81 of $1.20"))
    try fixture.git("config", "octo.budget.branch", "0.5")
    let json = try report(fixture, "--by", "branch")
    let warnings = json["budgets"]?.arrayValue?.compactMap { $0["warning"]?.stringValue } ?? []
    #expect(warnings.contains { $0.contains("branch topic") && $0.hasPrefix("over budget") })
    // Only an amount: a number followed by anything else is refused, not read as its prefix.
    for text in ["lots", "0.5abc", "25\"; curl evil", "1.2.3", "$", "-5", "1e3", "2$5", "$$2", "2.5$", "0"] {
      try fixture.git("config", "octo.budget", text)
      let bad = try OctoGitBinary.run(["usage"], in: fixture.path, home: fixture.home)
      #expect(bad.status == ExitStatus.badInput.rawValue, "\(text)")
    }
    try fixture.git("config", "octo.budget", "$2.50")
    #expect(try OctoGitBinary.run(["usage"], in: fixture.path, home: fixture.home).status == 0)
  }

  @Test("notes written on two clones merge cleanly with cat_sort_uniq")
  func twoClonesMerge() throws {
    let fixture = try seeded()
    let clone = fixture.root + "/clone"
    try fixture.git("clone", "-q", fixture.path, clone)
    try fixture.git("config", "user.name", "Other", in: clone)
    try fixture.git("config", "user.email", "other@example.com", in: clone)
    try fixture.git("fetch", "-q", "origin", "refs/notes/octo/usage:refs/notes/octo/usage", in: clone)
    // Both sides add usage to the same commit.
    let head = try fixture.git("rev-parse", "HEAD")
    let ours = try Repository.open(at: fixture.path)
    let theirs = try Repository.open(at: clone)
    let shared = UsageEvent(
      id: "shared", at: Date(timeIntervalSince1970: 1_790_000_000), model: "gpt-5", tokens: TokenCounts(input: 1))
    for (repository, id) in [(ours, "from-a"), (theirs, "from-b")] {
      try repository.updateNote(on: Oid(hex: head)!, ref: UsageNote.ref, author: TestRepository.signature) {
        UsageNote.merging(
          $0, adding: [shared, UsageEvent(id: id, at: shared.at, model: "gpt-5", tokens: TokenCounts(input: 2))])
      }
    }
    try fixture.git("fetch", "-q", clone, "refs/notes/octo/usage:refs/notes/octo-remote/clone/usage")
    try fixture.git(
      "notes", "--ref=octo/usage", "merge", "-q", "-s", "cat_sort_uniq", "refs/notes/octo-remote/clone/usage")
    let lines = try fixture.git("notes", "--ref=octo/usage", "show", head).split(separator: "\n")
    let ids = try lines.map { try UsageEvent(line: String($0)).id }
    #expect(Set(ids) == ["c", "d", "shared", "from-a", "from-b"])
    #expect(ids.count == 5)
  }
}
