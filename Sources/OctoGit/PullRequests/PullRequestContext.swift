import Foundation
import Mustache

/// What a pull-request template sees, built from the branch; rendered within a size limit by leaving
/// detail out in a fixed order.
struct PullRequestContext {
  struct CommitEntry {
    let id: Oid
    let parsed: ConventionalCommit
  }

  var title: String
  /// Markdown, escaped where it holds the repository's text (see ``PullRequestDescriber/summary``).
  var summary: String?
  var base: String
  var head: String
  var commits: [CommitEntry] = []
  var stats = DiffStats(files: [])
  var conflicts: [String] = []
  var passes: [(commit: String, record: FeatureRecord)] = []
  var checkpoints: [Checkpoint] = []
  var repositoryTemplate: String?
  var usageByModel: [String: UsageTotals] = [:]
  var usageByAgent: [String: UsageTotals] = [:]
  var usage = UsageTotals()
  /// Note lines of the branch's commits that could not be read (not counted).
  var malformedLines = 0

  // What is left out to fit the limit.
  var showCheckpoints = true
  var showBodies = true
  var showFiles = true
  var commitLimit = Int.max
  var conflictLimit = Int.max
  var summaryLimit = Int.max
  var leftOut: [String] = []

  init(title: String, summary: String?, base: String, head: String) {
    self.title = title
    self.summary = summary.flatMap { $0.isEmpty ? nil : $0 }
    self.base = base
    self.head = head
  }

  mutating func addDiffstat(_ diff: DiffStats) { stats = diff }

  mutating func addUsage(_ events: [UsageEvent]) {
    for event in events {
      usage.add(event)
      usageByModel[ModelName.normalise(event.model), default: UsageTotals()].add(event)
      usageByAgent[event.agent ?? "(unknown)", default: UsageTotals()].add(event)
    }
  }

  /// The body, made to fit `limit` characters (Unicode scalars: one letter can carry thousands of combining
  /// marks): checkpoints go first, then commit bodies, then the file
  /// table, then commits from the end (as many as fit); as a last resort the text is cut.
  mutating func renderWithinLimit(_ template: BoundedTemplate, limit: Int) throws -> String {
    var text = try render(template)
    let steps: [(String, (inout PullRequestContext) -> Bool)] = [
      (
        "checkpoints",
        { context in
          guard context.showCheckpoints && !context.checkpoints.isEmpty else { return false }
          context.showCheckpoints = false
          return true
        }
      ),
      (
        "commit bodies",
        { context in
          guard context.showBodies else { return false }
          context.showBodies = false
          return true
        }
      ),
      (
        "the file table",
        { context in
          guard context.showFiles && !context.stats.files.isEmpty else { return false }
          context.showFiles = false
          return true
        }
      ),
      // Thousands of conflicting paths, or one commit's body of megabytes, would otherwise fill the body
      // alone and push every later section past the cut.
      (
        "conflicting paths past the first 20",
        { context in
          guard context.conflicts.count > 20 && context.conflictLimit > 20 else { return false }
          context.conflictLimit = 20
          return true
        }
      ),
      (
        "the summary past 4,000 characters",
        { context in
          guard (context.summary?.unicodeScalars.count ?? 0) > 4000 && context.summaryLimit > 4000 else {
            return false
          }
          context.summaryLimit = 4000
          return true
        }
      ),
    ]
    for (name, step) in steps where text.unicodeScalars.count > limit {
      if step(&self) {
        leftOut.append(name)
        text = try render(template)
      }
    }
    // Halved until it fits, then the most commits that fit, found between the two.
    var tooMany = min(commitLimit, commits.count)
    while text.unicodeScalars.count > limit, min(commitLimit, commits.count) > 1 {
      tooMany = min(commitLimit, commits.count)
      commitLimit = tooMany / 2
      if !leftOut.contains("older commits") { leftOut.append("older commits") }
      text = try render(template)
    }
    if text.unicodeScalars.count <= limit, commitLimit < tooMany {
      var fits = (count: commitLimit, text: text)
      var high = tooMany
      while high - fits.count > 1 {
        commitLimit = (fits.count + high) / 2
        let attempt = try render(template)
        if attempt.unicodeScalars.count <= limit { fits = (commitLimit, attempt) } else { high = commitLimit }
      }
      (commitLimit, text) = fits
    }
    if text.unicodeScalars.count > limit {
      text = SafeText.prefix(text, scalars: limit - 40) + "\n\n_(cut to fit GitHub's limit)_\n"
    }
    return text
  }

  func render(_ template: BoundedTemplate) throws -> String {
    var output = try template.render(mustache)
    while output.hasSuffix("\n\n") { output.removeLast() }
    return output
  }

  static func dollars(_ totals: UsageTotals) -> String { Money.format(totals.cost) }

  /// The Mustache context (dictionaries, arrays, strings, numbers and booleans only).
  var mustache: [String: Any] {
    let shown = Array(commits.suffix(min(commitLimit, commits.count)))
    var groups: [[String: Any]] = []
    let sectionOrder = ConventionalCommit.sections.map(\.title) + ["Other changes"]
    for section in sectionOrder {
      let members = shown.filter { $0.parsed.section == section }
      if members.isEmpty { continue }
      groups.append([
        "title": section,
        "commits": members.map { entry -> [String: Any] in
          var item: [String: Any] = [
            "id": entry.id.hex, "short": entry.id.abbreviated(7),
            "description": SafeText.markdown(entry.parsed.description), "breaking": entry.parsed.breaking,
          ]
          if let scope = entry.parsed.scope { item["scope"] = SafeText.markdown(scope) }
          if showBodies {
            let lines = entry.parsed.body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
              .filter { !$0.hasPrefix("Tests: `") }
            let trimmed = lines.prefix(8).map(SafeText.markdownProse)
            if !trimmed.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { item["bodyLines"] = trimmed }
          }
          return item
        },
      ])
    }
    // Every value from the repository is escaped for where the built-in template puts it: branch names and
    // paths inside code spans, the rest as Markdown text (subjects) or prose (bodies, the description).
    var context: [String: Any] = [
      "title": SafeText.markdown(title), "base": SafeText.codeSpanText(base, inTable: false),
      "head": SafeText.codeSpanText(head, inTable: false), "groups": groups,
      "commitCount": commits.count,
      "diffstat": diffstatContext,
      "conflicts": conflictsContext,
      "passes": [
        "hasAny": !passes.isEmpty,
        "runs": passes.map { pass -> [String: Any] in
          [
            "commit": pass.commit, "test": SafeText.codeSpanText(pass.record.test),
            "result": SafeText.markdown(pass.record.result),
            "duration": String(format: "%.1f s", Double(pass.record.durationMs) / 1000),
            "feature": SafeText.markdown(pass.record.feature),
          ]
        },
      ],
      "checkpoints": [
        "hasAny": showCheckpoints && !checkpoints.isEmpty, "count": checkpoints.count,
        "items": checkpoints.map { checkpoint -> [String: Any] in
          var item: [String: Any] = [
            "id": checkpoint.id.hex, "short": checkpoint.id.abbreviated(),
            "message": SafeText.markdown(checkpoint.message),
            "at": String(Timestamp.format(checkpoint.at).prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC",
          ]
          if let agent = checkpoint.agent { item["agent"] = SafeText.markdown(agent) }
          return item
        },
      ],
      "cost": costContext,
    ]
    if let summary {
      context["summary"] =
        summary.unicodeScalars.count > summaryLimit ? SafeText.prefix(summary, scalars: summaryLimit) + " …" : summary
    }
    if let repositoryTemplate { context["repositoryTemplate"] = repositoryTemplate }
    if commits.count > shown.count { context["moreCommits"] = commits.count - shown.count }
    if !leftOut.isEmpty { context["truncated"] = leftOut.joined(separator: ", ") }
    return context
  }

  var diffstatContext: [String: Any] {
    let renames = stats.files.filter { $0.change == .renamed }.count
    let largest = stats.files.sorted {
      ($0.insertions + $0.deletions, $1.path) > ($1.insertions + $1.deletions, $0.path)
    }
    .prefix(10)
    var context: [String: Any] = [
      "files": stats.files.count, "insertions": stats.insertions, "deletions": stats.deletions,
      "hasTopFiles": showFiles && !largest.isEmpty,
      "topFiles": largest.map { file -> [String: Any] in
        var item: [String: Any] = [
          "path": SafeText.codeSpanText(file.path), "insertions": file.insertions, "deletions": file.deletions,
          "binary": file.isBinary,
        ]
        if file.oldPath != file.path { item["from"] = SafeText.codeSpanText(file.oldPath) }
        return item
      },
    ]
    if renames > 0 { context["renames"] = renames }
    return context
  }

  var conflictsContext: [String: Any] {
    var context: [String: Any] = [
      "hasAny": !conflicts.isEmpty, "count": conflicts.count,
      "paths": conflicts.prefix(conflictLimit).map { SafeText.codeSpanText($0, inTable: false) },
    ]
    if conflicts.count > conflictLimit { context["more"] = conflicts.count - conflictLimit }
    return context
  }

  var costContext: [String: Any] {
    func rows(_ groups: [String: UsageTotals]) -> [[String: Any]] {
      groups.sorted { ($0.value.cost, $1.key) > ($1.value.cost, $0.key) }.map { name, totals in
        [
          "name": SafeText.markdown(name), "events": totals.events, "tokens": TextTable.grouped(totals.tokens.total),
          "cost": totals.events == totals.unpricedEvents ? "unpriced" : Self.dollars(totals),
        ]
      }
    }
    var context: [String: Any] = [
      "hasAny": usage.events > 0, "events": usage.events, "tokens": TextTable.grouped(usage.tokens.total),
      "total": Self.dollars(usage), "byModel": rows(usageByModel), "byAgent": rows(usageByAgent),
    ]
    if usage.unpricedEvents > 0 { context["unpriced"] = usage.unpricedEvents }
    if malformedLines > 0 { context["malformed"] = malformedLines }
    return context
  }

  /// The machine-readable form of `pr describe --format json`.
  func json(headCommit: Oid, body: String) -> JSONValue {
    .object([
      "title": .string(title), "body": .string(body), "base": .string(base), "head": .string(head),
      "headCommit": .string(headCommit.hex),
      "commits": .array(
        commits.map { entry in
          .object([
            "id": .string(entry.id.hex), "type": entry.parsed.type.map(JSONValue.string) ?? .null,
            "scope": entry.parsed.scope.map(JSONValue.string) ?? .null,
            "description": .string(entry.parsed.description),
            "breaking": .bool(entry.parsed.breaking),
          ])
        }),
      "diffstat": .object([
        "files": .int(stats.files.count), "insertions": .int(stats.insertions), "deletions": .int(stats.deletions),
      ]),
      "conflicts": .array(conflicts.map(JSONValue.string)),
      "passes": .array(passes.map { $0.record.json }),
      "checkpoints": .array(checkpoints.map { .string($0.id.hex) }),
      "cost": .object(usage.json), "malformedLines": .int(malformedLines),
    ])
  }
}
