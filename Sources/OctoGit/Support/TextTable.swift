/// Renders rows as an aligned text table, CSV, or a Markdown table.
public struct TextTable: Sendable {
  public enum Alignment: Sendable { case left, right }

  public var headers: [String]
  public var alignments: [Alignment]
  public var rows: [[String]] = []
  /// Rows printed after a rule (totals).
  public var footer: [[String]] = []
  /// A colour for each column's cells on a terminal (`nil`: plain). Cells themselves hold plain text:
  /// every control character in them is shown escaped (``SafeText/terminal(_:)``).
  public var tones: [OutputStyle.Tone?] = []

  public init(headers: [String], alignments: [Alignment]) {
    self.headers = headers
    self.alignments = alignments
  }

  /// Columns padded to their widest cell (counted in characters), two spaces apart.
  public func text(style: OutputStyle = OutputStyle(colour: false)) -> String {
    let rows = self.rows.map { $0.map(SafeText.terminal) }
    let footer = self.footer.map { $0.map(SafeText.terminal) }
    let headers = self.headers.map(SafeText.terminal)
    let all = [headers] + rows + footer
    let widths = headers.indices.map { column in all.map { Self.width($0[column]) }.max() ?? 0 }
    var out: [UInt8] = []
    func line(_ cells: [String]) {
      let start = out.count
      for column in cells.indices {
        if column > 0 { out.append(contentsOf: [0x20, 0x20]) }
        let cell = cells[column]
        let padding = widths[column] - Self.width(cell)
        if alignments[column] == .right { out.append(contentsOf: repeatElement(0x20, count: padding)) }
        if column < tones.count, let tone = tones[column] {
          out.append(contentsOf: style.paint(cell, tone).utf8)
        } else {
          out.append(contentsOf: cell.utf8)
        }
        if alignments[column] == .left { out.append(contentsOf: repeatElement(0x20, count: padding)) }
      }
      while out.count > start, out.last == 0x20 { out.removeLast() }
      out.append(0x0A)
    }
    out.append(contentsOf: style.paint(headers.indices.map { column -> String in
      let padding = String(repeating: " ", count: widths[column] - Self.width(headers[column]))
      return alignments[column] == .right ? padding + headers[column] : headers[column] + padding
    }.joined(separator: "  ").replacingTrailingSpaces(), .bold).utf8)
    out.append(0x0A)
    rows.forEach(line)
    if !footer.isEmpty {
      out.append(contentsOf: widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ").utf8)
      out.append(0x0A)
      footer.forEach(line)
    }
    out.removeLast()
    return String(decoding: out, as: UTF8.self)
  }

  /// Display width in characters (fast for ASCII, which nearly every cell is) of a cell already escaped.
  static func width(_ cell: String) -> Int {
    let bytes = cell.utf8.count
    return cell.utf8.allSatisfy { $0 < 0x80 } ? bytes : cell.count
  }

  /// RFC 4180 CSV: a header line, then the rows (not the footer).
  public var csv: String {
    var out: [UInt8] = []
    out.reserveCapacity((rows.count + 1) * 64)
    for (number, row) in ([headers] + rows).enumerated() {
      if number > 0 { out.append(0x0A) }
      for (column, cell) in row.enumerated() {
        if column > 0 { out.append(UInt8(ascii: ",")) }
        Self.appendCSVField(SafeText.csvCell(cell), to: &out)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// A field as RFC 4180 writes it: quoted (quotes doubled) when it holds a comma, quote or line break.
  static func appendCSVField(_ value: String, to out: inout [UInt8]) {
    let needsQuotes = value.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
    guard needsQuotes else {
      out.append(contentsOf: value.utf8)
      return
    }
    out.append(UInt8(ascii: "\""))
    for byte in value.utf8 {
      if byte == UInt8(ascii: "\"") { out.append(byte) }
      out.append(byte)
    }
    out.append(UInt8(ascii: "\""))
  }

  /// A GitHub-flavoured Markdown table, footer rows in bold.
  public var markdown: String {
    func line(_ cells: [String], bold: Bool = false) -> String {
      "| " + cells.map { cell in
        let text = SafeText.markdown(cell)
        return bold && !text.isEmpty ? "**\(text)**" : text
      }.joined(separator: " | ") + " |"
    }
    var lines = [line(headers), "| " + alignments.map { $0 == .right ? "---:" : "---" }.joined(separator: " | ") + " |"]
    lines += rows.map { line($0) }
    lines += footer.map { line($0, bold: true) }
    return lines.joined(separator: "\n")
  }

  /// `1234567` → `1,234,567`.
  public static func grouped(_ number: Int) -> String {
    let digits = Array(String(number.magnitude).utf8)
    var out: [UInt8] = number < 0 ? [UInt8(ascii: "-")] : []
    out.reserveCapacity(digits.count + digits.count / 3 + 1)
    for (position, digit) in digits.enumerated() {
      if position > 0 && (digits.count - position) % 3 == 0 { out.append(UInt8(ascii: ",")) }
      out.append(digit)
    }
    return String(decoding: out, as: UTF8.self)
  }
}

extension String {
  func replacingTrailingSpaces() -> String {
    var copy = self
    while copy.hasSuffix(" ") { copy.removeLast() }
    return copy
  }
}
