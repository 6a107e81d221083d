import Foundation

/// Totals of a set of usage events: exact cost of the priced ones, tokens by class, and the unpriced
/// ones kept apart (never counted as $0).
public struct UsageTotals: Equatable, Sendable {
  public var events = 0
  public var tokens = TokenCounts()
  public var unpricedEvents = 0
  public var unpricedTokens = 0
  /// Exact USD of the priced events.
  public private(set) var cost = PicoDollars.zero
  /// Whether the cost sum no longer fit (it is then not exact; see ``overflowed``).
  private var costOverflowed = false

  public init() {}

  /// ``cost`` in plain decimal notation (`12.345`), exact.
  public var costText: String { cost.plainText }

  private mutating func add(cost more: PicoDollars) {
    guard let sum = cost.adding(more) else {
      costOverflowed = true
      return
    }
    cost = sum
  }

  /// Adds one event's tokens and cost (`nil`: unpriced).
  mutating func add(tokens more: TokenCounts, cost eventCost: PicoDollars?) {
    events = TokenCounts.sum(events, 1)
    tokens += more
    if let eventCost {
      add(cost: eventCost)
    } else {
      unpricedEvents = TokenCounts.sum(unpricedEvents, 1)
      unpricedTokens = TokenCounts.sum(unpricedTokens, more.total)
    }
  }

  /// Adds a group already summed by SQLite: whole micro-dollars, pico-dollar remainders, and the costs
  /// whose pico-dollar count does not fit in 64 bits apart.
  mutating func add(
    events count: Int, tokens more: TokenCounts, microDollars micro: Int64, picoDollars pico: Int64,
    extraCosts: [PicoDollars], unpriced: Int, unpricedTokens moreUnpriced: Int
  ) {
    events = TokenCounts.sum(events, count)
    tokens += more
    add(cost: PicoDollars(count: Int128(micro) * 1_000_000 + Int128(pico)))
    for value in extraCosts { add(cost: value) }
    unpricedEvents = TokenCounts.sum(unpricedEvents, unpriced)
    unpricedTokens = TokenCounts.sum(unpricedTokens, moreUnpriced)
  }

  /// Adds another set of totals.
  mutating func merge(_ other: UsageTotals) {
    events = TokenCounts.sum(events, other.events)
    tokens += other.tokens
    add(cost: other.cost)
    costOverflowed = costOverflowed || other.costOverflowed
    unpricedEvents = TokenCounts.sum(unpricedEvents, other.unpricedEvents)
    unpricedTokens = TokenCounts.sum(unpricedTokens, other.unpricedTokens)
  }

  public mutating func add(_ event: UsageEvent) { add(tokens: event.tokens, cost: event.cost) }

  /// Whether a token sum reached the end of 64 bits: the totals are then not exact.
  public var overflowed: Bool {
    tokens.overflowed || unpricedTokens == Int.max || events == Int.max || costOverflowed
  }

  /// Throws when a sum overflowed: a report never prints a total that is not exact.
  ///
  /// - Parameters:
  ///   - place: where the sum was made (a repository, a group), for the message.
  ///   - then: what to do once the notes are removed, when the sum was not made from them directly.
  public func checked(_ place: String, then: String? = nil) throws {
    guard overflowed else { return }
    throw OctoError.badInput(
      "sums of \(place) overflow: its notes hold absurd counts",
      hint: UsageLimits.overflowHint + (then.map { "; then \($0)" } ?? ""))
  }

  /// As JSON members (cost as an exact decimal number; `null` when every event is unpriced: no price is not $0).
  var json: [String: JSONValue] {
    [
      "events": .int(events), "in": .int(tokens.input), "out": .int(tokens.output), "cw5m": .int(tokens.cacheWrite5m),
      "cw1h": .int(tokens.cacheWrite1h), "cr": .int(tokens.cacheRead),
      "cost": events > 0 && events == unpricedEvents ? .null : .number(costText),
      "unpricedEvents": .int(unpricedEvents), "unpricedTokens": .int(unpricedTokens),
    ]
  }
}
