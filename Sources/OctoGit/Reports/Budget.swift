import Foundation

/// Where spending stands against a budget set in git config.
public struct BudgetStatus: Equatable, Sendable {
  /// `repository`, or `branch <name>`.
  public let scope: String
  public let budget: Decimal
  /// Spent so far, committed and pending.
  public let spent: Decimal

  public var fraction: Double { budget > 0 ? NSDecimalNumber(decimal: spent / budget).doubleValue : 0 }

  /// The one-line warning to show, or `nil` under 80%.
  public var warning: String? {
    let percent = fraction < 1e12 ? String(Int((fraction * 100).rounded(.down))) : "over 10^14"

    if fraction >= 1 {
      return "over budget: \(scope) has spent \(Money.format(spent)) of \(Money.format(budget)) (\(percent)%)"
    }
    if fraction >= 0.8 {
      return "budget: \(scope) has spent \(Money.format(spent)) of \(Money.format(budget)) (\(percent)%)"
    }
    return nil
  }
}

/// Budgets from git config: `octo.budget` (USD for the whole repository) and `octo.budget.branch` (USD for
/// each branch). Spending counts what the notes hold plus what is still pending.
public enum Budget {
  public static func statuses(ledger: Ledger) throws -> [BudgetStatus] {
    let config = try ledger.repository.config()
    let repositoryBudget = try amount(config, "octo.budget")
    let branchBudget = try amount(config, "octo.budget.branch")
    guard repositoryBudget != nil || branchBudget != nil else { return [] }
    try ledger.store.refreshCache(from: ledger.repository)
    let branch = try ledger.repository.head().branch
    var all = UsageTotals()
    var onBranch = UsageTotals()
    try ledger.store.forEachCommittedCost { cost, lineBranch in
      all.add(tokens: TokenCounts(), cost: cost)
      if let branch, lineBranch == branch {
        onBranch.add(tokens: TokenCounts(), cost: cost)
      }
    }
    for item in try ledger.store.pending() where item.event.cost != nil {
      all.add(item.event)
      if let branch, item.event.branch == branch { onBranch.add(item.event) }
    }
    var statuses: [BudgetStatus] = []
    if let repositoryBudget {
      statuses.append(BudgetStatus(scope: "this repository", budget: repositoryBudget, spent: all.cost.decimal))
    }
    if let branchBudget, let branch {
      statuses.append(BudgetStatus(scope: "branch \(branch)", budget: branchBudget, spent: onBranch.cost.decimal))
    }
    return statuses
  }

  /// `text` as a positive amount of USD: digits with at most one point, an optional `$` in front (`25`,
  /// `$2.50`); `nil` for anything else (Decimal(string:) alone reads a prefix: "0.5abc" as 0.5).
  public static func dollars(_ text: String) -> Decimal? {
    var cleaned = Substring(text.trimmingCharacters(in: .whitespaces))
    if cleaned.hasPrefix("$") { cleaned = cleaned.dropFirst() }
    let digits = cleaned.utf8.filter { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
    let points = cleaned.utf8.filter { $0 == UInt8(ascii: ".") }.count
    guard digits > 0, points <= 1, digits + points == cleaned.utf8.count,
      let value = Decimal(string: String(cleaned), locale: Locale(identifier: "en_US_POSIX")), value > 0
    else { return nil }
    return value
  }

  static func amount(_ config: Config, _ key: String) throws -> Decimal? {
    guard let text = try config.string(key), !text.isEmpty else { return nil }
    guard let value = dollars(text) else {
      throw OctoError.badInput(
        "git config \(key) is not a positive amount in USD: \(text)", hint: "e.g. git config \(key) 250")
    }
    return value
  }
}
