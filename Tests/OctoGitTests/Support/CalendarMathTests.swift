import Foundation
import Testing

@testable import OctoGit

@Suite("Calendar buckets and timestamps")
struct CalendarMathTests {
  let utc = CalendarMath(timeZone: TimeZone(identifier: "UTC")!)

  @Test(
    "ISO weeks at year boundaries",
    arguments: [
      ("2026-01-01", "2026-W01"), ("2027-01-01", "2026-W53"), ("2024-12-30", "2025-W01"), ("2021-01-03", "2020-W53"),
    ])
  func isoWeeks(_ day: String, _ week: String) {
    #expect(utc.isoWeek(of: Timestamp.parse(day)!) == week)
  }

  @Test("a billing cycle starting on the 19th runs to the 18th of the next month, across years")
  func cycles() {
    let inside = utc.cycle(of: Timestamp.parse("2026-11-23T10:00:00Z")!, startDay: 19)
    #expect(inside.first.text == "2026-11-19" && inside.last.text == "2026-12-18")
    let before = utc.cycle(of: Timestamp.parse("2026-11-18T23:59:59Z")!, startDay: 19)
    #expect(before.first.text == "2026-10-19" && before.last.text == "2026-11-18")
    let january = utc.cycle(of: Timestamp.parse("2027-01-05T00:00:00Z")!, startDay: 19)
    #expect(january.first.text == "2026-12-19" && january.last.text == "2027-01-18")
    let first = utc.cycle(of: Timestamp.parse("2026-02-28T12:00:00Z")!, startDay: 1)
    #expect(first.first.text == "2026-02-01" && first.last.text == "2026-02-28")
  }

  @Test("days follow the time zone")
  func timeZones() {
    let tokyo = CalendarMath(timeZone: TimeZone(identifier: "Asia/Tokyo")!)
    let instant = Timestamp.parse("2026-11-18T20:00:00Z")!
    #expect(utc.day(of: instant).text == "2026-11-18")
    #expect(tokyo.day(of: instant).text == "2026-11-19")
    #expect(tokyo.cycle(of: instant, startDay: 19).first.text == "2026-11-19")
    let berlin = CalendarMath(timeZone: TimeZone(identifier: "Europe/Berlin")!)
    // The day DST ends in Berlin starts at 22:00 UTC the evening before.
    #expect(
      Timestamp.format(berlin.start(of: CalendarMath.Day(year: 2026, month: 10, day: 25))) == "2026-10-24T22:00:00.000Z"
    )
  }

  @Test("timestamps parse with fractions and offsets, and format in UTC with milliseconds")
  func timestamps() {
    #expect(Timestamp.format(Timestamp.parse("2026-03-01T22:38:47.557Z")!) == "2026-03-01T22:38:47.557Z")
    #expect(Timestamp.format(Timestamp.parse("2026-03-01T23:38:47+01:00")!) == "2026-03-01T22:38:47.000Z")
    #expect(Timestamp.format(Timestamp.parse("2026-03-01")!) == "2026-03-01T00:00:00.000Z")
    #expect(Timestamp.format(Timestamp.parse("0999-01-02T03:04:05.006Z")!) == "0999-01-02T03:04:05.006Z")
    #expect(Timestamp.format(Date(timeIntervalSince1970: 0.9999)) == "1970-01-01T00:00:00.999Z")
    for bad in ["2026-13-01", "yesterday", "2026-03-01T25:00:00Z", "2026-03-01T10:00:00"] {
      #expect(Timestamp.parse(bad) == nil, "\(bad)")
    }
  }
}
