import Foundation

/// Calendar buckets for reports — day, ISO week, month, billing cycle — computed from a UTC offset with
/// plain integer arithmetic (fast enough for hundreds of thousands of events).
public struct CalendarMath: Sendable {
  public let timeZone: TimeZone

  public init(timeZone: TimeZone) { self.timeZone = timeZone }

  /// A civil date.
  public struct Day: Hashable, Comparable, Sendable {
    public let year: Int
    public let month: Int
    public let day: Int

    public static func < (lhs: Day, rhs: Day) -> Bool {
      (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var text: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// The day after this one.
    public var next: Day {
      CalendarMath.civil(fromDays: Timestamp.daysFromCivil(year: year, month: month, day: day) + 1)
    }

    /// The day before this one.
    public var previous: Day {
      CalendarMath.civil(fromDays: Timestamp.daysFromCivil(year: year, month: month, day: day) - 1)
    }
  }

  /// The local date of `date` in this calendar's time zone.
  public func day(of date: Date) -> Day {
    let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
    return Self.civil(fromDays: Self.floorDivide(seconds, 86_400))
  }

  /// `YYYY-MM-DD HH:MM`, the local date and time of `date` in this calendar's time zone (to the minute).
  public func minute(of date: Date) -> String {
    let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
    let inDay = Self.floorModulo(seconds, 86_400)
    return day(of: date).text + String(format: " %02d:%02d", inDay / 3600, inDay % 3600 / 60)
  }

  /// The first instant of `day` in this time zone.
  public func start(of day: Day) -> Date {
    let midnightUTC = Timestamp.daysFromCivil(year: day.year, month: day.month, day: day.day) * 86_400
    // The offset at local midnight can differ from the one at UTC midnight across a DST change: take the
    // offset in force at the first guess, then once more at the corrected instant.
    let first = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(midnightUTC)))
    let second = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(midnightUTC - first)))
    return Date(timeIntervalSince1970: TimeInterval(midnightUTC - second))
  }

  /// `YYYY-Www`, the ISO-8601 week (Monday first; week 1 holds the year's first Thursday).
  public func isoWeek(of date: Date) -> String { Self.isoWeek(of: day(of: date)) }

  /// `YYYY-Www` of a civil date.
  public static func isoWeek(of local: Day) -> String {
    let days = Timestamp.daysFromCivil(year: local.year, month: local.month, day: local.day)
    let weekday = floorModulo(days + 3, 7)  // 0 = Monday (1970-01-01 was a Thursday)
    let thursday = civil(fromDays: days - weekday + 3)
    let firstOfYear = Timestamp.daysFromCivil(year: thursday.year, month: 1, day: 1)
    let week = (days - weekday + 3 - firstOfYear) / 7 + 1
    return String(format: "%04d-W%02d", thursday.year, week)
  }

  /// `YYYY-MM`.
  public func month(of date: Date) -> String {
    let local = day(of: date)
    return String(format: "%04d-%02d", local.year, local.month)
  }

  /// The billing cycle holding `date` when cycles start on day `startDay` (1–31) of each month: from that
  /// day to the day before the next cycle starts. Returned as its first and last day.
  ///
  /// A cycle starts on `min(startDay, the month's last day)`, as billing systems do: with `startDay` 31
  /// the cycles are Jan 31–Feb 27, Feb 28–Mar 30, Mar 31–Apr 29, Apr 30–May 30…
  public func cycle(of date: Date, startDay: Int) -> (first: Day, last: Day) {
    Self.cycle(of: day(of: date), startDay: startDay)
  }

  /// The billing cycle holding the civil date `local`.
  public static func cycle(of local: Day, startDay: Int) -> (first: Day, last: Day) {
    var year = local.year
    var month = local.month
    if local.day < cycleStart(year: year, month: month, startDay: startDay) {
      month -= 1
      if month == 0 { (year, month) = (year - 1, 12) }
    }
    let first = Day(year: year, month: month, day: cycleStart(year: year, month: month, startDay: startDay))
    var nextYear = year
    var nextMonth = month + 1
    if nextMonth == 13 { (nextYear, nextMonth) = (year + 1, 1) }
    let nextStart = Timestamp.daysFromCivil(
      year: nextYear, month: nextMonth, day: cycleStart(year: nextYear, month: nextMonth, startDay: startDay))
    return (first, civil(fromDays: nextStart - 1))
  }

  /// The day a cycle starting on `startDay` starts in `month` of `year`: that day, or the month's last day
  /// when the month is shorter.
  public static func cycleStart(year: Int, month: Int, startDay: Int) -> Int {
    max(1, min(startDay, Timestamp.daysInMonth(year: year, month: month)))
  }

  /// The UTC offsets in force between two instants: each with the instant it starts at (the first at
  /// `start`), in milliseconds, so a query can turn instants into local days without a time-zone library.
  public func offsets(from start: Date, to end: Date) -> [(startMs: Int64, offsetMs: Int64)] {
    var result = [(Timestamp.milliseconds(start), Int64(timeZone.secondsFromGMT(for: start)) * 1000)]
    var moment = start
    while let next = timeZone.nextDaylightSavingTimeTransition(after: moment), next < end, result.count < 10_000 {
      result.append((Timestamp.milliseconds(next), Int64(timeZone.secondsFromGMT(for: next)) * 1000))
      moment = next
    }
    return result
  }

  static func civil(fromDays days: Int) -> Day {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return Day(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
  }

  static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : (a - b + 1) / b }
  static func floorModulo(_ a: Int, _ b: Int) -> Int { ((a % b) + b) % b }
}
