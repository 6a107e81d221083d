import Foundation
import Testing

@testable import OctoGit

@Suite("Prices and exact cost")
struct PricingTests {
  let table = PriceTable.builtIn
  func usd(_ text: String) -> Decimal { Decimal(string: text)! }

  @Test(
    "model ids match after stripping provider prefixes and date suffixes",
    arguments: [
      ("anthropic/claude-sonnet-4-5-20250929", "claude-sonnet-4-5"), ("claude-opus-4-1-20250805", "claude-opus-4-1"),
      ("claude-sonnet-4-5@20250929", "claude-sonnet-4-5"), ("openai/gpt-5.1-codex", "gpt-5.1-codex"),
      ("gpt-5-2025-08-07", "gpt-5"), ("Claude-Haiku-4-5", "claude-haiku-4-5"),
    ])
  func normalisation(_ raw: String, _ normalised: String) {
    #expect(ModelName.normalise(raw) == normalised)
    #expect(table.price(for: raw) != nil)
  }

  @Test("every price class, computed by hand")
  func everyClass() throws {
    let sonnet = try #require(table.price(for: "claude-sonnet-4-5-20250929"))
    // 1,000 in × $3/M + 2,000 out × $15/M + 3,000 5m × $3.75/M + 4,000 1h × $6/M + 5,000 read × $0.30/M
    let tokens = TokenCounts(input: 1000, output: 2000, cacheWrite5m: 3000, cacheWrite1h: 4000, cacheRead: 5000)
    #expect(sonnet.cost(of: tokens) == usd("0.003") + usd("0.03") + usd("0.01125") + usd("0.024") + usd("0.0015"))
    let opus = try #require(table.price(for: "claude-opus-4-5"))
    #expect(opus.cost(of: tokens) == usd("0.005") + usd("0.05") + usd("0.01875") + usd("0.04") + usd("0.0025"))
    let gpt = try #require(table.price(for: "gpt-5-codex"))
    #expect(
      gpt.cost(of: TokenCounts(input: 10_000, output: 1_000, cacheRead: 100_000)) == usd("0.0125") + usd("0.01")
        + usd("0.0125"))
  }

  @Test("the long-context rule prices the whole request when its prompt exceeds 200k")
  func longContext() throws {
    let sonnet = try #require(table.price(for: "claude-sonnet-4"))
    let under = TokenCounts(input: 100_000, output: 1_000, cacheRead: 100_000)  // prompt exactly 200,000
    #expect(sonnet.cost(of: under) == usd("0.3") + usd("0.015") + usd("0.03"))
    let over = TokenCounts(input: 100_001, output: 1_000, cacheWrite5m: 0, cacheWrite1h: 10, cacheRead: 100_000)
    // $6 in, $22.50 out, $12 1h write, $0.60 read
    #expect(sonnet.cost(of: over) == usd("0.600006") + usd("0.0225") + usd("0.00012") + usd("0.06"))
    // Opus 4.5 has no long-context prices: the base prices apply whatever the size.
    let opus = try #require(table.price(for: "claude-opus-4-5"))
    #expect(opus.cost(of: TokenCounts(input: 300_000)) == usd("1.5"))
  }

  @Test("integer pico-dollar pricing gives the exact decimal cost and its text, for every model of the table")
  func picoPricing() throws {
    let sizes = [
      TokenCounts(), TokenCounts(input: 1, output: 1, cacheWrite5m: 1, cacheWrite1h: 1, cacheRead: 1),
      TokenCounts(input: 3, output: 3_920, cacheWrite5m: 22_512, cacheWrite1h: 0, cacheRead: 29_189),
      TokenCounts(input: 150_000, output: 9_000, cacheWrite5m: 40_000, cacheWrite1h: 20_000, cacheRead: 90_000),
      TokenCounts(input: 987_654_321, output: 123_456_789, cacheRead: 5_000_000_000),
    ]
    var picoPriced = 0
    for (name, price) in table.models {
      var pricer = EventPricer(table: table)
      for tokens in sizes {
        let exact = price.cost(of: tokens)
        if let pico = price.picoPrices.cost(of: tokens) {
          picoPriced += 1
          #expect(PicoDollars(pico).decimal == exact, "\(name) \(tokens)")
          #expect(PicoDollars(pico).plainText == CanonicalJSON.plain(exact), "\(name) \(tokens)")
        }
        let event = UsageEvent(id: "p", at: Date(timeIntervalSince1970: 0), model: name, tokens: tokens)
        let (priced, line) = pricer.pricedLine(event)
        #expect(priced.cost == PicoDollars(rounding: exact) && line == priced.line, "\(name) \(tokens)")
      }
    }
    #expect(picoPriced > table.models.count * 3)
    // A price finer than a pico-dollar, and a sum past 64 bits, are priced in decimals all the same.
    var fine = try #require(table.price(for: "claude-haiku-4-5"))
    fine.input = usd("0.0000000000001")
    #expect(fine.picoPrices.cost(of: TokenCounts(input: 7)) == nil)
    #expect(fine.cost(of: TokenCounts(input: 7)) == usd("0.0000000000007"))
    let huge = TokenCounts(output: Int.max / 2)
    #expect(fine.picoPrices.cost(of: huge) == nil && fine.cost(of: huge) > 0)
    #expect(PicoDollars(1_500_000_000_000).plainText == "1.5" && PicoDollars(7).plainText == "0.000000000007")
    #expect(PicoDollars(-2_000_000_000_000).plainText == "-2" && PicoDollars.zero.plainText == "0")
  }

  @Test("an unknown model stays unpriced; a known one records which table priced it")
  func unpriced() {
    let event = UsageEvent(id: "x", at: Date(), model: "claude-mystery-9", tokens: TokenCounts(input: 10)).priced(
      with: table)
    #expect(event.cost == nil && event.prices == nil)
    let known = UsageEvent(id: "y", at: Date(), model: "claude-haiku-4-5", tokens: TokenCounts(output: 1_000_000))
      .priced(with: table)
    #expect(known.cost?.decimal == usd("5"))
    #expect(known.prices?.hasPrefix("builtin:") == true)
    let reported = UsageEvent(
      id: "z", at: Date(), model: "claude-mystery-9", tokens: TokenCounts(), cost: PicoDollars(plain: "0.5")
    ).priced(with: table)
    #expect(reported.cost?.decimal == usd("0.5") && reported.prices == "agent")
  }

  @Test("the built-in table covers the coding models of the research notes with consistent prices")
  func builtInCoverage() throws {
    _ = try PriceTable(json: try #require(DefaultFiles.content(of: "config/pricing.json")), source: "builtin")
    #expect(table.id != "builtin:unreadable")
    for model in [
      "claude-opus-4-5", "claude-opus-4-6", "claude-opus-4-1", "claude-sonnet-4", "claude-sonnet-4-5",
      "claude-sonnet-4-6",
      "claude-haiku-4-5", "gpt-5", "gpt-5-codex", "gpt-5.1-codex", "gpt-5.1-codex-max", "gpt-5.2-codex", "gpt-5-mini",
      "gpt-5.4", "gpt-5.5",
    ] {
      let price = try #require(table.price(for: model), "\(model)")
      if let input = price.input, let hour = price.cacheWrite1h { #expect(hour == input * 2, "\(model)") }
    }
  }

  @Test("a user's table named by octo.pricing adds a model and wins over the built-in one")
  func override() throws {
    let fixture = try TestRepository()
    try fixture.write(
      "prices.json",
      #"{"claude-mystery-9": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06}, "#
        + #""gpt-5": {"input_cost_per_token": 2e-06, "output_cost_per_token": 1e-05}}"#
    )
    try fixture.git("config", "octo.pricing", "prices.json")
    let repository = try fixture.open()
    let prices = try PriceBook.load(for: repository, environment: ["HOME": fixture.home])
    let mystery = try #require(prices.price(for: "claude-mystery-9"))
    #expect(mystery.cost(of: TokenCounts(input: 1_000_000, output: 1_000_000)) == usd("3"))
    #expect(mystery.tableID.hasPrefix("file:"))
    #expect(prices.price(for: "gpt-5")?.input == usd("0.000002"))
    #expect(prices.price(for: "claude-haiku-4-5")?.tableID.hasPrefix("builtin:") == true)

    try fixture.git("config", "octo.pricing", "missing.json")
    #expect(throws: OctoError.self) { try PriceBook.load(for: repository, environment: ["HOME": fixture.home]) }
    try fixture.write("bad.json", #"{"m": {"input_cost_per_token": "cheap"}}"#)
    try fixture.git("config", "octo.pricing", "bad.json")
    let error = #expect(throws: OctoError.self) {
      try PriceBook.load(for: repository, environment: ["HOME": fixture.home])
    }
    #expect(error?.message.contains("input_cost_per_token") == true)
  }
}
