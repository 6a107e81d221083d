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

  /// Columns that may be left out when the table is wider than the terminal, the first named left out
  /// first (indices into ``headers``).
  public var droppable: [Int] = []
  /// The narrowest a left-aligned text column is cut to (with `…`) before columns are left out.
  static let narrowest = 12

  /// Columns padded to their widest cell (counted in characters), two spaces apart. With a width in
  /// `style` (a terminal's), a wider table first cuts its text columns, then leaves out ``droppable``
  /// columns, and says which in a last line.
  public func text(style: OutputStyle = OutputStyle(colour: false)) -> String {
    var rows = self.rows.map { $0.map(SafeText.terminal) }
    var footer = self.footer.map { $0.map(SafeText.terminal) }
    var headers = self.headers.map(SafeText.terminal)
    var alignments = self.alignments
    var tones = headers.indices.map { $0 < self.tones.count ? self.tones[$0] : nil }
    var widths = headers.indices.map { column in ([headers] + rows + footer).map { Self.width($0[column]) }.max() ?? 0 }
    var leftOut: [String] = []
    if let limit = style.width {
      func total() -> Int { widths.reduce(0, +) + 2 * max(0, widths.count - 1) }
      // Text columns first, the widest cut first, down to the narrowest useful width.
      while total() > limit,
        let widest = widths.indices.filter({ alignments[$0] == .left && widths[$0] > Self.narrowest })
          .max(by: { widths[$0] < widths[$1] })
      {
        widths[widest] = max(Self.narrowest, widths[widest] - (total() - limit))
      }
      var dropping = droppable.filter { $0 < headers.count }
      var gone = Set<Int>()
      while total() - gone.reduce(0, { $0 + widths[$1] + 2 }) > limit, !dropping.isEmpty {
        gone.insert(dropping.removeFirst())
      }
      if !gone.isEmpty {
        let kept = headers.indices.filter { !gone.contains($0) }
        leftOut = gone.sorted().map { headers[$0] }
        func keep<T>(_ values: [T]) -> [T] { kept.map { values[$0] } }
        headers = keep(headers)
        rows = rows.map(keep)
        footer = footer.map(keep)
        alignments = keep(alignments)
        tones = keep(tones)
        widths = keep(widths)
      }
    }
    /// A cell cut to its column's width (`…` at the end).
    func fitted(_ cell: String, _ column: Int) -> String {
      guard Self.width(cell) > widths[column] else { return cell }
      return String(cell.prefix(max(1, widths[column] - 1))) + "…"
    }
    var out: [UInt8] = []
    func line(_ cells: [String]) {
      let start = out.count
      for column in cells.indices {
        if column > 0 { out.append(contentsOf: [0x20, 0x20]) }
        let cell = fitted(cells[column], column)
        let padding = widths[column] - Self.width(cell)
        if alignments[column] == .right { out.append(contentsOf: repeatElement(0x20, count: padding)) }
        if let tone = tones[column] {
          out.append(contentsOf: style.paint(cell, tone).utf8)
        } else {
          out.append(contentsOf: cell.utf8)
        }
        if alignments[column] == .left { out.append(contentsOf: repeatElement(0x20, count: padding)) }
      }
      while out.count > start, out.last == 0x20 { out.removeLast() }
      out.append(0x0A)
    }
    out.append(
      contentsOf: style.paint(
        headers.indices.map { column -> String in
          let header = fitted(headers[column], column)
          let padding = String(repeating: " ", count: widths[column] - Self.width(header))
          return alignments[column] == .right ? padding + header : header + padding
        }.joined(separator: "  ").replacingTrailingSpaces(), .bold
      ).utf8)
    out.append(0x0A)
    rows.forEach(line)
    if !footer.isEmpty {
      out.append(contentsOf: widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ").utf8)
      out.append(0x0A)
      footer.forEach(line)
    }
    if !leftOut.isEmpty {
      let note = "(left out to fit \(style.width ?? 0) columns: \(leftOut.joined(separator: ", ")); --wide shows"
      out.append(contentsOf: (note + " every column)\n").utf8)
    }
    out.removeLast()
    return String(decoding: out, as: UTF8.self)
  }

  /// Display width in characters (fast for ASCII, which nearly every cell is) of a cell already escaped.
  static func width(_ cell: String) -> Int {
    let bytes = cell.utf8.count
    return cell.utf8.allSatisfy { $0 < 0x80 } ? bytes : cell.count
  }

  /// RFC 4180 CSV: a header line, the rows, then the footer (totals) rows.
  public var csv: String {
    var out: [UInt8] = []
    out.reserveCapacity((rows.count + 1) * 64)
    for (number, row) in ([headers] + rows + footer).enumerated() {
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
    let needsQuotes = value.utf8.contains {
      $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D
    }
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
      "| "
        + cells.map { cell in
          let text = SafeText.markdown(cell)
          return bold && !text.isEmpty ? "**\(text)**" : text
        }.joined(separator: " | ") + " |"
    }
    var lines = [
      line(headers), "| " + alignments.map { $0 == .right ? "---:" : "---" }.joined(separator: " | ") + " |",
    ]
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
