import Foundation
import Testing

@testable import OctoGit

/// Issue 16: dates people write (impossible ones refused, relative ones everywhere) and billing cycles starting on
/// days 29–31.
@Suite("Dates and billing cycles")
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

  @Test("usage, rollup and checkpoints prune share the date parser: impossible dates, ages exit 2; relative ones work")
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
      // Ages past any date: one line, never a trap.
      ["usage", "--since", "999999999999999d"], ["rollup", "--until", "99999999999999999999w"],
      ["usage", "--since", "1157407407d"], ["usage", "--until", "1d99999999999999999999s"],
      ["usage", "--until", "2026-01-01T00:00:00+99:00"], ["usage", "--since", "2026-01-01T00:00:00+05:75"],
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

  @Test("days before 1970 and in zones whose offset was no multiple of 15 minutes are the events' local days")
  func oldDays() throws {
    let fixture = try TestRepository()
    let lines = [
      #"{"at":"1969-12-31T23:50:00.000Z","id":"before-1970","in":1,"model":"m","v":1}"#,
      #"{"at":"1971-06-01T00:44:40.000Z","id":"monrovia","in":2,"model":"m","v":1}"#,
    ]
    try fixture.git("notes", "--ref=octo/usage", "add", "-m", lines.joined(separator: "\n"), "HEAD")
    func days(_ zone: String) throws -> [String: Int] {
      let report = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "day", "--tz", zone, "--json"))
      var found: [String: Int] = [:]
      for row in report["rows"]?.arrayValue ?? [] {
        if let key = row["key"]?.stringValue { found[key] = row["in"]?.intValue }
      }
      return found
    }
    #expect(try days("UTC") == ["1969-12-31": 1, "1971-06-01": 2])
    // Liberia kept -0:44:30 until 1972: 00:44:40 UTC was 00:00:10 there.
    #expect(try days("Africa/Monrovia") == ["1969-12-31": 1, "1971-06-01": 2])
  }
}
