import Foundation

/// An amount of USD as a whole number of pico-dollars (10⁻¹² USD): the one money type of usage events, their
/// sums and the reports made of them.
///
/// 128 bits hold any event's cost (at most 10⁹ USD, 10²¹ pico-dollars) and any sum of them; arithmetic is
/// checked (``adding(_:)`` returns `nil` rather than trapping). A cost written with more than twelve decimals
/// (an agent's binary floating-point figure) is rounded to the nearest pico-dollar, ties to even.
public struct PicoDollars: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The amount in pico-dollars.
  public var count: Int128

  public static let zero = PicoDollars(count: 0)
  /// Pico-dollars in one USD.
  static let perDollar: Int128 = 1_000_000_000_000

  public init(count: Int128) { self.count = count }

  public init(_ count: Int64) { self.count = Int128(count) }

  public static func < (lhs: PicoDollars, rhs: PicoDollars) -> Bool { lhs.count < rhs.count }

  /// `self + other`, or `nil` when that does not fit.
  public func adding(_ other: PicoDollars) -> PicoDollars? {
    let (sum, overflow) = count.addingReportingOverflow(other.count)
    return overflow ? nil : PicoDollars(count: sum)
  }

  /// The amount as a 64-bit count, when it fits (what SQLite stores).
  public var int64: Int64? { Int64(exactly: count) }

  /// The amount in plain decimal notation without needless zeros (`12.345`, `0.000003`, `7`): what usage
  /// lines, JSON and CSV carry.
  public var plainText: String {
    let magnitude = count.magnitude
    let whole = magnitude / UInt128(Self.perDollar)
    var fraction = magnitude % UInt128(Self.perDollar)
    var text = (count < 0 ? "-" : "") + String(whole)
    guard fraction > 0 else { return text }
    var digits = 12
    while fraction % 10 == 0 {
      fraction /= 10
      digits -= 1
    }
    let written = String(fraction)
    text += "." + String(repeating: "0", count: digits - written.utf8.count) + written
    return text
  }

  public var description: String { plainText }

  /// The amount as a `Decimal` (exact: at most 38 digits), for formatting and budgets.
  public var decimal: Decimal { Decimal(string: plainText, locale: Locale(identifier: "en_US_POSIX")) ?? 0 }

  /// `usd` rounded to the nearest pico-dollar (ties to even); `nil` when it does not fit in 128 bits.
  public init?(rounding usd: Decimal) {
    guard usd.isFinite else { return nil }
    var text = CanonicalJSON.plain(usd)
    guard let amount = text.withUTF8({ Self.amount(jsonNumber: $0, allowsNegative: true) }) else { return nil }
    self = amount
  }

  /// Plain decimal text (`12.340000`, as PostgreSQL writes a `numeric`, or any JSON number) as an amount,
  /// rounded past twelve decimals; `nil` when it is not a number or does not fit.
  public init?(plain text: String) {
    guard let amount = Self.amount(jsonNumber: text.utf8, allowsNegative: true) else { return nil }
    self = amount
  }

  /// Reads a JSON number's text, rounding past twelve decimals; `nil` when the text is not a JSON number, the
  /// amount does not fit in 128 bits, or it is negative and `allowsNegative` is false.
  static func amount<Bytes: Collection<UInt8>>(jsonNumber text: Bytes, allowsNegative: Bool) -> PicoDollars? {
    // Read without allocating (every cost of every line a rollup reads comes here): the first 38
    // significant digits into one integer, the ones after only as "not all zero", for rounding.
    var index = text.startIndex
    func peek() -> UInt8? { index < text.endIndex ? text[index] : nil }
    var negative = false
    if peek() == UInt8(ascii: "-") {
      negative = true
      text.formIndex(after: &index)
    }
    var mantissa: Int128 = 0
    var significant = 0
    var droppedNonZero = false
    // The amount is (mantissa + what was dropped) × 10^(pointShift + exponent) USD.
    var pointShift = 0
    func digit(_ byte: UInt8, afterPoint: Bool) {
      if significant == 0, byte == UInt8(ascii: "0") {
        if afterPoint { pointShift -= 1 }
        return
      }
      if significant < 38 {
        mantissa = mantissa * 10 + Int128(byte - 48)
        significant += 1
        if afterPoint { pointShift -= 1 }
      } else {
        if byte != UInt8(ascii: "0") { droppedNonZero = true }
        if !afterPoint { pointShift += 1 }
      }
    }
    // JSON: a single 0 or a digit 1-9 followed by digits.
    guard let first = peek(), (48...57).contains(first) else { return nil }
    if first == UInt8(ascii: "0") {
      text.formIndex(after: &index)
      if let next = peek(), (48...57).contains(next) { return nil }
    } else {
      while let byte = peek(), (48...57).contains(byte) {
        digit(byte, afterPoint: false)
        text.formIndex(after: &index)
      }
    }
    if peek() == UInt8(ascii: ".") {
      text.formIndex(after: &index)
      var fractionDigits = 0
      while let byte = peek(), (48...57).contains(byte) {
        digit(byte, afterPoint: true)
        fractionDigits += 1
        text.formIndex(after: &index)
      }
      guard fractionDigits > 0 else { return nil }
    }
    var exponent = 0
    if let byte = peek(), byte | 0x20 == UInt8(ascii: "e") {
      text.formIndex(after: &index)
      var exponentNegative = false
      if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") {
        exponentNegative = peek() == UInt8(ascii: "-")
        text.formIndex(after: &index)
      }
      var exponentDigits = 0
      while let byte = peek(), (48...57).contains(byte) {
        // Saturated past any text's length (the digits before it cannot make up for more): no overflow.
        exponent = exponent < 100_000_000_000 ? exponent * 10 + Int(byte - 48) : 1_000_000_000_000
        exponentDigits += 1
        text.formIndex(after: &index)
      }
      guard exponentDigits > 0 else { return nil }
      if exponentNegative { exponent = -exponent }
    }
    guard index == text.endIndex else { return nil }
    if negative, !allowsNegative, significant > 0 { return nil }
    guard significant > 0 else { return .zero }
    // In pico-dollars: (mantissa + dropped) × 10^scale.
    let scale = pointShift + exponent + 12
    var value: Int128
    if scale >= 0 {
      guard !droppedNonZero, significant + scale <= 38 else { return nil }
      value = mantissa
      for _ in 0..<scale { value *= 10 }
    } else {
      let places = -scale
      // Below a tenth of a pico-dollar: rounds to zero.
      guard places <= 38 else { return .zero }
      var divisor: Int128 = 1
      for _ in 0..<places { divisor *= 10 }
      value = mantissa / divisor
      let remainder = mantissa % divisor
      let half = divisor / 2
      if remainder > half || (remainder == half && (droppedNonZero || value % 2 == 1)) { value += 1 }
    }
    return PicoDollars(count: negative ? -value : value)
  }
}
