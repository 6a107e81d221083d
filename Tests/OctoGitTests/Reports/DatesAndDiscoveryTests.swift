import Foundation
import Testing

@testable import OctoGit

/// Issue 16: dates people write (impossible ones refused, relative ones everywhere), billing cycles starting on
/// days 29–31, repository discovery as git's (ceilings, GIT_DIR, GIT_WORK_TREE), `pr create` without a token,
/// an id recorded twice, and `--by commit` showing only commits a ref reaches.
@Suite("Dates, billing cycles, discovery, already-recorded ids, reachable commits")
struct DatesAndDiscoveryTests {
  let utc = TimeZone(identifier: "UTC")!
  /// 2026-03-10T15:30:00Z, a Tuesday.
  let now = Date(timeIntervalSince1970: 1_773_156_600)

  // MARK: - Dates

  @Test("impossible dates are refused, naming the value; real ones (29 February of a leap year) are not")
  func impossibleDates() throws {
    for bad in [
      "2026-02-30", "2026-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-02-30T10:00:00Z",
    ] {
      #expect(Timestamp.parse(bad) == nil, "\(bad)")
      let error = #expect(throws: OctoError.self, "\(bad)") {
        try DateText.instant(bad, timeZone: utc, now: now, option: "--since")
      }
      #expect(error?.status == .usage)
      #expect(error?.description.contains("'\(bad)'") == true, "\(error?.description ?? "")")
      #expect(error?.description.contains("\n") == false)
    }
    let february = #expect(throws: OctoError.self) { try DateText.instant("2026-02-30", timeZone: utc, now: now) }
    #expect(february?.message.contains("February 2026 has 28 days") == true)
    #expect(Timestamp.format(try DateText.instant("2028-02-29", timeZone: utc, now: now)) == "2028-02-29T00:00:00.000Z")
    #expect(Timestamp.parse("2028-02-29T12:00:00Z") != nil)
    #expect(Timestamp.parse("2000-02-29") != nil && Timestamp.parse("1900-02-29") == nil)
  }

  @Test("relative forms: ages count back from now, today and yesterday are days in the time zone")
  func relativeForms() throws {
    func text(_ value: String, _ edge: DateText.Edge = .start, _ zone: TimeZone? = nil) throws -> String {
      Timestamp.format(try DateText.instant(value, edge: edge, timeZone: zone ?? utc, now: now))
    }
    #expect(try text("7d") == "2026-03-03T15:30:00.000Z")
    #expect(try text("2w") == "2026-02-24T15:30:00.000Z")
    #expect(try text("12h") == "2026-03-10T03:30:00.000Z")
    #expect(try text("1d12h") == "2026-03-09T03:30:00.000Z")
    #expect(try text("90s", .end) == "2026-03-10T15:28:30.000Z")
    #expect(try text("now") == "2026-03-10T15:30:00.000Z")
    #expect(try text("today") == "2026-03-10T00:00:00.000Z")
    #expect(try text("today", .end) == "2026-03-11T00:00:00.000Z")
    #expect(try text("Yesterday") == "2026-03-09T00:00:00.000Z")
    #expect(try text("yesterday", .end) == "2026-03-10T00:00:00.000Z")
    #expect(try text("2026-03-01", .end) == "2026-03-02T00:00:00.000Z")
    #expect(try text("2026-03-01T12:00:00+01:00") == "2026-03-01T11:00:00.000Z")
    // In Tokyo it is already 11 March at 15:30 UTC.
    let tokyo = TimeZone(identifier: "Asia/Tokyo")!
    #expect(try text("today", .start, tokyo) == "2026-03-10T15:00:00.000Z")
    #expect(try text("2026-03-01", .start, tokyo) == "2026-02-28T15:00:00.000Z")
    for bad in ["soon", "7", "d7", "", "2026-3-1", "tomorrow"] {
      #expect(throws: OctoError.self, "\(bad)") { try DateText.instant(bad, timeZone: utc, now: now) }
    }
  }

  @Test("the period: --until includes its day, an empty period is refused, cycle days 1 to 31 (flag: 2, config: 4)")
  func period() throws {
    let fixture = try TestRepository()
    let repository = try fixture.open()
    let config = try repository.config()
    let period = try ReportOptionsParser.parsePeriod(
      cycleDay: 31, since: "7d", until: "today", timeZone: "UTC", config: config, now: now)
    #expect(period.since.map(Timestamp.format) == "2026-03-03T15:30:00.000Z")
    #expect(period.until.map(Timestamp.format) == "2026-03-11T00:00:00.000Z")
    #expect(period.cycleDay == 31)
    let empty = #expect(throws: OctoError.self) {
      try ReportOptionsParser.parsePeriod(
        cycleDay: nil, since: "today", until: "yesterday", timeZone: "UTC", config: config, now: now)
    }
    #expect(empty?.status == .usage)
    for day in [0, 32, -1] {
      let error = #expect(throws: OctoError.self) {
        try ReportOptionsParser.parsePeriod(cycleDay: day, since: nil, until: nil, timeZone: "UTC", config: config)
      }
      #expect(error?.status == .usage)
    }
    try fixture.git("config", "octo.cycleDay", "30")
    let thirty = try fixture.open()
    #expect(
      try ReportOptionsParser.parsePeriod(
        cycleDay: nil, since: nil, until: nil, timeZone: "UTC", config: try thirty.config()
      ).cycleDay == 30)
    try fixture.git("config", "octo.cycleDay", "40")
    let forty = try fixture.open()
    let configured = #expect(throws: OctoError.self) {
      try ReportOptionsParser.parsePeriod(
        cycleDay: nil, since: nil, until: nil, timeZone: "UTC", config: try forty.config())
    }
    #expect(configured?.status == .badInput)
  }

  // MARK: - Billing cycles

  @Test("a cycle on day 29-31 starts on the month's last day in shorter months")
  func lateCycleDays() {
    func cycle(_ year: Int, _ month: Int, _ day: Int, _ start: Int) -> String {
      let found = CalendarMath.cycle(of: CalendarMath.Day(year: year, month: month, day: day), startDay: start)
      return "\(found.first.text)..\(found.last.text)"
    }
    #expect(cycle(2026, 2, 1, 31) == "2026-01-31..2026-02-27")
    #expect(cycle(2026, 2, 27, 31) == "2026-01-31..2026-02-27")
    #expect(cycle(2026, 2, 28, 31) == "2026-02-28..2026-03-30")
    #expect(cycle(2026, 3, 30, 31) == "2026-02-28..2026-03-30")
    #expect(cycle(2026, 3, 31, 31) == "2026-03-31..2026-04-29")
    #expect(cycle(2026, 4, 30, 31) == "2026-04-30..2026-05-30")
    #expect(cycle(2027, 1, 15, 31) == "2026-12-31..2027-01-30")
    #expect(cycle(2028, 2, 29, 31) == "2028-02-29..2028-03-30")
    #expect(cycle(2028, 2, 28, 31) == "2028-01-31..2028-02-28")
    #expect(cycle(2026, 3, 1, 29) == "2026-02-28..2026-03-28")
    #expect(cycle(2026, 2, 10, 30) == "2026-01-30..2026-02-27")
    #expect(cycle(2026, 11, 23, 19) == "2026-11-19..2026-12-18")
  }

  @Test("for every start day, cycles tile the calendar: each day in exactly one, starting on min(day, month length)")
  func cyclesTile() {
    for start in 1...31 {
      var day = CalendarMath.Day(year: 2025, month: 12, day: 1)
      var current = CalendarMath.cycle(of: day, startDay: start)
      while day.year < 2029 {
        let found = CalendarMath.cycle(of: day, startDay: start)
        #expect(found.first <= day && day <= found.last, "\(start) \(day.text)")
        if found.first != current.first {
          #expect(found.first == current.last.next, "\(start) \(day.text)")
          current = found
        }
        #expect(
          found.first.day == min(start, Timestamp.daysInMonth(year: found.first.year, month: found.first.month)),
          "\(start) \(found.first.text)")
        day = day.next
      }
    }
  }

  // MARK: - The command line

  @Test("usage, rollup and checkpoints prune share the date parser: impossible dates exit 2, relative ones work")
  func commandLineDates() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    let lines = [
      #"{"id":"feb27","model":"gpt-5","out":1000,"at":"2026-02-27T12:00:00Z"}"#,
      #"{"id":"feb28","model":"gpt-5","out":1000,"at":"2026-02-28T12:00:00Z"}"#,
    ]
    try fixture.octo("usage", "record", input: lines.joined(separator: "\n"))
    try fixture.commitAll("work")
    for arguments in [
      ["usage", "--since", "2026-02-30"], ["usage", "--until", "2026-04-31"], ["rollup", "--since", "2026-02-30"],
      ["checkpoints", "prune", "--older-than", "2026-02-30"], ["usage", "--cycle-day", "32"],
      ["usage", "--cycle-day", "0"],
      ["checkpoints", "prune", "--older-than", "2999-01-01"],
    ] {
      let result = try OctoGitBinary.run(arguments, in: fixture.path, home: fixture.home)
      #expect(result.status == ExitStatus.usage.rawValue, "\(arguments): \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
      #expect(result.stderr.contains(arguments.last ?? ""), "\(arguments): \(result.stderr)")
    }
    for arguments in [
      ["usage", "--since", "7d", "--json"], ["usage", "--since", "yesterday", "--until", "today", "--json"],
      ["usage", "--since", "2w", "--until", "12h", "--json"],
    ] {
      let result = try OctoGitBinary.run(arguments, in: fixture.path, home: fixture.home)
      #expect(result.status == 0, "\(arguments): \(result.stderr)")
    }
    let cycles = try CanonicalJSON.parse(
      try fixture.octo("usage", "--json", "--by", "cycle", "--cycle-day", "31", "--tz", "UTC"))
    let keys = (cycles["rows"]?.arrayValue ?? []).compactMap { $0["key"]?.stringValue }
    #expect(keys == ["2026-01-31..2026-02-27", "2026-02-28..2026-03-30"])
    #expect(cycles["cycleDay"]?.intValue == 31)
    try fixture.git("config", "octo.cycleDay", "31")
    #expect(
      try CanonicalJSON.parse(try fixture.octo("usage", "--json", "--by", "cycle", "--tz", "UTC"))["cycleDay"]?.intValue
        == 31)
    try fixture.git("config", "octo.cycleDay", "45")
    #expect(
      try OctoGitBinary.run(["usage"], in: fixture.path, home: fixture.home).status == ExitStatus.badInput.rawValue)
    try fixture.git("config", "--unset", "octo.cycleDay")
    let help = try fixture.octo("usage", "report", "--help").split(whereSeparator: \.isWhitespace).joined(
      separator: " ")
    #expect(help.contains("1-31") && help.contains("starts on its last day"), "\(help)")

    // prune --older-than takes the same forms: a past date keeps everything, an age of 0s deletes what exists.
    try fixture.write("scratch.txt", "x\n")
    try fixture.octo("checkpoint", "-m", "one")
    #expect(try fixture.git("for-each-ref", "refs/octo/checkpoints/").split(separator: "\n").count == 1)
    #expect(try fixture.octo("checkpoints", "prune", "--older-than", "2000-01-01", "--json") == "[]\n")
    #expect(try fixture.octo("checkpoints", "prune", "--older-than", "yesterday", "--json") == "[]\n")
    Thread.sleep(forTimeInterval: 0.01)
    let pruned = try CanonicalJSON.parse(try fixture.octo("checkpoints", "prune", "--older-than", "0s", "--json"))
    #expect(pruned.arrayValue?.count == 1)
    #expect(try fixture.git("for-each-ref", "refs/octo/checkpoints/").isEmpty)
  }

  // MARK: - Discovery

  @Test("GIT_CEILING_DIRECTORIES stops the search as it stops git's")
  func ceilings() throws {
    let fixture = try TestRepository()
    let inner = fixture.path + "/a/b"
    try FileManager.default.createDirectory(atPath: inner, withIntermediateDirectories: true)
    for (ceiling, found) in [
      (fixture.path + "/a", false), (fixture.path + "/a/", false), (inner, true), (fixture.path, false),
      ("relative/a", true), ("/nonexistent:" + fixture.path + "/a", false),
    ] {
      let environment = ["GIT_CEILING_DIRECTORIES": ceiling]
      let git = try Shell.run(
        Shell.git, ["rev-parse", "--show-toplevel"], in: inner, environment: environment, home: fixture.home)
      #expect((git.status == 0) == found, "git with \(ceiling): \(git.stderr)")
      let octo = try OctoGitBinary.run(["usage", "pending"], in: inner, home: fixture.home, environment: environment)
      #expect(
        octo.status == (found ? 0 : ExitStatus.notARepository.rawValue), "octo-git with \(ceiling): \(octo.stderr)")
    }
    // Through a symlink, as git resolves it; after an empty entry, as written (so a symlink never matches).
    let link = fixture.root + "/link"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.path)
    for (ceiling, found) in [(link + "/a", false), (":" + link + "/a", true)] {
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
    let remote = fixture.root + "/remote.git"
    try fixture.git("init", "-q", "--bare", remote)
    try fixture.git("remote", "add", "origin", remote)
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
