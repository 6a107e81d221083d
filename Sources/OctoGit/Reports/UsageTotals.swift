import Foundation

/// Totals of a set of usage events: exact cost of the priced ones, tokens by class, and the unpriced
/// ones kept apart (never counted as $0).
///
/// Costs are kept as whole micro-dollars plus a pico-dollar remainder (integers, so sums are exact and
/// fast), and as a `Decimal` for the rare cost that has no exact pico-dollar value.
public struct UsageTotals: Equatable, Sendable {
  public var events = 0
  public var tokens = TokenCounts()
  public var unpricedEvents = 0
  public var unpricedTokens = 0

  private var microDollars: Int64 = 0
  /// Always in 0..<1,000,000 pico-dollars.
  private var picoRemainder: Int64 = 0
  private var extraCost: Decimal = 0

  public init() {}

  /// Exact USD of the priced events.
  public var cost: Decimal {
    Decimal(sign: .plus, exponent: -6, significand: Decimal(microDollars))
      + Decimal(sign: .plus, exponent: -12, significand: Decimal(picoRemainder)) + extraCost
  }

  /// ``cost`` in plain decimal notation (`12.345`), exact.
  public var costText: String {
    guard extraCost == 0, microDollars >= 0 else { return CanonicalJSON.plain(cost) }
    let dollars = microDollars / 1_000_000
    var fraction = (microDollars % 1_000_000) * 1_000_000 + picoRemainder  // twelve decimal digits
    if fraction == 0 { return String(dollars) }
    var digits = 12
    while fraction % 10 == 0 {
      fraction /= 10
      digits -= 1
    }
    let text = String(fraction)
    return "\(dollars)." + String(repeating: "0", count: digits - text.utf8.count) + text
  }

  /// Adds `pico` pico-dollars.
  private mutating func add(picoDollars pico: Int64) {
    add(microDollars: pico / 1_000_000)
    picoRemainder += pico % 1_000_000
    if picoRemainder >= 1_000_000 {
      picoRemainder -= 1_000_000
      add(microDollars: 1)
    }
  }

  private mutating func add(microDollars micro: Int64) {
    let (sum, overflow) = microDollars.addingReportingOverflow(micro)
    if overflow {
      extraCost += Decimal(sign: .plus, exponent: -6, significand: Decimal(micro))
    } else {
      microDollars = sum
    }
  }

  /// Adds one event's tokens and cost (as the cache stores it: pico-dollars, or exact text).
  mutating func add(tokens more: TokenCounts, costPico: Int64?, costText: String?) {
    events += 1
    tokens += more
    if let costPico {
      add(picoDollars: costPico)
    } else if let costText, let value = Decimal(string: costText, locale: Locale(identifier: "en_US_POSIX")) {
      extraCost += value
    } else {
      unpricedEvents += 1
      unpricedTokens = TokenCounts.sum(unpricedTokens, more.total)
    }
  }

  /// Adds a group already summed by SQLite: whole micro-dollars, pico-dollar remainders, and the costs
  /// with no exact pico value as decimals.
  mutating func add(
    events count: Int, tokens more: TokenCounts, microDollars micro: Int64, picoDollars pico: Int64,
    extraCosts: [Decimal], unpriced: Int, unpricedTokens moreUnpriced: Int
  ) {
    events = TokenCounts.sum(events, count)
    tokens += more
    add(microDollars: micro)
    add(picoDollars: pico)
    for value in extraCosts { extraCost += value }
    unpricedEvents = TokenCounts.sum(unpricedEvents, unpriced)
    unpricedTokens = TokenCounts.sum(unpricedTokens, moreUnpriced)
  }

  /// Adds another set of totals.
  mutating func merge(_ other: UsageTotals) {
    add(
      events: other.events, tokens: other.tokens, microDollars: other.microDollars, picoDollars: other.picoRemainder,
      extraCosts: [other.extraCost], unpriced: other.unpricedEvents, unpricedTokens: other.unpricedTokens)
  }

  public mutating func add(_ event: UsageEvent) {
    add(
      tokens: event.tokens, costPico: event.cost.flatMap(Money.picoDollars),
      costText: event.cost.map(CanonicalJSON.plain))
  }

  /// Whether a token sum reached the end of 64 bits: the totals are then not exact.
  public var overflowed: Bool { tokens.overflowed || unpricedTokens == Int.max || events == Int.max }

  /// Throws when a sum overflowed: a report never prints a total that is not exact.
  ///
  /// - Parameter place: where the sum was made (a repository, a group), for the message.
  public func checked(_ place: String) throws {
    guard overflowed else { return }
    throw OctoError.badInput(
      "token sums of \(place) overflow 64 bits: its notes hold absurd counts",
      hint: "octo-git doctor lists the commits with bad lines")
  }

  /// As JSON members (cost as an exact decimal number).
  var json: [String: JSONValue] {
    [
      "events": .int(events), "in": .int(tokens.input), "out": .int(tokens.output), "cw5m": .int(tokens.cacheWrite5m),
      "cw1h": .int(tokens.cacheWrite1h), "cr": .int(tokens.cacheRead), "cost": .number(costText),
      "unpricedEvents": .int(unpricedEvents), "unpricedTokens": .int(unpricedTokens),
    ]
  }
}
