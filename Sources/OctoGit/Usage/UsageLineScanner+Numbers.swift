import Foundation

/// The numbers of a usage line read from their bytes: token counts, canonical times, costs as pico-dollars.
extension UsageLineScanner {
  /// A token count written in plain digits, at most ``UsageLimits/maxTokens``; `nil` otherwise (a sign,
  /// a fraction, an exponent, or a count no request has).
  static func wholeNumber(_ digits: UnsafeBufferPointer<UInt8>) -> Int? {
    // `-0` is zero, as the general parser reads it; any other sign is not a count.
    var start = digits.first == UInt8(ascii: "-") ? 1 : 0
    if start == 1 { guard digits.dropFirst().allSatisfy({ $0 == UInt8(ascii: "0") }) else { return nil } }
    while digits.count - start > 1, digits[start] == UInt8(ascii: "0") { start += 1 }
    guard start < digits.count, digits.count - start <= 16 else { return nil }
    var value = 0
    for byte in digits[start...] {
      guard (48...57).contains(byte) else { return nil }
      value = value * 10 + Int(byte - 48)
    }
    return value <= UsageLimits.maxTokens ? value : nil
  }

  /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (as octo-git writes times) in milliseconds; `nil` for any other spelling.
  static func canonicalTime(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard text.count == 24, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"), text[10] == UInt8(ascii: "T"),
      text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"), text[19] == UInt8(ascii: "."),
      text[23] == UInt8(ascii: "Z")
    else { return nil }
    func number(_ from: Int, _ length: Int) -> Int? {
      var value = 0
      for index in from..<(from + length) {
        let byte = text[index]
        guard (48...57).contains(byte) else { return nil }
        value = value * 10 + Int(byte - 48)
      }
      return value
    }
    guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
      let minute = number(14, 2), let second = number(17, 2), let millisecond = number(20, 3),
      (1...12).contains(month), day >= 1, day <= Timestamp.daysInMonth(year: year, month: month), hour < 24,
      minute < 60, second < 61
    else { return nil }
    let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
    return Int64(((days * 24 + hour) * 60 + minute) * 60 + second) * 1000 + Int64(millisecond)
  }

  /// For a JSON number written with digits and at most a dot: the part that is its plain decimal text
  /// without needless zeros (`1.50` → `1.5`, `2.0` → `2`, `007` → `7`); `nil` for any other spelling (a
  /// sign, an exponent).
  static func plainDigits(_ number: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
    var hasDot = false
    for byte in number {
      if byte == UInt8(ascii: ".") {
        hasDot = true
      } else if !(48...57).contains(byte) {
        return nil
      }
    }
    var lower = 0
    var upper = number.count
    if hasDot {
      while upper > lower, number[upper - 1] == UInt8(ascii: "0") { upper -= 1 }
      if upper > lower, number[upper - 1] == UInt8(ascii: ".") { upper -= 1 }
    }
    while upper - lower > 1, number[lower] == UInt8(ascii: "0"), number[lower + 1] != UInt8(ascii: ".") { lower += 1 }
    return lower..<upper
  }

  /// Plain decimal text (`12.345`) as pico-dollars, when it has at most twelve decimals and fits.
  static func picoDollars<Digits: Sequence<UInt8>>(_ plain: Digits) -> Int64? {
    var whole: Int64 = 0
    var fraction: Int64 = 0
    var fractionDigits = 0
    var seenDot = false
    for byte in plain {
      if byte == UInt8(ascii: ".") {
        seenDot = true
        continue
      }
      let digit = Int64(byte &- 48)
      if seenDot {
        fractionDigits += 1
        if fractionDigits > 12 { return nil }
        fraction = fraction * 10 + digit
      } else {
        let (times, overflow) = whole.multipliedReportingOverflow(by: 10)
        let (sum, carried) = times.addingReportingOverflow(digit)
        if overflow || carried { return nil }
        whole = sum
      }
    }
    for _ in fractionDigits..<12 { fraction *= 10 }
    let (scaled, overflow) = whole.multipliedReportingOverflow(by: 1_000_000_000_000)
    if overflow { return nil }
    let (total, overflowed) = scaled.addingReportingOverflow(fraction)
    return overflowed ? nil : total
  }
}
