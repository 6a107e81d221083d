import Foundation

/// The rollup as one self-contained HTML page: summary figures, inline SVG charts (cost by repository, by
/// model, and over time by billing cycle or ISO week) and the tables. No script, no font, no network;
/// colours follow the reader's light or dark mode, and the page prints cleanly.
struct RollupPage {
  let main: RollupReport
  let byRepository: RollupReport
  let byModel: RollupReport
  let overTime: RollupReport
  /// Every period of the chart over time, empty ones included.
  let periods: [String]

  /// Builds the four views the page shows from the same events.
  static func build(_ data: [RollupEvents], entries: [RollupStore.Entry], options: RollupOptions) throws -> RollupPage {
    func view(_ dimensions: [RollupDimension]) throws -> RollupReport {
      var copy = options
      copy.dimensions = dimensions
      return try RollupReport.build(data, entries: entries, options: copy)
    }
    // Cycles when the user bills by them (a cycle day other than the 1st, or --by cycle), else weeks.
    let period: RollupDimension =
      options.dimensions.contains(.cycle) || options.cycleDay != 1
      ? .cycle
      : options.dimensions.contains(.month) ? .month : .week
    return RollupPage(
      main: try view(options.dimensions), byRepository: try view([.repo]), byModel: try view([.model]),
      overTime: try view([period]),
      periods: RollupReport.periods(data, options: options, dimension: period))
  }

  var html: String {
    let total = main.total
    let periodName =
      overTime.options.dimensions[0] == .cycle
      ? "billing cycle (from day \(main.options.cycleDay))" : overTime.options.dimensions[0].rawValue
    var body = """
      <header><h1>AI cost across repositories</h1>
      <p class="muted">\(Self.escape(periodText)) · time zone \(Self.escape(main.options.timeZone.identifier)) · \
      \(main.repositories.count) repositor\(main.repositories.count == 1 ? "y" : "ies") · \
      made by octo-git \(Version.octoGit)</p></header>
      <section class="figures">
      \(Self.figure("Cost", Money.format(total.cost)))
      \(Self.figure("Events", TextTable.grouped(total.events)))
      \(Self.figure("Tokens", Self.compact(total.tokens.total)))
      \(Self.figure("Unpriced events", TextTable.grouped(total.unpricedEvents)))
      </section>
      <section class="charts">
      <figure><figcaption>Cost by repository</figcaption>\
      \(Self.bars(Self.priced(byRepository)))</figure>
      <figure><figcaption>Cost by model</figcaption>\
      \(Self.bars(Self.priced(byModel)))</figure>
      <figure class="wide"><figcaption>Cost by \(Self.escape(periodName))</figcaption>\(Self.columns(timeline))</figure>
      </section>
      <section><h2>By \(Self.escape(main.options.dimensions.map(\.rawValue).joined(separator: ", ")))</h2>
      \(Self.table(main))
      </section>
      """
    let skipped = main.repositories.filter { $0.problem != nil }
    if !skipped.isEmpty {
      body += "<section><h2>Skipped repositories</h2><ul>"
      for entry in skipped {
        body += "<li><code>\(Self.escape(entry.path))</code>: \(Self.escape(entry.problem ?? ""))</li>"
      }
      body += "</ul></section>"
    }
    let stale = main.repositories.filter { $0.problem == nil && $0.fetchProblem != nil }
    if !stale.isEmpty {
      body += "<section><h2>Repositories not fetched (counted as last read)</h2><ul>"
      for entry in stale {
        body += "<li><code>\(Self.escape(entry.path))</code>: \(Self.escape(entry.fetchProblem ?? ""))</li>"
      }
      body += "</ul></section>"
    }
    if total.unpricedEvents > 0 {
      body +=
        "<p class=\"warn\">\(total.unpricedEvents) event(s) with \(TextTable.grouped(total.unpricedTokens)) tokens "
        + "have no price and are not in the cost.</p>"
    }
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="color-scheme" content="light dark">
      <title>AI cost rollup</title>
      <style>\(Self.style)</style></head>
      <body>
      \(body)
      </body></html>

      """
  }

  /// The cost of each period in order, empty periods as zero.
  var timeline: [(String, Decimal)] {
    let costs = Dictionary(overTime.rows.map { ($0.keys[0], $0.totals.cost.decimal) }, uniquingKeysWith: +)
    let keys = periods.isEmpty ? overTime.rows.map { $0.keys[0] } : periods
    return keys.map { ($0, costs[$0] ?? 0) }
  }

  var periodText: String {
    switch (main.options.since, main.options.until) {
    case (nil, nil): return "all time"
    case (let since?, nil): return "from \(Timestamp.format(since))"
    case (nil, let until?): return "until \(Timestamp.format(until))"
    case (let since?, let until?): return "\(Timestamp.format(since)) to \(Timestamp.format(until))"
    }
  }

  static let style = """
    :root{--bg:#fff;--fg:#1b1f24;--muted:#57606a;--rule:#d0d7de;--bar:#2f6fde;--bar2:#8250df;\
    --card:#f6f8fa;--warn:#9a6700}
    @media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--rule:#30363d;\
    --bar:#4c8dff;--bar2:#a371f7;--card:#161b22;--warn:#d29922}}
    *{box-sizing:border-box}body{margin:0 auto;max-width:1100px;padding:24px;background:var(--bg);color:var(--fg);
    font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
    h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.muted{color:var(--muted);margin:0}
    .figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px;margin:20px 0}
    .figure{background:var(--card);border:1px solid var(--rule);border-radius:8px;padding:12px 16px}
    .figure b{display:block;font-size:22px;font-variant-numeric:tabular-nums}.figure span{color:var(--muted)}
    .charts{display:grid;grid-template-columns:1fr 1fr;gap:16px}.charts .wide{grid-column:1/-1}
    figure{margin:0;background:var(--card);border:1px solid var(--rule);border-radius:8px;padding:12px}
    figcaption{font-weight:600;margin-bottom:8px}svg{width:100%;height:auto;display:block}
    svg text{fill:var(--fg);font-size:12px}svg .value{fill:var(--muted)}svg .bar{fill:var(--bar)}\
    svg .col{fill:var(--bar2)}
    svg .axis{stroke:var(--rule)}table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
    th,td{padding:5px 8px;border-bottom:1px solid var(--rule);text-align:right;white-space:nowrap}
    th:not(.n),td:not(.n){text-align:left}tfoot td{font-weight:600}.warn{color:var(--warn)}
    code{font-size:12px}.empty{color:var(--muted);padding:8px}
    @media (max-width:760px){.charts{grid-template-columns:1fr}}
    @media print{body{max-width:none;padding:0;background:#fff;color:#000}\
    figure,.figure{break-inside:avoid;border-color:#bbb}
    :root{--bg:#fff;--fg:#000;--muted:#444;--card:#fff;--rule:#bbb}}
    """

  static func figure(_ label: String, _ value: String) -> String {
    "<div class=\"figure\"><span>\(escape(label))</span><b>\(escape(value))</b></div>"
  }

  /// The cost of each row with a priced event: a row whose every event is unpriced has no cost to draw
  /// (a bar at $0.00 would say it cost nothing; the warning under the figures counts it).
  static func priced(_ report: RollupReport) -> [(String, Decimal)] {
    report.rows.filter { $0.totals.events > $0.totals.unpricedEvents }.map { ($0.keys[0], $0.totals.cost.decimal) }
  }

  /// Horizontal bars, the largest first; beyond 12 the rest are one "others" bar.
  static func bars(_ items: [(String, Decimal)]) -> String {
    var shown = Array(items.prefix(12))
    if items.count > 12 {
      shown.append(("\(items.count - 12) others", items.dropFirst(12).reduce(Decimal(0)) { $0 + $1.1 }))
    }
    guard let largest = shown.map(\.1).max(), largest > 0 else { return "<p class=\"empty\">no priced usage</p>" }
    let rowHeight = 24
    let width = 520
    let labelWidth = 190
    let valueWidth = 90
    let barSpace = Double(width - labelWidth - valueWidth)
    var svg = "<svg viewBox=\"0 0 \(width) \(shown.count * rowHeight + 4)\" role=\"img\">"
    for (index, item) in shown.enumerated() {
      let y = index * rowHeight + 2
      let length = max(1, barSpace * fraction(item.1, of: largest))
      svg += "<title>\(escape(item.0)): \(escape(Money.exact(item.1)))</title>"
      svg +=
        "<text x=\"\(labelWidth - 6)\" y=\"\(y + 16)\" text-anchor=\"end\">\(escape(shortened(item.0, to: 30)))</text>"
      svg +=
        "<rect class=\"bar\" x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(format(length))\" "
        + "height=\"\(rowHeight - 8)\" rx=\"2\"/>"
      svg +=
        "<text class=\"value\" x=\"\(format(Double(labelWidth) + length + 6))\" y=\"\(y + 16)\">"
        + "\(escape(dollars(item.1)))</text>"
    }
    return svg + "</svg>"
  }

  /// Vertical columns in time order (the latest 36 periods).
  static func columns(_ items: [(String, Decimal)]) -> String {
    let shown = Array(items.suffix(36))
    guard let largest = shown.map(\.1).max(), largest > 0 else { return "<p class=\"empty\">no priced usage</p>" }
    let width = 1040
    let height = 240
    let top = 20
    let bottom = 56
    let left = 10
    let slot = Double(width - 2 * left) / Double(shown.count)
    let barWidth = max(2, min(48, slot * 0.7))
    let plot = Double(height - top - bottom)
    var svg = "<svg viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
    svg +=
      "<line class=\"axis\" x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - left)\" y2=\"\(height - bottom)\"/>"
    for (index, item) in shown.enumerated() {
      let length = max(1, plot * fraction(item.1, of: largest))
      let x = Double(left) + slot * Double(index) + (slot - barWidth) / 2
      let centre = x + barWidth / 2
      if item.1 > 0 {
        svg +=
          "<rect class=\"col\" x=\"\(format(x))\" y=\"\(format(Double(height - bottom) - length))\" "
          + "width=\"\(format(barWidth))\" height=\"\(format(length))\" rx=\"2\">"
          + "<title>\(escape(item.0)): \(escape(Money.exact(item.1)))</title></rect>"
      }
      if item.1 > 0, shown.count <= 18 || index % 2 == 0 {
        svg +=
          "<text class=\"value\" x=\"\(format(centre))\" y=\"\(format(Double(height - bottom) - length - 5))\" "
          + "text-anchor=\"middle\">\(escape(dollars(item.1)))</text>"
      }
      let label = item.0.contains("..") ? String(item.0.prefix(10)) : item.0
      svg +=
        "<text x=\"\(format(centre))\" y=\"\(height - bottom + 16)\" text-anchor=\"end\" "
        + "transform=\"rotate(-35 \(format(centre)) \(height - bottom + 16))\">\(escape(label))</text>"
    }
    return svg + "</svg>"
  }

  static func table(_ report: RollupReport) -> String {
    guard !report.rows.isEmpty else { return "<p class=\"empty\">no usage</p>" }
    var html = "<table><thead><tr>"
    for dimension in report.options.dimensions { html += "<th>\(escape(dimension.rawValue))</th>" }
    html +=
      "<th class=\"n\">events</th><th class=\"n\">tokens in</th><th class=\"n\">out</th>"
      + "<th class=\"n\">cache write</th><th class=\"n\">cache read</th><th class=\"n\">cost</th></tr></thead><tbody>"
    func cells(_ totals: UsageTotals) -> String {
      let unpriced = totals.events == totals.unpricedEvents
      let cost = unpriced ? "unpriced" : Money.format(totals.cost)
      // The cell shows cents; its title holds the exact figure.
      let exact = unpriced ? "" : " title=\"\(escape(Money.exact(totals.cost)))\""
      return [
        TextTable.grouped(totals.events), TextTable.grouped(totals.tokens.input),
        TextTable.grouped(totals.tokens.output),
        TextTable.grouped(TokenCounts.sum(totals.tokens.cacheWrite5m, totals.tokens.cacheWrite1h)),
        TextTable.grouped(totals.tokens.cacheRead),
      ].map { "<td class=\"n\">\(escape($0))</td>" }.joined() + "<td class=\"n\"\(exact)>\(escape(cost))</td>"
    }
    for row in report.rows.prefix(2000) {
      html += "<tr>" + row.keys.map { "<td>\(escape($0))</td>" }.joined() + cells(row.totals) + "</tr>"
    }
    html +=
      "</tbody><tfoot><tr><td colspan=\"\(report.options.dimensions.count)\">total</td>"
      + "\(cells(report.total))</tr></tfoot></table>"
    if report.rows.count > 2000 {
      html += "<p class=\"muted\">\(report.rows.count - 2000) more rows: use --format csv for all of them.</p>"
    }
    return html
  }

  static func fraction(_ value: Decimal, of largest: Decimal) -> Double {
    NSDecimalNumber(decimal: value / largest).doubleValue
  }

  /// `$1,234` or `$12.34` for a chart label.
  static func dollars(_ value: Decimal) -> String {
    let amount = NSDecimalNumber(decimal: value).doubleValue
    if amount >= 1000 {
      return amount < 1e15 ? "$" + TextTable.grouped(Int(amount.rounded())) : String(format: "$%.3g", amount)
    }
    return String(format: "$%.2f", amount)
  }

  static func compact(_ count: Int) -> String {
    switch count {
    case 1_000_000_000...: return String(format: "%.1f B", Double(count) / 1e9)
    case 1_000_000...: return String(format: "%.1f M", Double(count) / 1e6)
    case 10_000...: return String(format: "%.0f k", Double(count) / 1e3)
    default: return TextTable.grouped(count)
    }
  }

  static func shortened(_ text: String, to length: Int) -> String {
    text.count <= length ? text : "…" + text.suffix(length - 1)
  }

  static func format(_ value: Double) -> String { String(format: "%.1f", value) }

  /// `text` for HTML, its control characters and bidirectional overrides shown as escapes first (as on a
  /// terminal: the page is text from data, never markup or invisible reordering).
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in SafeText.terminal(text) {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }
}
