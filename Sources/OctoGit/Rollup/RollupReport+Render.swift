import Foundation

/// Output formats of the rollup.
public enum RollupFormat: String, CaseIterable, Sendable {
  case table, json, csv, md, html
}

extension RollupReport {
  /// The rollup of `entries` (registered repositories, as the refresh left them) in `format` (the HTML page
  /// sums a few more views). An event held by several repositories counts where its best copy is among
  /// `attributing` (every registered repository; `entries` when not given), so that the rollups of two
  /// clients' repositories never both bill one event.
  static func render(
    store: RollupStore, entries: [RollupStore.Entry], attributing: [RollupStore.Entry]? = nil,
    options: RollupOptions, format: RollupFormat, style: OutputStyle
  ) throws -> String {
    let data = try RollupEvents.load(
      store: store, entries: attributing ?? entries, counting: Set(entries.map(\.project)), parts: WorkerPool.width)
    if format == .html { return try RollupPage.build(data, entries: entries, options: options).html }
    return try build(data, entries: entries, options: options).renderText(format, style: style)
  }

  /// The rollup as a table, JSON, CSV or Markdown (the HTML page needs the store for its other views).
  func renderText(_ format: RollupFormat, style: OutputStyle) -> String {
    switch format {
    case .json: return CanonicalJSON.string(json)
    case .csv: return table(forPeople: false).csv
    // Footnotes name paths and quote git's messages: escaped as the cells are.
    case .md: return table(forPeople: false).markdown + notes.map { "\n\n" + SafeText.markdown($0) }.joined()
    case .table, .html:
      if rows.isEmpty {
        let reason =
          repositories.isEmpty
          ? "no repositories registered: run octo-git repos add (or octo-git install) in each, "
            + "or octo-git repos scan DIR"
          : "no usage in the registered repositories"
            + (options.since != nil || options.until != nil ? " in that period" : "")
        return ([reason] + notes.map { style.paint(SafeText.terminal($0), .yellow) }).joined(separator: "\n")
      }
      return ([table(forPeople: true).text(style: style)] + notes.map { style.paint(SafeText.terminal($0), .yellow) })
        .joined(separator: "\n")
    }
  }

  func table(forPeople: Bool) -> TextTable {
    var headers = options.dimensions.map(\.rawValue)
    headers += ["events", "in", "out", "cache write 5m", "cache write 1h", "cache read", "cost USD", "unpriced events"]
    if !forPeople { headers = headers.map { $0.replacingOccurrences(of: " ", with: "_") } }
    var table = TextTable(
      headers: headers,
      alignments: options.dimensions.map { _ in .left } + Array(repeating: TextTable.Alignment.right, count: 8))
    func number(_ value: Int) -> String { forPeople ? TextTable.grouped(value) : String(value) }
    func cells(_ keys: [String], _ totals: UsageTotals) -> [String] {
      let cost = totals.events == totals.unpricedEvents ? (forPeople ? "unpriced" : "") : totals.costText
      return keys + [
        number(totals.events), number(totals.tokens.input), number(totals.tokens.output),
        number(totals.tokens.cacheWrite5m), number(totals.tokens.cacheWrite1h), number(totals.tokens.cacheRead),
        forPeople && !cost.isEmpty && cost != "unpriced" ? Money.format(text: cost) : cost,
        number(totals.unpricedEvents),
      ]
    }
    table.rows = rows.map { cells($0.keys, $0.totals) }
    table.footer = [cells(["total"] + Array(repeating: "", count: options.dimensions.count - 1), total)]
    // On a narrow terminal: the cache write and unpriced columns go first.
    let first = options.dimensions.count
    if forPeople { table.droppable = [first + 7, first + 3, first + 4, first + 5, first + 1] }
    return table
  }

  /// Footnotes: repositories skipped, repositories whose notes could not be fetched, unpriced usage.
  var notes: [String] {
    var lines = repositories.compactMap { entry in entry.problem.map { "skipped \(entry.path): \($0)" } }
    lines += repositories.compactMap { entry in
      entry.problem == nil ? entry.fetchProblem.map { "stale \(entry.path) (counted as last read): \($0)" } : nil
    }
    lines += repositories.filter { $0.malformedLines > 0 }.map { entry in
      let later = entry.newerLines > 0 ? ", \(entry.newerLines) of them written by a newer octo-git" : ""
      return
        "\(entry.malformedLines) note line(s) in \(entry.path) could not be read and are not in the totals\(later) "
        + "(octo-git doctor there lists them)"
    }
    if total.unpricedEvents > 0 {
      lines.append(
        "\(total.unpricedEvents) event(s) with \(TextTable.grouped(total.unpricedTokens)) tokens "
          + "have no price and are not in the cost"
      )
    }
    return lines
  }

  /// The documented JSON form (schema `octo-git.rollup/1`, see README): the options, one object per row
  /// with its keys by dimension and its totals, the total, and every repository with its status: `ok`,
  /// `skipped` (unreadable: its events as last read still count) or `stale` (`--fetch` failed: its local
  /// notes were read), and in `problem` why.
  public var json: JSONValue {
    var object: [String: JSONValue] = [
      "schema": .string("octo-git.rollup/1"),
      "by": .array(options.dimensions.map { .string($0.rawValue) }),
      "timeZone": .string(options.timeZone.identifier),
      "cycleDay": .int(options.cycleDay),
      "rows": .array(
        rows.map { row in
          var members = row.totals.json
          members["keys"] = .object(
            Dictionary(uniqueKeysWithValues: zip(options.dimensions.map(\.rawValue), row.keys.map(JSONValue.string))))
          return .object(members)
        }),
      "total": .object(total.json),
      "repositories": .array(
        repositories.map { entry in
          .object([
            "path": .string(entry.path), "project": .string(entry.project),
            "origin": entry.origin.map(JSONValue.string) ?? .null,
            "status": .string(entry.problem != nil ? "skipped" : entry.fetchProblem != nil ? "stale" : "ok"),
            "problem": (entry.problem ?? entry.fetchProblem).map(JSONValue.string) ?? .null,
            "malformedLines": .int(entry.malformedLines), "newerLines": .int(entry.newerLines),
          ])
        }),
      "malformedLines": .int(repositories.reduce(0) { $0 + $1.malformedLines }),
      "newerLines": .int(repositories.reduce(0) { $0 + $1.newerLines }),
    ]
    if let since = options.since { object["since"] = .string(Timestamp.format(since)) }
    if let until = options.until { object["until"] = .string(Timestamp.format(until)) }
    return .object(object)
  }
}
