import Foundation

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
  public var prompt: Int { Self.sum(Self.sum(input, cacheWrite5m), Self.sum(cacheWrite1h, cacheRead)) }
  public var total: Int { Self.sum(prompt, output) }

  /// Sums stop at `Int.max` instead of trapping (see ``overflowed``): a report over absurd data ends with
  /// an error naming it, never with a crash.
  public static func + (lhs: TokenCounts, rhs: TokenCounts) -> TokenCounts {
    TokenCounts(
      input: sum(lhs.input, rhs.input), output: sum(lhs.output, rhs.output),
      cacheWrite5m: sum(lhs.cacheWrite5m, rhs.cacheWrite5m), cacheWrite1h: sum(lhs.cacheWrite1h, rhs.cacheWrite1h),
      cacheRead: sum(lhs.cacheRead, rhs.cacheRead))
  }

  /// Whether a sum reached the end of 64 bits (it is then no longer exact).
  public var overflowed: Bool {
    [input, output, cacheWrite5m, cacheWrite1h, cacheRead, total].contains(Int.max)
  }

  /// `a + b`, or `Int.max` when that does not fit (counts are never negative).
  static func sum(_ a: Int, _ b: Int) -> Int {
    let (value, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max : value
  }

  public static func += (lhs: inout TokenCounts, rhs: TokenCounts) { lhs = lhs + rhs }

  enum CodingKeys: String, CodingKey {
    case input = "in"
    case output = "out"
    case cacheWrite5m = "cw5m"
    case cacheWrite1h = "cw1h"
    case cacheRead = "cr"
  }
}
