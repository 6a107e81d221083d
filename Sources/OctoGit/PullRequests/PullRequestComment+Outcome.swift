import Foundation

/// What `pr comment` ends with: where the cost stands against the budget, and what was done.
extension PullRequestComment {
  /// Where a pull request's cost stands against its budget.
  public struct BudgetCheck: Equatable, Sendable {
    public enum Level: String, Sendable { case within, warning, over }

    public let amount: Decimal
    public let spent: Decimal

    public init(amount: Decimal, spent: Decimal) {
      self.amount = amount
      self.spent = spent
    }

    /// `over` when the cost exceeds the budget, `warning` from 80% of it.
    public var level: Level {
      if spent > amount { return .over }
      if spent * 5 >= amount * 4 { return .warning }
      return .within
    }

    /// The share of the budget spent, in whole percent (rounded down; at most 10^9).
    public var percent: Int {
      guard amount > 0 else { return 0 }
      var share = spent * 100 / amount
      var rounded = Decimal()
      NSDecimalRound(&rounded, &share, 0, .down)
      if rounded > 1_000_000_000 { return 1_000_000_000 }
      return NSDecimalNumber(decimal: rounded).intValue
    }

    /// Cost and budget as people read them; exact when they would look alike rounded to the cent.
    public var shown: (spent: String, amount: String) {
      let spentText = Money.format(spent)
      let amountText = Money.format(amount)
      if spentText == amountText && spent != amount { return (Money.exact(spent), Money.exact(amount)) }
      return (spentText, amountText)
    }

    var json: JSONValue {
      .object([
        "amount": .decimal(amount), "spent": .decimal(spent), "percent": .int(percent),
        "level": .string(level.rawValue),
      ])
    }
  }

  public struct Outcome: Sendable {
    public enum Action: String, Sendable {
      case created, updated, unchanged
      case dryRun = "dry-run"
    }
    public let action: Action
    /// The pull request (unknown only in a dry run without GitHub).
    public let number: Int?
    /// The comment's id and address on GitHub (after posting).
    public let commentID: Int?
    public let url: String?
    public let body: String
    public let commits: Int
    public let usage: UsageTotals
    public let pending: UsageTotals
    public let budget: BudgetCheck?
    /// What would be sent, in a dry run.
    public let requests: [String]
    /// Whether the notes were fetched from the remote first.
    public let fetchedNotes: Bool

    /// The one-line error the command ends with (exit 1) when the pull request is over its budget.
    public var budgetFailure: OctoError? {
      guard let budget, budget.level == .over else { return nil }
      let shown = budget.shown
      let subject = number.map { "pull request #\($0)" } ?? "the pull request"
      return OctoError(
        "\(subject) is over its budget: it cost \(shown.spent), the budget is \(shown.amount) (\(budget.percent)%)")
    }

    /// The one-line warning from 80% of the budget, when it is not over.
    public var budgetWarning: String? {
      guard let budget, budget.level == .warning else { return nil }
      let shown = budget.shown
      let subject = number.map { "pull request #\($0)" } ?? "the pull request"
      return "\(subject) has used \(budget.percent)% of its budget: \(shown.spent) of \(shown.amount)"
    }

    /// The machine-readable form (`--json`).
    public var json: JSONValue {
      var members: [String: JSONValue] = [
        "action": .string(action.rawValue), "pullRequest": number.map(JSONValue.int) ?? .null,
        "commentId": commentID.map(JSONValue.int) ?? .null, "url": url.map(JSONValue.string) ?? .null,
        "commits": .int(commits), "cost": .object(usage.json), "pending": .object(pending.json),
        "budget": budget?.json ?? .null, "fetchedNotes": .bool(fetchedNotes),
      ]
      if action == .dryRun {
        members["body"] = .string(body)
        members["requests"] = .array(requests.map(JSONValue.string))
      }
      return .object(members)
    }
  }

  /// A `--budget` value: a positive amount in USD (`25`, `$12.50`).
  public static func parseBudget(_ text: String) throws -> Decimal {
    guard let value = Budget.dollars(text) else {
      throw OctoError(
        "--budget must be a positive amount in USD, not '\(text)'", hint: "e.g. --budget 25", status: .usage)
    }
    return value
  }
}
