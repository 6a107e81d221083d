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
  static var fields: [(String, WritableKeyPath<ModelPrice, Decimal?>)] { [
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
  ] }

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
    let long = hasLongContextPrices && tokens.prompt > Self.longContextThreshold
    let inputPrice = (long ? longInput : nil) ?? input ?? 0
    let outputPrice = (long ? longOutput : nil) ?? output ?? 0
    let write5m = (long ? longCacheWrite5m : nil) ?? (long ? nil : cacheWrite5m) ?? defaultWrite5m(inputPrice)
    let write1h = (long ? longCacheWrite1h : nil) ?? (long ? nil : cacheWrite1h) ?? inputPrice * 2
    let read = (long ? longCacheRead : nil) ?? (long ? nil : cacheRead) ?? inputPrice
    var total = Decimal(tokens.input) * inputPrice
    total += Decimal(tokens.output) * outputPrice
    total += Decimal(tokens.cacheWrite5m) * write5m
    total += Decimal(tokens.cacheWrite1h) * write1h
    total += Decimal(tokens.cacheRead) * read
    return total
  }

  private func defaultWrite5m(_ inputPrice: Decimal) -> Decimal {
    inputPrice * Decimal(string: "1.25")!
  }
}

/// Tokens of one request (or a sum of them) by class.
public struct TokenCounts: Equatable, Sendable, Codable {
  public var input: Int
  public var output: Int
  public var cacheWrite5m: Int
  public var cacheWrite1h: Int
  public var cacheRead: Int

  public init(input: Int = 0, output: Int = 0, cacheWrite5m: Int = 0, cacheWrite1h: Int = 0, cacheRead: Int = 0) {
    self.input = input
    self.output = output
    self.cacheWrite5m = cacheWrite5m
    self.cacheWrite1h = cacheWrite1h
    self.cacheRead = cacheRead
  }

  /// Everything the model read: input plus cache writes and reads.
  public var prompt: Int { input + cacheWrite5m + cacheWrite1h + cacheRead }
  public var total: Int { prompt + output }

  public static func + (lhs: TokenCounts, rhs: TokenCounts) -> TokenCounts {
    TokenCounts(
      input: lhs.input + rhs.input, output: lhs.output + rhs.output, cacheWrite5m: lhs.cacheWrite5m + rhs.cacheWrite5m,
      cacheWrite1h: lhs.cacheWrite1h + rhs.cacheWrite1h, cacheRead: lhs.cacheRead + rhs.cacheRead)
  }

  public static func += (lhs: inout TokenCounts, rhs: TokenCounts) { lhs = lhs + rhs }

  enum CodingKeys: String, CodingKey {
    case input = "in", output = "out", cacheWrite5m = "cw5m", cacheWrite1h = "cw1h", cacheRead = "cr"
  }
}
