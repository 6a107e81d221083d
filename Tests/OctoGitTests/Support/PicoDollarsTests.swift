import Foundation
import Testing

@testable import OctoGit

@Suite("Money as pico-dollars")
struct PicoDollarsTests {
  func cost(_ text: String) -> PicoDollars? { PicoDollars(cost: Array(text.utf8)) }

  @Test("JSON numbers read exactly, rounded to the nearest pico-dollar past twelve decimals, ties to even")
  func reading() {
    #expect(cost("0.0693") == PicoDollars(69_300_000_000))
    #expect(cost("6.93e-2") == PicoDollars(69_300_000_000) && cost("6.93E-2") == cost("0.0693"))
    #expect(cost("5e2") == PicoDollars(500_000_000_000_000) && cost("5E+2") == cost("500"))
    #expect(cost("0") == .zero && cost("-0") == .zero && cost("-0.0e5") == .zero)
    #expect(cost("0.0000000000005") == .zero)  // half a pico-dollar, to even
    #expect(cost("0.0000000000015") == PicoDollars(2))  // one and a half, to even
    #expect(cost("0.00000000000050001") == PicoDollars(1))
    #expect(cost("0.000000000000499999999999999999999999999999999999999999999999") == .zero)
    #expect(cost("1e-400") == .zero && cost("1e-99999999999999999999") == .zero)
    // Digits past the 40th still count for rounding.
    #expect(cost("0.00000000000049999999999999999999999999999999999999999999999999999999991") == .zero)
    #expect(
      cost("0." + String(repeating: "0", count: 12) + "5" + String(repeating: "0", count: 50) + "1") == PicoDollars(1))
  }

  @Test("negative, too large and malformed costs are refused")
  func refusing() {
    for text in [
      "-1", "-0.000001", "1000000001", "1e10", "1e99999999999999999999", "99999999999999999999999", "01",
      "1.", ".5", "1e", "1e+", "+1", "--1", "0x10", "1 ", " 1", "", "-", "NaN", "Infinity", "1.5.2",
    ] {
      #expect(cost(text) == nil, "\(text)")
    }
    #expect(cost("1000000000") == PicoDollars(count: 1_000_000_000_000_000_000_000))
    #expect(cost("1e9") == cost("1000000000"))
  }

  @Test("plain text without needless zeros; sums checked; 64-bit values only where they fit")
  func arithmetic() throws {
    #expect(PicoDollars(1_500_000_000_000).plainText == "1.5" && PicoDollars(7).plainText == "0.000000000007")
    #expect(PicoDollars(-2_000_000_000_000).plainText == "-2" && PicoDollars.zero.plainText == "0")
    let large = try #require(cost("999999999.999999999999"))
    #expect(large.plainText == "999999999.999999999999" && large.int64 == nil)
    #expect(PicoDollars(plain: large.plainText) == large && large.decimal == Decimal(string: "999999999.999999999999"))
    let max = PicoDollars(count: .max)
    #expect(max.adding(PicoDollars(1)) == nil && max.adding(.zero) == max)
    #expect(PicoDollars(rounding: Decimal(string: "0.1234567890125")!) == PicoDollars(123_456_789_012))
    var totals = UsageTotals()
    totals.add(tokens: TokenCounts(), cost: max)
    #expect(!totals.overflowed)
    totals.add(tokens: TokenCounts(), cost: PicoDollars(1))
    #expect(totals.overflowed)
  }
}
