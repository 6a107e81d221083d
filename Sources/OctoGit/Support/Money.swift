import Foundation

/// Exact money arithmetic: amounts are `Decimal` USD; sums never go through binary floating point.
public enum Money {
  /// `usd` as an integer number of pico-dollars (10⁻¹² USD) when that is exact and fits in 64 bits (a
  /// per-token price); `nil` otherwise.
  public static func picoDollars(_ usd: Decimal) -> Int64? {
    guard let amount = PicoDollars(rounding: usd), amount.decimal == usd else { return nil }
    return amount.int64
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

  /// An amount for people, as ``format(_:)-(Decimal)``.
  public static func format(_ amount: PicoDollars) -> String { format(amount.decimal) }

  /// An amount exactly, as ``exact(_:)-(Decimal)``.
  public static func exact(_ amount: PicoDollars) -> String { exact(amount.decimal) }

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
