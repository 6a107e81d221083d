import Foundation

/// A list of individual usage events for people (`usage pending`, `usage show`), with a total line.
public enum EventTable {
  public static func render(_ events: [UsageEvent], style: OutputStyle) -> String {
    var table = TextTable(
      headers: ["time", "agent", "model", "in", "out", "cache write 5m", "cache write 1h", "cache read", "cost USD"],
      alignments: [.left, .left, .left, .right, .right, .right, .right, .right, .right])
    var totals = UsageTotals()
    for event in events.sorted(by: { $0.at < $1.at }) {
      totals.add(event)
      table.rows.append([
        Timestamp.format(event.at), event.agent ?? "", event.model, TextTable.grouped(event.tokens.input),
        TextTable.grouped(event.tokens.output), TextTable.grouped(event.tokens.cacheWrite5m),
        TextTable.grouped(event.tokens.cacheWrite1h), TextTable.grouped(event.tokens.cacheRead),
        event.cost.map(Money.format) ?? "unpriced",
      ])
    }
    table.footer = [[
      "total (\(totals.events))", "", "", TextTable.grouped(totals.tokens.input), TextTable.grouped(totals.tokens.output),
      TextTable.grouped(totals.tokens.cacheWrite5m), TextTable.grouped(totals.tokens.cacheWrite1h),
      TextTable.grouped(totals.tokens.cacheRead),
      Money.format(totals.cost) + (totals.unpricedEvents > 0 ? " + \(totals.unpricedEvents) unpriced" : ""),
    ]]
    return table.text(style: style)
  }
}
