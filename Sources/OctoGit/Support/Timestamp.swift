import Foundation

/// ISO-8601 timestamps as octo-git writes them (UTC, milliseconds: `2026-11-23T13:45:01.123Z`) and as
/// agents write them (any fraction, `Z` or an offset).
public enum Timestamp {
  /// `date` in UTC with milliseconds.
  public static func format(_ date: Date) -> String {
    let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    var seconds = time_t(totalMilliseconds >= 0 ? totalMilliseconds / 1000 : (totalMilliseconds - 999) / 1000)
    let milliseconds = Int(totalMilliseconds - Int64(seconds) * 1000)
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
        put(year, 4); put("-"); put(Int(parts.tm_mon) + 1, 2); put("-"); put(Int(parts.tm_mday), 2); put("T")
        put(Int(parts.tm_hour), 2); put(":"); put(Int(parts.tm_min), 2); put(":"); put(Int(parts.tm_sec), 2)
        put("."); put(milliseconds, 3); put("Z")
        return position
      }
    }
    func pad(_ value: Int32, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
      + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, or a plain date `YYYY-MM-DD` (midnight UTC).
  /// Returns `nil` for anything else.
  public static func parse(_ text: String) -> Date? {
    var copy = text
    return copy.withUTF8 { parse(bytes: $0) }
  }

  /// ``parse(_:)`` of UTF-8 text.
  static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
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
      (1...12).contains(month), (1...31).contains(day)
    else { return nil }
    var hour = 0
    var minute = 0
    var second = 0
    var fraction = 0.0
    var offset = 0
    if position < bytes.count {
      guard take("T") || take(" "), let h = number(2), take(":"), let m = number(2), take(":"), let s = number(2),
        h < 24, m < 60, s < 61
      else { return nil }
      (hour, minute, second) = (h, m, s)
      if take(".") || take(",") {
        var scale = 0.1
        let start = position
        while position < bytes.count, (48...57).contains(bytes[position]) {
          fraction += Double(bytes[position] - 48) * scale
          scale /= 10
          position += 1
        }
        guard position > start else { return nil }
      }
      if take("Z") || take("z") {
      } else if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
        let sign = bytes[position] == UInt8(ascii: "-") ? -1 : 1
        position += 1
        guard let oh = number(2) else { return nil }
        _ = take(":")
        let om = number(2) ?? 0
        offset = sign * (oh * 3600 + om * 60)
      } else {
        return nil
      }
      guard position == bytes.count else { return nil }
    }
    let days = daysFromCivil(year: year, month: month, day: day)
    let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
    return Date(timeIntervalSince1970: seconds)
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
