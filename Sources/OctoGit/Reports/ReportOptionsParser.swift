import Foundation

/// Turns report flags (and their git config defaults) into ``ReportOptions``, with one-line errors.
public enum ReportOptionsParser {
  public static func parse(
    by: String, cycleDay: Int?, since: String?, until: String?, timeZone: String?, config: Config
  ) throws -> ReportOptions {
    guard let dimension = ReportDimension(rawValue: by.lowercased()) else {
      throw OctoError(
        "cannot group by '\(by)'", hint: "use one of \(ReportDimension.allCases.map(\.rawValue).joined(separator: ", "))",
        status: .usage)
    }
    let period = try parsePeriod(cycleDay: cycleDay, since: since, until: until, timeZone: timeZone, config: config)
    return ReportOptions(
      dimension: dimension, since: period.since, until: period.until, timeZone: period.timeZone, cycleDay: period.cycleDay)
  }

  /// The time part of a report's flags: time zone (`--tz`, else `octo.timeZone`, else local), billing
  /// cycle start (`--cycle-day`, else `octo.cycleDay`, else 1), and the period (a plain date is a day in
  /// that time zone, `--until` included).
  public static func parsePeriod(
    cycleDay: Int?, since: String?, until: String?, timeZone: String?, config: Config
  ) throws -> (since: Date?, until: Date?, timeZone: TimeZone, cycleDay: Int) {
    let zoneName = try timeZone ?? config.string("octo.timeZone") ?? "local"
    let zone: TimeZone
    if zoneName == "local" {
      zone = .current
    } else if let named = TimeZone(identifier: zoneName) {
      zone = named
    } else {
      throw OctoError("unknown time zone '\(zoneName)'", hint: "use an IANA name such as Europe/Berlin, or local", status: .usage)
    }
    let day = try cycleDay ?? config.int("octo.cycleDay") ?? 1
    guard (1...28).contains(day) else {
      throw OctoError("a billing cycle must start on day 1 to 28, not \(day)", hint: "e.g. --cycle-day 19", status: .usage)
    }
    let calendar = CalendarMath(timeZone: zone)
    func instant(_ text: String, endOfDay: Bool) throws -> Date {
      if text.count == 10, let midnightUTC = Timestamp.parse(text) {
        // A plain date is a day in the report's time zone; --until includes it.
        let day = CalendarMath(timeZone: TimeZone(identifier: "UTC")!).day(of: midnightUTC)
        return calendar.start(of: endOfDay ? day.next : day)
      }
      guard let date = Timestamp.parse(text) else {
        throw OctoError("'\(text)' is not a date", hint: "use YYYY-MM-DD or an ISO-8601 time", status: .usage)
      }
      return date
    }
    return (
      try since.map { try instant($0, endOfDay: false) }, try until.map { try instant($0, endOfDay: true) }, zone, day
    )
  }
}
