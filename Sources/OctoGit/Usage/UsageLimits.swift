/// The largest values a usage line may hold. No request comes near them, so a line past any of them is
/// malformed (counted and skipped, never summed): a hostile or damaged note cannot make a sum overflow
/// or a total silently absurd.
public enum UsageLimits {
  /// Tokens of one class in one event (10¹⁵).
  public static let maxTokens = 1_000_000_000_000_000
  /// USD of one event (10⁹).
  public static let maxCostDollars = 1_000_000_000
  /// Bytes of an event's id. Agents' ids are tens of bytes; the team database keys its rows on the id, and
  /// PostgreSQL refuses a key past about 2,700 bytes: one longer id from anyone's notes stopped every push.
  public static let maxIDBytes = 512
  /// The note format versions this build reads; a later one is counted apart and kept as it is.
  public static let formatVersion = 1
  /// What to do when sums pass 64 bits: every line is within the limits, so only thousands of lines at them,
  /// a crafted note, get there.
  static let overflowHint =
    "each line is within bounds but together they pass 2^63: find the crafted notes (git notes --ref=octo/usage "
    + "list; git cat-file -s <blob> shows the largest) and remove them with git notes --ref=octo/usage remove <commit>"
}

extension PicoDollars {
  /// A JSON number's text (`0.0123`, `1.5e-3`, `2E2`) as an amount at most ``UsageLimits/maxCostDollars``; `nil` when
  /// it is not a JSON number, is negative (`-0` is zero) or is larger.
  public init?<Bytes: Collection<UInt8>>(cost text: Bytes) {
    guard let amount = Self.amount(jsonNumber: text, allowsNegative: false), amount.count <= Self.maxCost else {
      return nil
    }
    self = amount
  }

  /// ``UsageLimits/maxCostDollars`` in pico-dollars.
  static let maxCost = Int128(UsageLimits.maxCostDollars) * perDollar
}
