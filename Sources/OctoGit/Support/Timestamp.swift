import Foundation

/// ISO-8601 timestamps as octo-git writes them (UTC, milliseconds: `2026-11-23T13:45:01.123Z`) and as
/// agents write them (any fraction, `Z` or an offset).
public enum Timestamp {
  /// `date` in UTC with milliseconds.
  public static func format(_ date: Date) -> String { format(milliseconds: milliseconds(date)) }

  /// `date` in whole milliseconds since 1970, clamped to the years 0 to 9999 (a time from outside may be
  /// anything: never a trap).
  ///
  /// Rounded down, as a time is written, but a microsecond's worth up first: a time read from `…01.123Z` is a
  /// binary fraction a hair below 123 ms as often as above it, and must come back as 123.
  public static func milliseconds(_ date: Date) -> Int64 {
    let seconds1970 = date.timeIntervalSince1970
    let bounded = seconds1970.isFinite ? min(max(seconds1970, -62_167_219_200), 253_402_300_800) : 0
    return min(Int64((bounded * 1000 + 0.001).rounded(.down)), 253_402_300_799_999)
  }

  /// A time in milliseconds since 1970, in UTC with milliseconds.
  public static func format(milliseconds: Int64) -> String {
    let totalMilliseconds = min(max(milliseconds, -62_167_219_200_000), 253_402_300_799_999)
    var seconds = time_t(totalMilliseconds >= 0 ? totalMilliseconds / 1000 : (totalMilliseconds - 999) / 1000)
    let millisecondPart = Int(totalMilliseconds - Int64(seconds) * 1000)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    let year = Int(parts.tm_year) + 1900
    if (0...9999).contains(year) {
      // Written digit by digit: an import formats tens of thousands of times.
      return String(unsafeUninitializedCapacity: 24) { out in
        var position = 0
        func put(_ value: Int, _ width: Int) {
          var divisor = 1
          for _ in 1..<width { divisor *= 10 }
          while divisor > 0 {
            out[position] = UInt8(48 + (value / divisor) % 10)
            position += 1
            divisor /= 10
          }
        }
        func put(_ byte: Unicode.Scalar) {
          out[position] = UInt8(ascii: byte)
          position += 1
        }
        put(year, 4)
        put("-")
        put(Int(parts.tm_mon) + 1, 2)
        put("-")
        put(Int(parts.tm_mday), 2)
        put("T")
        put(Int(parts.tm_hour), 2)
        put(":")
        put(Int(parts.tm_min), 2)
        put(":")
        put(Int(parts.tm_sec), 2)
        put(".")
        put(millisecondPart, 3)
        put("Z")
        return position
      }
    }
    func pad(_ value: Int32, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
      + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millisecondPart), 3))Z"
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, or a plain date `YYYY-MM-DD` (midnight UTC).
  /// Returns `nil` for anything else, impossible dates included (`2026-02-30`, `2026-04-31`).
  public static func parse(_ text: String) -> Date? {
    var copy = text
    return copy.withUTF8 { parse(bytes: $0) }
  }

  /// ``parse(_:)`` of UTF-8 text.
  static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
    guard let (seconds, nanoseconds) = parseExactly(bytes) else { return nil }
    return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1_000_000_000)
  }

  /// ``parse(_:)``'s time in whole milliseconds since 1970, the fraction cut after three digits as a line's
  /// time is written (read exactly, never through a binary fraction), clamped as ``milliseconds(_:)``.
  static func milliseconds(text: String) -> Int64? {
    var copy = text
    guard let (seconds, nanoseconds) = copy.withUTF8({ parseExactly($0) }) else { return nil }
    return min(max(seconds * 1000 + nanoseconds / 1_000_000, -62_167_219_200_000), 253_402_300_799_999)
  }

  /// The seconds since 1970 and the nanoseconds after them (the fraction's first nine digits) of a time
  /// ``parse(_:)`` takes.
  private static func parseExactly(_ bytes: UnsafeBufferPointer<UInt8>) -> (seconds: Int64, nanoseconds: Int64)? {
    var position = 0
    func number(_ digits: Int) -> Int? {
      guard position + digits <= bytes.count else { return nil }
      var value = 0
      for _ in 0..<digits {
        let byte = bytes[position]
        guard (48...57).contains(byte) else { return nil }
        value = value * 10 + Int(byte - 48)
        position += 1
      }
      return value
    }
    func take(_ character: Unicode.Scalar) -> Bool {
      guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
      position += 1
      return true
    }
    guard let year = number(4), take("-"), let month = number(2), take("-"), let day = number(2),
      (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month)
    else { return nil }
    var hour = 0
    var minute = 0
    var second = 0
    var nanoseconds: Int64 = 0
    var offset = 0
    if position < bytes.count {
      guard take("T") || take(" "), let h = number(2), take(":"), let m = number(2), take(":"), let s = number(2),
        h < 24, m < 60, s < 61
      else { return nil }
      (hour, minute, second) = (h, m, s)
      if take(".") || take(",") {
        var scale: Int64 = 100_000_000
        let start = position
        while position < bytes.count, (48...57).contains(bytes[position]) {
          nanoseconds += Int64(bytes[position] - 48) * scale
          scale /= 10
          position += 1
        }
        guard position > start else { return nil }
      }
      if take("Z") || take("z") {
      } else if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
        let sign = bytes[position] == UInt8(ascii: "-") ? -1 : 1
        position += 1
        guard let oh = number(2), oh <= 23 else { return nil }
        _ = take(":")
        let om = number(2) ?? 0
        guard om <= 59 else { return nil }
        offset = sign * (oh * 3600 + om * 60)
      } else {
        return nil
      }
      guard position == bytes.count else { return nil }
    }
    let days = daysFromCivil(year: year, month: month, day: day)
    return (Int64(days * 86_400 + hour * 3600 + minute * 60 + second - offset), nanoseconds)
  }

  /// How many days `month` (1–12) of `year` has in the proleptic Gregorian calendar.
  public static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }
}

/// A point in time as people write it on a command line: the one parser behind every option that takes a
/// date (`usage` and `rollup` `--since`/`--until`, `checkpoints prune --older-than`).
///
/// Accepted: a day `YYYY-MM-DD` (a day in the given time zone), an ISO-8601 time with `Z` or an offset,
/// `today`, `yesterday`, `now`, or an age counted back from now as ``DurationText`` reads it (`90s`, `30m`,
/// `12h`, `7d`, `2w`, `1d12h`). Impossible dates (`2026-02-30`) are refused, never rolled over.
public enum DateText {
  /// Which instant of a day a day stands for.
  public enum Edge: Sendable {
    /// The day's first instant (`--since`).
    case start
    /// The next day's first instant: an exclusive end that takes the whole day in (`--until`).
    case end
  }

  /// The accepted forms, for hints and help.
  public static let forms = "YYYY-MM-DD, an ISO-8601 time, today, yesterday, or an age such as 12h, 7d, 2w"

  /// The instant `text` names.
  ///
  /// - Parameters:
  ///   - edge: for a day (`YYYY-MM-DD`, `today`, `yesterday`): its start, or its end (the next day's start).
  ///   - timeZone: the zone days are in.
  ///   - now: the present, for `today`, `yesterday`, `now` and ages.
  ///   - option: the flag the text came from (e.g. `--since`), named in the error.
  /// - Throws: ``OctoError`` with ``ExitStatus/usage`` (a bad flag value), one line naming the value.
  public static func instant(
    _ text: String, edge: Edge = .start, timeZone: TimeZone, now: Date = Date(), option: String? = nil
  ) throws -> Date {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let calendar = CalendarMath(timeZone: timeZone)
    func instant(of day: CalendarMath.Day) -> Date { calendar.start(of: edge == .end ? day.next : day) }
    switch trimmed.lowercased() {
    case "now": return now
    case "today": return instant(of: calendar.day(of: now))
    case "yesterday": return instant(of: calendar.day(of: now).previous)
    default: break
    }
    if let day = day(trimmed) { return instant(of: day) }
    if let date = Timestamp.parse(trimmed) { return date }
    let subject = (option.map { "\($0) " } ?? "") + "'\(text)'"
    if let seconds = DurationText.seconds(trimmed) {
      let date = now.addingTimeInterval(-seconds)
      guard date.timeIntervalSince1970 >= -62_135_596_800 else {
        throw OctoError(
          "\(subject) reaches back before the year 1", hint: "use a shorter age or a date", status: .usage)
      }
      return date
    }
    if let reason = impossibility(trimmed) {
      throw OctoError("\(subject) is not a date: \(reason)", hint: "use \(forms)", status: .usage)
    }
    throw OctoError("\(subject) is not a date", hint: "use \(forms)", status: .usage)
  }

  /// The civil day of a plain `YYYY-MM-DD` that exists; `nil` for anything else.
  static func day(_ text: String) -> CalendarMath.Day? {
    guard let (year, month, day) = fields(text), (1...12).contains(month),
      (1...Timestamp.daysInMonth(year: year, month: month)).contains(day)
    else { return nil }
    return CalendarMath.Day(year: year, month: month, day: day)
  }

  /// Why text shaped like a date (`YYYY-MM-DD…`) names no day: `"month 13 does not exist"`,
  /// `"February 2026 has 28 days"`; `nil` when it is not shaped like one, or the day exists.
  static func impossibility(_ text: String) -> String? {
    guard let (year, month, day) = fields(String(text.prefix(10))) else { return nil }
    guard (1...12).contains(month) else { return "month \(month) does not exist" }
    let days = Timestamp.daysInMonth(year: year, month: month)
    guard (1...days).contains(day) else {
      let names = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
      ]
      return day == 0 ? "there is no day 0" : "\(names[month - 1]) \(year) has \(days) days"
    }
    return nil
  }

  /// Year, month and day of exactly `YYYY-MM-DD` (any numbers), or `nil`.
  static func fields(_ text: String) -> (year: Int, month: Int, day: Int)? {
    let bytes = Array(text.utf8)
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
    func number(_ range: Range<Int>) -> Int? {
      var value = 0
      for index in range {
        guard (48...57).contains(bytes[index]) else { return nil }
        value = value * 10 + Int(bytes[index] - 48)
      }
      return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
    return (year, month, day)
  }
}
