import Foundation

/// Exact money arithmetic: amounts are `Decimal` USD; sums never go through binary floating point.
public enum Money {
  /// `usd` as an integer number of pico-dollars (10⁻¹² USD) when that is exact and fits in 64 bits;
  /// `nil` otherwise (the exact decimal is then kept as text).
  public static func picoDollars(_ usd: Decimal) -> Int64? {
    var scaled = usd * Decimal(sign: .plus, exponent: 12, significand: 1)
    var rounded = Decimal()
    NSDecimalRound(&rounded, &scaled, 0, .plain)
    guard rounded == scaled, rounded <= Decimal(Int64.max), rounded >= Decimal(Int64.min) else { return nil }
    return Int64(NSDecimalNumber(decimal: rounded).stringValue)
  }

  /// A pico-dollar count as USD.
  public static func usd(picoDollars: Int64) -> Decimal {
    Decimal(sign: .plus, exponent: -12, significand: Decimal(picoDollars))
  }

  /// A pico-dollar count as USD in plain decimal text without trailing zeros (what ``CanonicalJSON/plain(_:)``
  /// writes of the same amount), without decimal arithmetic.
  static func plainText(picoDollars: Int64) -> String {
    let magnitude = picoDollars.magnitude
    let whole = magnitude / 1_000_000_000_000
    var fraction = magnitude % 1_000_000_000_000
    var text = (picoDollars < 0 ? "-" : "") + String(whole)
    guard fraction > 0 else { return text }
    var digits = 12
    while fraction % 10 == 0 {
      fraction /= 10
      digits -= 1
    }
    let written = String(fraction)
    text += "." + String(repeating: "0", count: digits - written.count) + written
    return text
  }

  /// `usd` for people: to the cent, thousands separated (`$1,234.57`), `<$0.01` for a positive amount
  /// below a cent. The exact figure is in JSON, CSV and ``exact(_:)``.
  public static func format(_ usd: Decimal) -> String {
    var value = usd
    var cents = Decimal()
    NSDecimalRound(&cents, &value, 2, .plain)
    if cents == 0, usd > 0 { return "<$0.01" }
    let text = CanonicalJSON.plain(cents)
    let negative = text.hasPrefix("-")
    let digits = negative ? String(text.dropFirst()) : text
    let parts = digits.split(separator: ".", maxSplits: 1)
    let whole = Int(parts[0]).map { TextTable.grouped($0) } ?? String(parts[0])
    var fraction = parts.count > 1 ? String(parts[1]) : ""
    while fraction.count < 2 { fraction += "0" }
    return (negative ? "-$" : "$") + whole + "." + fraction
  }

  /// A plain decimal amount (`12.5`) for people (`$12.50`), as ``format(_:)``.
  public static func format(text plain: String) -> String {
    guard let value = Decimal(string: plain, locale: Locale(identifier: "en_US_POSIX")) else { return "$" + plain }
    return format(value)
  }

  /// `usd` exactly, with at least two decimals (`$12.3456`, `$0.000006`): for a chart's tooltip or a
  /// detail where the figure matters to the last digit.
  public static func exact(_ usd: Decimal) -> String {
    var text = CanonicalJSON.plain(usd)
    if let dot = text.firstIndex(of: ".") {
      let decimals = text.distance(from: dot, to: text.endIndex) - 1
      if decimals < 2 { text += String(repeating: "0", count: 2 - decimals) }
    } else {
      text += ".00"
    }
    return "$" + text
  }
}
