import Foundation

/// The largest values a usage line may hold. No request comes near them, so a line past any of them is
/// malformed (counted and skipped, never summed): a hostile or damaged note cannot make a sum overflow
/// or a total silently absurd.
public enum UsageLimits {
  /// Tokens of one class in one event (10¹⁵).
  public static let maxTokens = 1_000_000_000_000_000
  /// USD of one event (10⁹).
  public static let maxCost = Decimal(1_000_000_000)
  /// The note format versions this build reads; a later one is counted apart and kept as it is.
  public static let formatVersion = 1
}
