import Foundation

/// The per-token prices of one model in USD, as LiteLLM's price file gives them. `nil` where the table
/// has no price for that class.
public struct ModelPrice: Equatable, Sendable {
  /// The price table this price comes from (recorded on every event it prices).
  public var tableID: String
  public var input: Decimal?
  public var output: Decimal?
  public var cacheWrite5m: Decimal?
  public var cacheWrite1h: Decimal?
  public var cacheRead: Decimal?
  /// Prices applied to a whole request whose prompt exceeds ``longContextThreshold`` tokens.
  public var longInput: Decimal?
  public var longOutput: Decimal?
  public var longCacheWrite5m: Decimal?
  public var longCacheWrite1h: Decimal?
  public var longCacheRead: Decimal?

  /// Prompt size (input plus cache writes and reads) above which the long-context prices apply.
  public static let longContextThreshold = 200_000

  /// LiteLLM's field names, in the order they map onto the properties above.
  static var fields: [(String, WritableKeyPath<ModelPrice, Decimal?>)] {
    [
      ("input_cost_per_token", \.input),
      ("output_cost_per_token", \.output),
      ("cache_creation_input_token_cost", \.cacheWrite5m),
      ("cache_creation_input_token_cost_above_1hr", \.cacheWrite1h),
      ("cache_read_input_token_cost", \.cacheRead),
      ("input_cost_per_token_above_200k_tokens", \.longInput),
      ("output_cost_per_token_above_200k_tokens", \.longOutput),
      ("cache_creation_input_token_cost_above_200k_tokens", \.longCacheWrite5m),
      ("cache_creation_input_token_cost_above_1hr_above_200k_tokens", \.longCacheWrite1h),
      ("cache_read_input_token_cost_above_200k_tokens", \.longCacheRead),
    ]
  }

  /// Whether the model has any price at all.
  public var isPriced: Bool { input != nil || output != nil }

  /// Whether the model has long-context prices.
  public var hasLongContextPrices: Bool { longInput != nil || longOutput != nil }

  /// The exact cost in USD of one request with `tokens`. The long-context rule is applied per request:
  /// when its prompt exceeds 200,000 tokens and the model has long-context prices, every class of the
  /// whole request is priced at them.
  ///
  /// A class without its own price falls back as Anthropic prices it: a 5-minute cache write at 1.25×
  /// input, a 1-hour write at 2× input, a cache read at input.
  public func cost(of tokens: TokenCounts) -> Decimal {
    let rates = rates(long: usesLongContextPrices(for: tokens))
    var total = Decimal(tokens.input) * rates.input
    total += Decimal(tokens.output) * rates.output
    total += Decimal(tokens.cacheWrite5m) * rates.cacheWrite5m
    total += Decimal(tokens.cacheWrite1h) * rates.cacheWrite1h
    total += Decimal(tokens.cacheRead) * rates.cacheRead
    return total
  }

  /// Whether a request with `tokens` is priced at the long-context prices.
  func usesLongContextPrices(for tokens: TokenCounts) -> Bool {
    hasLongContextPrices && Self.isLongContext(tokens)
  }

  static func isLongContext(_ tokens: TokenCounts) -> Bool { tokens.prompt > longContextThreshold }

  /// The price per token of each class, at the long-context prices or not, fallbacks applied.
  func rates(long: Bool) -> ClassRates<Decimal> {
    let inputPrice = (long ? longInput : nil) ?? input ?? 0
    return ClassRates(
      input: inputPrice,
      output: (long ? longOutput : nil) ?? output ?? 0,
      cacheWrite5m: (long ? longCacheWrite5m : nil) ?? (long ? nil : cacheWrite5m) ?? inputPrice * Decimal(
        string: "1.25")!,
      cacheWrite1h: (long ? longCacheWrite1h : nil) ?? (long ? nil : cacheWrite1h) ?? inputPrice * 2,
      cacheRead: (long ? longCacheRead : nil) ?? (long ? nil : cacheRead) ?? inputPrice)
  }

  /// The same prices in integer pico-dollars, for pricing many requests without decimal arithmetic.
  var picoPrices: PicoPrices { PicoPrices(self) }
}

/// A value for each token class.
struct ClassRates<Value: Sendable>: Sendable {
  var input: Value
  var output: Value
  var cacheWrite5m: Value
  var cacheWrite1h: Value
  var cacheRead: Value
}

/// A model's prices in integer pico-dollars per token, where every one of them is a whole number of
/// pico-dollars (they are in LiteLLM's table): pricing a request is then five integer products, exact
/// like ``ModelPrice/cost(of:)``.
struct PicoPrices: Sendable {
  private let normalRates: ClassRates<Int64>?
  /// `nil` when the model has no long-context prices or they are not whole pico-dollars.
  private let longRates: ClassRates<Int64>?
  private let hasLongContextPrices: Bool

  init(_ price: ModelPrice) {
    func whole(_ rates: ClassRates<Decimal>) -> ClassRates<Int64>? {
      guard let input = Money.picoDollars(rates.input), let output = Money.picoDollars(rates.output),
        let write5m = Money.picoDollars(rates.cacheWrite5m), let write1h = Money.picoDollars(rates.cacheWrite1h),
        let read = Money.picoDollars(rates.cacheRead)
      else { return nil }
      return ClassRates(input: input, output: output, cacheWrite5m: write5m, cacheWrite1h: write1h, cacheRead: read)
    }
    hasLongContextPrices = price.hasLongContextPrices
    normalRates = whole(price.rates(long: false))
    longRates = price.hasLongContextPrices ? whole(price.rates(long: true)) : nil
  }

  /// The cost of a request in pico-dollars; `nil` when a price it needs is not a whole number of
  /// pico-dollars or the sum does not fit in 64 bits (``ModelPrice/cost(of:)`` then prices it).
  func cost(of tokens: TokenCounts) -> Int64? {
    let long = hasLongContextPrices && ModelPrice.isLongContext(tokens)
    guard let rates = long ? longRates : normalRates else { return nil }
    var total: Int64 = 0
    func add(_ count: Int, _ rate: Int64) -> Bool {
      let (product, overflow) = Int64(count).multipliedReportingOverflow(by: rate)
      let (sum, overflowed) = total.addingReportingOverflow(product)
      total = sum
      return !overflow && !overflowed
    }
    guard add(tokens.input, rates.input), add(tokens.output, rates.output),
      add(tokens.cacheWrite5m, rates.cacheWrite5m), add(tokens.cacheWrite1h, rates.cacheWrite1h),
      add(tokens.cacheRead, rates.cacheRead)
    else { return nil }
    return total
  }
}
