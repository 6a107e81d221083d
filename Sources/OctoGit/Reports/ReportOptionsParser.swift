import Foundation

/// Turns report flags (and their git config defaults) into ``ReportOptions``, with one-line errors.
public enum ReportOptionsParser {
  public static func parse(
    by: String, cycleDay: Int?, since: String?, until: String?, timeZone: String?, config: Config, now: Date = Date()
  ) throws -> ReportOptions {
    guard let dimension = ReportDimension(rawValue: by.lowercased()) else {
      throw OctoError(
        "cannot group by '\(by)'",
        hint: "use one of \(ReportDimension.allCases.map(\.rawValue).joined(separator: ", "))",
        status: .usage)
    }
    let period = try parsePeriod(
      cycleDay: cycleDay, since: since, until: until, timeZone: timeZone, config: config, now: now)
    return ReportOptions(
      dimension: dimension, since: period.since, until: period.until, timeZone: period.timeZone,
      cycleDay: period.cycleDay)
  }

  /// The time part of a report's flags: time zone (`--tz`, else `octo.timeZone`, else local), billing
  /// cycle start (`--cycle-day`, else `octo.cycleDay`, else 1; 1–31, a cycle starting on the month's last
  /// day in months shorter than that), and the period, read by ``DateText`` (a plain date is a day in that
  /// time zone, `--until` included; `today`, `yesterday` and ages such as `7d` count from `now`).
  public static func parsePeriod(
    cycleDay: Int?, since: String?, until: String?, timeZone: String?, config: Config, now: Date = Date()
  ) throws -> (since: Date?, until: Date?, timeZone: TimeZone, cycleDay: Int) {
    let zoneName = try timeZone ?? config.string("octo.timeZone") ?? "local"
    let zone: TimeZone
    if zoneName == "local" {
      zone = .current
    } else if let named = TimeZone(identifier: zoneName) {
      zone = named
    } else if timeZone == nil {
      // A setting is input read from a file, not the command line.
      throw OctoError.badInput(
        "git config octo.timeZone names no time zone: '\(SafeText.terminal(zoneName))'",
        hint: "set an IANA name such as Europe/Berlin, or local, with git config octo.timeZone")
    } else {
      throw OctoError(
        "unknown time zone '\(SafeText.terminal(zoneName))'", hint: "use an IANA name such as Europe/Berlin, or local",
        status: .usage)
    }
    let day: Int
    if let cycleDay {
      guard cycleDayRange.contains(cycleDay) else {
        throw OctoError(
          "--cycle-day must be a day of the month, 1 to 31, not \(cycleDay)", hint: "e.g. --cycle-day 19",
          status: .usage)
      }
      day = cycleDay
    } else if let configured = try config.int("octo.cycleDay") {
      // A setting is input read from a file, not the command line.
      guard cycleDayRange.contains(configured) else {
        throw OctoError.badInput(
          "git config octo.cycleDay must be a day of the month, 1 to 31, not \(configured)",
          hint: "set it with git config octo.cycleDay 19")
      }
      day = configured
    } else {
      day = 1
    }
    let start = try since.map { try DateText.instant($0, edge: .start, timeZone: zone, now: now, option: "--since") }
    let end = try until.map { try DateText.instant($0, edge: .end, timeZone: zone, now: now, option: "--until") }
    if let start, let end, start >= end, let since, let until {
      throw OctoError(
        "--since \(since) is not before --until \(until): the period is empty",
        hint: "--until includes its day; swap them if they are the wrong way round", status: .usage)
    }
    return (start, end, zone, day)
  }

  /// The days of the month a billing cycle may start on.
  public static let cycleDayRange = 1...31
}
