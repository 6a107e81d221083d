import Foundation

/// Output formats of reports.
public enum ReportFormat: String, CaseIterable, Sendable {
  case table, json, csv, md
}

extension UsageReport {
  /// The report in `format`: a table for people (with footnotes), or data for scripts.
  public func render(_ format: ReportFormat, style: OutputStyle = OutputStyle(colour: false)) -> String {
    switch format {
    case .json: return CanonicalJSON.string(json)
    case .csv: return table(forPeople: false).csv
    case .md:
      return table(forPeople: false).markdown
        + notes(style: OutputStyle(colour: false)).map { "\n\n" + SafeText.markdown($0) }.joined()
    case .table:
      if rows.isEmpty {
        return
          (["no usage recorded in commits" + (options.since != nil || options.until != nil ? " in that period" : "")]
          + notes(style: style)).joined(separator: "\n")
      }
      return ([table(forPeople: true).text(style: style)] + notes(style: style)).joined(separator: "\n")
    }
  }

  func table(forPeople: Bool) -> TextTable {
    let dimension = options.dimension
    var headers = [dimension.rawValue]
    var alignments: [TextTable.Alignment] = [.left]
    if dimension == .commit {
      headers.append("subject")
      alignments.append(.left)
    }
    if dimension == .session {
      headers += ["start", "end", "agent", "branch"]
      alignments += [.left, .left, .left, .left]
    }
    headers += ["events", "in", "out", "cache write 5m", "cache write 1h", "cache read", "cost USD", "unpriced events"]
    if !forPeople {
      headers = headers.map { $0.replacingOccurrences(of: " ", with: "_") }
    }
    alignments += Array(repeating: .right, count: 8)
    var table = TextTable(headers: headers, alignments: alignments)
    // On a narrow terminal: the cache write and unpriced columns go first (then a session's branch, agent
    // and start).
    let first = dimension == .commit ? 2 : dimension == .session ? 5 : 1
    table.droppable =
      ([first + 7, first + 3, first + 4, first + 5, first + 1] + (dimension == .session ? [4, 3, 1] : []))
      .filter { _ in forPeople }
    let calendar = CalendarMath(timeZone: options.timeZone)
    func time(_ date: Date) -> String { forPeople ? calendar.minute(of: date) : Timestamp.format(date) }
    func number(_ value: Int) -> String { forPeople ? TextTable.grouped(value) : String(value) }
    func cells(_ key: String, _ detail: String?, _ totals: UsageTotals, session: SessionSpan? = nil) -> [String] {
      var cells = [forPeople && dimension == .commit && key.count == 40 ? String(key.prefix(12)) : key]
      if dimension == .commit {
        let subject = detail ?? ""
        cells.append(forPeople && subject.count > 50 ? String(subject.prefix(49)) + "…" : subject)
      }
      if dimension == .session {
        cells += session.map { [time($0.start), time($0.end), $0.agent ?? "", $0.branch ?? ""] } ?? ["", "", "", ""]
      }
      let cost = totals.events == totals.unpricedEvents ? (forPeople ? "unpriced" : "") : totals.costText
      cells += [
        number(totals.events), number(totals.tokens.input), number(totals.tokens.output),
        number(totals.tokens.cacheWrite5m), number(totals.tokens.cacheWrite1h), number(totals.tokens.cacheRead),
        forPeople && !cost.isEmpty && cost != "unpriced" ? Money.format(text: cost) : cost,
        number(totals.unpricedEvents),
      ]
      return cells
    }
    table.rows = rows.map { cells($0.key, $0.detail, $0.totals, session: $0.session) }
    table.footer = [cells("total", dimension == .commit ? "" : nil, total)]
    return table
  }

  /// Footnotes for people: unpriced usage, pending usage, budget warnings.
  func notes(style: OutputStyle) -> [String] {
    var lines: [String] = []
    if total.unpricedEvents > 0 {
      lines.append(
        style.paint(
          "\(total.unpricedEvents) event(s) with \(TextTable.grouped(total.unpricedTokens)) tokens "
            + "have no price and are not in the cost; "
            + "add their model to a price table (octo-git pricing show)", .yellow))
    }
    if pending.events > 0 {
      lines.append(
        "\(pending.events) event(s) pending, not yet in a commit (\(Money.format(pending.cost))): "
          + "octo-git usage pending"
      )
    }
    for budget in budgets {
      if let warning = budget.warning { lines.append(style.paint(warning, budget.fraction >= 1 ? .red : .yellow)) }
    }
    if let notice = Self.malformedNotice(malformedLines, newer: newerLines, commits: malformedCommits) {
      lines.append(style.paint(notice, .yellow))
    }
    return lines
  }

  /// The one line under a report when notes hold lines that could not be read.
  static func malformedNotice(_ count: Int, newer: Int = 0, commits: [String]) -> String? {
    guard count > 0 else { return nil }
    let shown = commits.map { String($0.prefix(12)) }.joined(separator: ", ")
    let later = newer > 0 ? ", \(newer) of them written by a newer octo-git (upgrade to count them)" : ""
    return "\(count) note line(s) could not be read and are not in the totals (commits \(shown))\(later); "
      + "octo-git doctor lists them"
  }

  /// The documented JSON form: `{"by":…, "rows":[{"key":…, totals…}], "total":{…}, "pending":{…},
  /// "budgets":[…], "timeZone":…, "cycleDay":…}`; costs are exact decimal numbers in USD.
  public var json: JSONValue {
    var object: [String: JSONValue] = [
      "by": .string(options.dimension.rawValue),
      "rows": .array(
        rows.map { row in
          var members = row.totals.json
          members["key"] = .string(row.key)
          if let detail = row.detail { members["subject"] = .string(detail) }
          if let session = row.session {
            members["start"] = .string(Timestamp.format(session.start))
            members["end"] = .string(Timestamp.format(session.end))
            members["agent"] = session.agent.map(JSONValue.string) ?? .null
            members["branch"] = session.branch.map(JSONValue.string) ?? .null
          }
          return .object(members)
        }),
      "total": .object(total.json),
      "pending": .object(pending.json),
      "budgets": .array(
        budgets.map {
          .object([
            "scope": .string($0.scope), "budget": .decimal($0.budget), "spent": .decimal($0.spent),
            "warning": $0.warning.map(JSONValue.string) ?? .null,
          ])
        }),
      "timeZone": .string(options.timeZone.identifier),
      "cycleDay": .int(options.cycleDay),
      "malformedLines": .int(malformedLines),
      "newerLines": .int(newerLines),
    ]
    if let since = options.since { object["since"] = .string(Timestamp.format(since)) }
    if let until = options.until { object["until"] = .string(Timestamp.format(until)) }
    return .object(object)
  }
}
