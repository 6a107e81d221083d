/// Renders rows as an aligned text table, CSV, or a Markdown table.
public struct TextTable: Sendable {
  public enum Alignment: Sendable { case left, right }

  public var headers: [String]
  public var alignments: [Alignment]
  public var rows: [[String]] = []
  /// Rows printed after a rule (totals).
  public var footer: [[String]] = []

  public init(headers: [String], alignments: [Alignment]) {
    self.headers = headers
    self.alignments = alignments
  }

  /// Columns padded to their widest cell (counted in characters), two spaces apart.
  public func text(style: OutputStyle = OutputStyle(colour: false)) -> String {
    let all = [headers] + rows + footer
    let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.indices.map { column in
        let cell = cells[column]
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        return alignments[column] == .right ? padding + cell : cell + padding
      }.joined(separator: "  ").replacingTrailingSpaces()
    }
    var lines = [style.paint(line(headers), .bold)]
    lines += rows.map(line)
    if !footer.isEmpty {
      lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
      lines += footer.map(line)
    }
    return lines.joined(separator: "\n")
  }

  /// RFC 4180 CSV: a header line, then the rows (not the footer).
  public var csv: String {
    ([headers] + rows).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n")
  }

  /// A GitHub-flavoured Markdown table, footer rows in bold.
  public var markdown: String {
    func line(_ cells: [String]) -> String {
      "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
    }
    var lines = [line(headers), "| " + alignments.map { $0 == .right ? "---:" : "---" }.joined(separator: " | ") + " |"]
    lines += rows.map(line)
    lines += footer.map { line($0.map { $0.isEmpty ? "" : "**\($0)**" }) }
    return lines.joined(separator: "\n")
  }

  static func csvField(_ value: String) -> String {
    guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
    return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// `1234567` → `1,234,567`.
  public static func grouped(_ number: Int) -> String {
    let digits = String(number.magnitude)
    var out = ""
    for (position, character) in digits.enumerated() {
      if position > 0 && (digits.count - position) % 3 == 0 { out.append(",") }
      out.append(character)
    }
    return (number < 0 ? "-" : "") + out
  }
}

extension String {
  func replacingTrailingSpaces() -> String {
    var copy = self
    while copy.hasSuffix(" ") { copy.removeLast() }
    return copy
  }
}
