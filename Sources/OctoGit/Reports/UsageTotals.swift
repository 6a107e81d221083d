import Foundation

/// Totals of a set of usage events: exact cost of the priced ones, tokens by class, and the unpriced
/// ones kept apart (never counted as $0).
public struct UsageTotals: Equatable, Sendable {
  public var events = 0
  public var tokens = TokenCounts()
  /// Exact USD of the priced events.
  public var cost: Decimal = 0
  public var unpricedEvents = 0
  public var unpricedTokens = 0

  public init() {}

  /// Sums in pico-dollars while every cost has an exact pico value, in `Decimal` otherwise.
  private var picoCost: Int64 = 0
  private var extraCost: Decimal = 0

  mutating func add(tokens more: TokenCounts, costPico: Int64?, costText: String?) {
    events += 1
    tokens += more
    if let costPico {
      let (sum, overflow) = picoCost.addingReportingOverflow(costPico)
      if overflow {
        extraCost += Money.usd(picoDollars: picoCost) + Money.usd(picoDollars: costPico)
        picoCost = 0
      } else {
        picoCost = sum
      }
    } else if let costText, let value = Decimal(string: costText, locale: Locale(identifier: "en_US_POSIX")) {
      extraCost += value
    } else {
      unpricedEvents += 1
      unpricedTokens += more.total
    }
    cost = Money.usd(picoDollars: picoCost) + extraCost
  }

  public mutating func add(_ event: UsageEvent) {
    add(tokens: event.tokens, costPico: event.cost.flatMap(Money.picoDollars), costText: event.cost.map(CanonicalJSON.plain))
  }

  static func + (lhs: UsageTotals, rhs: UsageTotals) -> UsageTotals {
    var sum = lhs
    sum.events += rhs.events
    sum.tokens += rhs.tokens
    sum.extraCost += rhs.cost
    sum.unpricedEvents += rhs.unpricedEvents
    sum.unpricedTokens += rhs.unpricedTokens
    sum.cost = Money.usd(picoDollars: sum.picoCost) + sum.extraCost
    return sum
  }

  /// As JSON members (cost as an exact decimal number).
  var json: [String: JSONValue] {
    [
      "events": .int(events), "in": .int(tokens.input), "out": .int(tokens.output), "cw5m": .int(tokens.cacheWrite5m),
      "cw1h": .int(tokens.cacheWrite1h), "cr": .int(tokens.cacheRead), "cost": .decimal(cost),
      "unpricedEvents": .int(unpricedEvents), "unpricedTokens": .int(unpricedTokens),
    ]
  }
}
