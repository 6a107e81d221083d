import Foundation

/// A list of individual usage events (`usage pending`, `usage show`), with a total line: for people, or
/// as data (CSV, Markdown).
public enum EventTable {
  /// The events as a table for people; with `ids`, each event's id first (what `usage drop` takes).
  public static func render(_ events: [UsageEvent], style: OutputStyle, ids: Bool = false) -> String {
    table(events, forPeople: true, ids: ids).text(style: style)
  }

  /// The events oldest first. For people: grouped numbers, costs to the cent, the cache columns dropped
  /// first on a narrow terminal. As data: plain numbers, exact costs (empty when unpriced), ISO-8601 times,
  /// headers without spaces.
  public static func table(_ events: [UsageEvent], forPeople: Bool, ids: Bool = false) -> TextTable {
    var headers = ["time", "agent", "model", "in", "out", "cache write 5m", "cache write 1h", "cache read", "cost USD"]
    var alignments: [TextTable.Alignment] = [.left, .left, .left, .right, .right, .right, .right, .right, .right]
    if !forPeople {
      headers.insert("session", at: 2)
      alignments.insert(.left, at: 2)
    }
    if ids {
      headers.insert("id", at: 0)
      alignments.insert(.left, at: 0)
    }
    if !forPeople { headers = headers.map { $0.replacingOccurrences(of: " ", with: "_") } }
    var table = TextTable(headers: headers, alignments: alignments)
    let offset = ids ? 1 : 0
    if forPeople { table.droppable = [offset + 5, offset + 6, offset + 7, offset + 1] }
    func number(_ value: Int) -> String { forPeople ? TextTable.grouped(value) : String(value) }
    func counts(_ tokens: TokenCounts) -> [String] {
      [tokens.input, tokens.output, tokens.cacheWrite5m, tokens.cacheWrite1h, tokens.cacheRead].map(number)
    }
    var totals = UsageTotals()
    for event in events.sorted(by: { ($0.at, $0.id) < ($1.at, $1.id) }) {
      totals.add(event)
      var row = [Timestamp.format(event.at), event.agent ?? ""]
      if !forPeople { row.append(event.session ?? "") }
      row.append(event.model)
      row += counts(event.tokens)
      row.append(
        event.cost.map { forPeople ? Money.format($0) : $0.plainText } ?? (forPeople ? "unpriced" : ""))
      if ids { row.insert(event.id, at: 0) }
      table.rows.append(row)
    }
    var footer = [forPeople ? "total (\(totals.events))" : "total", ""]
    if !forPeople { footer.append("") }
    footer.append("")
    footer += counts(totals.tokens)
    let allUnpriced = totals.events > 0 && totals.unpricedEvents == totals.events
    if forPeople {
      footer.append(
        (allUnpriced ? "unpriced" : Money.format(totals.cost))
          + (totals.unpricedEvents > 0 && !allUnpriced ? " + \(totals.unpricedEvents) unpriced" : ""))
    } else {
      footer.append(allUnpriced ? "" : totals.costText)
    }
    if ids { footer.insert("", at: 1) }
    table.footer = [footer]
    return table
  }
}
