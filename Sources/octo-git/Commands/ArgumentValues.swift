import ArgumentParser
import Foundation
import OctoGit

// The values of `--by` and `--format`, read by the argument parser: `--help` lists them and shows the
// default once, and a wrong value is refused before anything runs, naming the values it takes.

extension ReportDimension: ExpressibleByArgument {
  /// `--by Model` reads as `--by model`.
  public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

extension ReportFormat: ExpressibleByArgument {
  public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

extension RollupFormat: ExpressibleByArgument {
  public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// `rollup --by repo,model,month`: one or more ``RollupDimension``s, comma-separated.
struct RollupGrouping: Sendable {
  var dimensions: [RollupDimension]

  static let byRepository = RollupGrouping(dimensions: [.repo])

  /// The help text of `--by` (the parser cannot show a list's values and default itself).
  static let help = ArgumentHelp(
    "Group by one or more of \(RollupDimension.allCases.map(\.rawValue).joined(separator: ", ")), comma-separated "
      + "(default: repo).",
    valueName: "by")

  init(dimensions: [RollupDimension]) { self.dimensions = dimensions }

  /// Reads `repo,month`; a name that is no dimension is refused with one line naming it.
  init(parsing text: String) throws {
    do {
      dimensions = try RollupDimension.parseList(text)
    } catch let error as OctoError {
      throw ValueError(error.description)
    }
  }
}

/// A value the parser refused, said in one line (shown after the value and the option it was given to).
struct ValueError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Checks shared by the commands' `validate()`.
enum ArgumentCheck {
  /// A library check of a flag's value run while the command line is validated: a usage error it throws
  /// becomes the parser's, so it is reported like every other bad argument (one line, exit 2).
  static func run(_ body: () throws -> Void) throws {
    do {
      try body()
    } catch let error as OctoError where error.status == .usage {
      throw ValidationError(error.description)
    }
  }

  /// ``run(_:)`` for a check that computes a value.
  static func runReturning<T>(_ body: () throws -> T) throws -> T {
    var result: T?
    try run { result = try body() }
    return result!
  }

  /// `--cycle-day` must be a day of the month.
  static func cycleDay(_ day: Int?) throws {
    guard let day, !ReportOptionsParser.cycleDayRange.contains(day) else { return }
    throw ValidationError("--cycle-day must be a day of the month, 1 to 31, not \(day)")
  }

  /// `--since` and `--until` must be dates or times the reports understand (checked again in the report's
  /// time zone when it runs).
  static func period(since: String?, until: String?) throws {
    try run {
      if let since { _ = try DateText.instant(since, edge: .start, timeZone: .current, option: "--since") }
      if let until { _ = try DateText.instant(until, edge: .end, timeZone: .current, option: "--until") }
    }
  }

  /// `--tz` must name a time zone (an IANA name, or `local`).
  static func timeZone(_ name: String?) throws {
    guard let name, name != "local", TimeZone(identifier: name) == nil else { return }
    throw ValidationError("unknown time zone '\(name)': use an IANA name such as Europe/Berlin, or local")
  }

  /// `--json` is `--format json`: with another `--format` the two disagree.
  static func json(_ json: Bool, format: String, default defaultFormat: String = "table") throws {
    guard json, format != "json", format != defaultFormat else { return }
    throw ValidationError("--json and --format \(format) disagree: give one of them")
  }

  /// A report's period and format flags: `--cycle-day`, `--since` and `--until`, `--tz`, then `--json` against
  /// `--format`.
  static func report(
    cycleDay day: Int?, since: String?, until: String?, timeZone name: String?, json flag: Bool, format: String
  ) throws {
    try cycleDay(day)
    try period(since: since, until: until)
    try timeZone(name)
    try json(flag, format: format)
  }

  /// A count that must not be negative (`--in -5`: the value is read, then refused).
  static func nonNegative(_ value: Int?, _ option: String, what: String = "number") throws {
    guard let value, value < 0 else { return }
    throw ValidationError("\(option) must be non-negative (a \(what)), not \(value)")
  }
}

extension OutputStyle {
  /// The style for stdout; with `wide`, tables are not cut to the terminal's width.
  static func standardOutput(wide: Bool) -> OutputStyle {
    var style = OutputStyle.forDescriptor(STDOUT_FILENO)
    if wide { style.width = nil }
    return style
  }
}
