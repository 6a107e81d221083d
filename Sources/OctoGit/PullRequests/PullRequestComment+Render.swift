import Foundation
import Mustache

/// The comment's body: the template and the values it is rendered with.
extension PullRequestComment {
  /// `.octo/templates/pr-comment.md.mustache` in the work tree, else the built-in one.
  func loadTemplate() throws -> BoundedTemplate {
    let override = repository.workDirectory + "/.octo/" + Self.templatePath
    let text: String
    var name = override
    if !repository.workDirectory.isEmpty, Paths.entryExists(override) {
      text = try TemplateLimits.read(inside: repository.workDirectory, at: ".octo/" + Self.templatePath)
    } else {
      text = DefaultFiles.content(of: Self.templatePath) ?? ""
      name = "built in (\(Self.templatePath))"
    }
    return try TemplateLimits.parse(text, name: name)
  }

  /// The comment: the marker, then the template's output, within GitHub's limit (the per-commit rows are
  /// halved, keeping the costliest, until it fits; as a last resort the text is cut).
  func render(
    _ template: BoundedTemplate, context: PullRequestContext, rows: [CommitRow], target: Target,
    pending: UsageTotals, budget: BudgetCheck?, malformed: Int
  ) throws -> String {
    let withUsage = rows.enumerated().filter { $0.element.totals.events > 0 }
    var limit = withUsage.count
    while true {
      let kept = Set(
        withUsage.sorted { ($0.element.totals.cost, $1.offset) > ($1.element.totals.cost, $0.offset) }.prefix(limit)
          .map(\.offset))
      let shown = withUsage.filter { kept.contains($0.offset) }.map(\.element)
      let values = Self.mustache(
        context: context, rows: shown, hidden: withUsage.count - shown.count, commitCount: rows.count, target: target,
        pending: pending, budget: budget, malformed: malformed)
      var text = try template.render(values)
      while text.hasSuffix("\n\n") { text.removeLast() }
      if !text.hasSuffix("\n") { text += "\n" }
      let body = Self.marker + "\n" + text
      if body.unicodeScalars.count <= Self.bodyLimit { return body }
      if limit == 0 {
        return SafeText.prefix(body, scalars: Self.bodyLimit - 40) + "\n\n_(cut to fit GitHub's limit)_\n"
      }
      limit /= 2
    }
  }

  /// What the template sees. Text from notes, commits and branches is escaped for Markdown here.
  static func mustache(
    context: PullRequestContext, rows: [CommitRow], hidden: Int, commitCount: Int, target: Target, pending: UsageTotals,
    budget: BudgetCheck?, malformed: Int
  ) -> [String: Any] {
    func cost(_ totals: UsageTotals) -> String {
      totals.events > 0 && totals.events == totals.unpricedEvents ? "unpriced" : Money.format(totals.cost)
    }
    func groups(_ groups: [String: UsageTotals]) -> [[String: Any]] {
      groups.sorted { ($0.value.cost, $1.key) > ($1.value.cost, $0.key) }.map { name, totals in
        [
          "name": SafeText.markdown(name), "events": totals.events, "tokens": TextTable.grouped(totals.tokens.total),
          "cost": cost(totals),
        ]
      }
    }
    var costValues: [String: Any] = [
      "hasAny": context.usage.events > 0, "events": context.usage.events,
      "tokens": TextTable.grouped(context.usage.tokens.total), "total": Money.format(context.usage.cost),
      "byModel": groups(context.usageByModel), "byAgent": groups(context.usageByAgent),
    ]
    if context.usage.unpricedEvents > 0 { costValues["unpriced"] = context.usage.unpricedEvents }
    var commitValues: [String: Any] = [
      "hasAny": !rows.isEmpty,
      "rows": rows.map { row -> [String: Any] in
        [
          "id": row.id.hex, "short": row.id.abbreviated(7), "subject": SafeText.markdown(row.subject),
          "events": row.totals.events, "tokens": TextTable.grouped(row.totals.tokens.total), "cost": cost(row.totals),
        ]
      },
    ]
    if hidden > 0 { commitValues["hidden"] = hidden }
    let withoutUsage = commitCount - rows.count - hidden
    if withoutUsage > 0 { commitValues["withoutUsage"] = withoutUsage }
    var values: [String: Any] = [
      "head": SafeText.markdown(target.headRef), "base": SafeText.markdown(target.baseRef),
      "headShort": target.headSHA?.abbreviated(7) ?? "", "commitCount": commitCount,
      "cost": costValues, "commits": commitValues,
      "passes": [
        "hasAny": !context.passes.isEmpty,
        "runs": context.passes.map { pass -> [String: Any] in
          [
            "commit": pass.commit, "test": SafeText.markdown(pass.record.test),
            "result": SafeText.markdown(pass.record.result),
            "duration": String(format: "%.1f s", Double(pass.record.durationMs) / 1000),
            "feature": SafeText.markdown(pass.record.feature),
          ]
        },
      ] as [String: Any],
      "checkpoints": [
        "hasAny": !context.checkpoints.isEmpty, "count": context.checkpoints.count,
        "items": context.checkpoints.map { checkpoint -> [String: Any] in
          var item: [String: Any] = [
            "short": checkpoint.id.abbreviated(), "message": SafeText.markdown(checkpoint.message),
            "at": String(Timestamp.format(checkpoint.at).prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC",
          ]
          if let agent = checkpoint.agent { item["agent"] = SafeText.markdown(agent) }
          return item
        },
      ] as [String: Any],
    ]
    if let number = target.number { values["number"] = number }
    if pending.events > 0 {
      var pendingValues: [String: Any] = [
        "hasAny": true, "events": pending.events, "tokens": TextTable.grouped(pending.tokens.total),
        "total": Money.format(pending.cost),
      ]
      if pending.unpricedEvents > 0 { pendingValues["unpriced"] = pending.unpricedEvents }
      values["pending"] = pendingValues
    }
    if let budget {
      let shown = budget.shown
      values["budget"] =
        [
          "set": true, "amount": shown.amount, "spent": shown.spent, "percent": budget.percent,
          "within": budget.level == .within, "warning": budget.level == .warning, "over": budget.level == .over,
        ] as [String: Any]
    }
    if malformed > 0 { values["malformed"] = malformed }
    return values
  }
}
