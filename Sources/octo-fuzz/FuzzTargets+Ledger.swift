import Foundation

@testable import OctoGit

/// The ledger's usage lines as the byte scanner, the general parser and PostgreSQL's COPY read them.
extension FuzzTargets {
  // MARK: - Usage lines

  /// The byte scanner and the general parser must agree on which lines are events, and on their values.
  static func noteLine(_ bytes: UnsafeBufferPointer<UInt8>) {
    let scanned = UsageEvent.scan(bytes)
    let parsed = try? UsageEvent(line: String(decoding: bytes, as: UTF8.self))
    if let scanned, let parsed {
      precondition(scanned.id == parsed.id && scanned.model == parsed.model, "scanner and parser disagree on names")
      precondition(scanned == parsed, "scanner and parser disagree on the values")
    }
    if scanned != nil, String(validating: bytes, as: UTF8.self) != nil {
      precondition(parsed != nil, "the scanner took a line the parser refuses")
    }
    var lines: [UsageEvent] = []
    _ = UsageEvent.append(linesIn: UnsafeRawBufferPointer(bytes), to: &lines)
    var totals = UsageTotals()
    for line in lines { totals.add(line) }
    _ = totals.costText
  }

  // MARK: - PostgreSQL COPY rows

  static let copyCommit = Array("0123456789abcdef0123456789abcdef01234567".utf8)

  /// Rows written for `team push` read back as PostgreSQL reads COPY's text format give every value back
  /// (NUL bytes dropped). The event is a usage line when the input reads as one; otherwise its fields are
  /// the input's parts between 0xFF bytes (never UTF-8): id, model, agent, session, user, machine, branch,
  /// feature, cost, prices, project, with the numbers taken from the input's bytes.
  static func copyRow(_ bytes: UnsafeBufferPointer<UInt8>) {
    func word(_ index: Int) -> Int64 {
      var value: UInt64 = 0
      for offset in 0..<8 where index * 8 + offset < bytes.count {
        value |= UInt64(bytes[index * 8 + offset]) << (8 * UInt64(offset))
      }
      return Int64(bitPattern: value)
    }
    var project = "acme/app"
    var line: UsageEvent
    if let parsed = UsageEvent.scan(bytes) {
      line = parsed
    } else {
      let parts = bytes.split(separator: 0xFF, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
      }
      func part(_ index: Int) -> String? { index < parts.count ? parts[index] : nil }
      line = UsageEvent(id: part(0) ?? "", atMs: word(1), model: part(1) ?? "", tokens: TokenCounts())
      line.agent = part(2)
      line.session = part(3)
      line.user = part(4)
      line.machine = part(5)
      line.branch = part(6)
      line.feature = part(7)
      line.cost = part(8).flatMap(PicoDollars.init(plain:))
      line.prices = part(9)
      if let named = part(10) { project = named }
      line.tokens = TokenCounts(
        input: Int(word(2)), output: Int(word(3)), cacheWrite5m: Int(word(4)), cacheWrite1h: Int(word(5)),
        cacheRead: Int(word(6)))
    }
    var second = line
    second.id += "\t2"
    second.feature = nil
    let order = word(0)
    let events = [(line, order), (second, order &+ 1)]
    var rows = TeamRows(project: project, capacity: 256)
    copyCommit.withUnsafeBufferPointer { commit in
      for (event, order) in events { rows.append(event, commit: commit, order: order) }
    }
    precondition(rows.count == events.count, "rows miscounted")
    let read = copyRows(rows.bytes)
    precondition(read.count == events.count, "COPY reads \(read.count) rows for \(events.count) events")
    func text(_ value: String?) -> [UInt8]? { value.map { Array($0.utf8).filter { $0 != 0 } } }
    for ((event, order), fields) in zip(events, read) {
      let tokens = event.tokens
      let expected: [[UInt8]?] = [
        text(event.id), text(String(event.atMs)), text(project), text(ModelName.normalise(event.model)),
        text(event.model),
        text(event.agent), text(event.session), text(event.user), text(event.machine), text(event.branch),
        text(event.feature), copyCommit, text(String(tokens.input)), text(String(tokens.output)),
        text(String(tokens.cacheWrite5m)), text(String(tokens.cacheWrite1h)), text(String(tokens.cacheRead)),
        text(event.cost?.plainText), text(event.prices), text(String(order)),
      ]
      precondition(expected.count == TeamRows.columns.count, "a column left out")
      precondition(
        fields.count == TeamRows.columns.count, "COPY reads \(fields.count) columns, not \(TeamRows.columns.count)")
      for (index, (field, value)) in zip(fields, expected).enumerated() {
        precondition(field == value, "COPY reads column \(TeamRows.columns[index]) back differently")
        if let field {
          precondition(String(validating: field, as: UTF8.self) != nil, "COPY text that is not UTF-8")
          precondition(!field.contains(0), "a NUL byte in COPY text")
        }
      }
    }
  }

  /// COPY … FROM STDIN text read as PostgreSQL reads it (CopyReadLineText, CopyReadAttributesText): a line
  /// ends at a newline no backslash escapes; fields are split at tabs no backslash escapes; a field written
  /// `\N` is NULL; `\b \f \n \r \t \v`, `\` and 1–3 octal digits, `\x` and 1–2 hexadecimal digits are
  /// decoded, any other escaped character is itself. A carriage return (a line end to PostgreSQL), an
  /// end-of-data marker `\.`, a backslash at the very end and text after the last newline are refused.
  static func copyRows(_ bytes: [UInt8]) -> [[[UInt8]?]] {
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      precondition(byte != 0x0D, "a raw carriage return in COPY text")
      if byte == UInt8(ascii: "\\") {
        precondition(index + 1 < bytes.count, "a backslash ends the COPY text")
        precondition(bytes[index + 1] != UInt8(ascii: "."), "an end-of-data marker in COPY text")
        index += 2
        continue
      }
      if byte == 0x0A {
        lines.append(bytes[start..<index])
        start = index + 1
      }
      index += 1
    }
    precondition(start == bytes.count, "COPY text after the last newline")
    return lines.map { line in
      var fields: [[UInt8]?] = []
      var field: [UInt8] = []
      var raw: [UInt8] = []
      var position = line.startIndex
      func finish() {
        fields.append(raw == Array(#"\N"#.utf8) ? nil : field)
        field = []
        raw = []
      }
      while position < line.endIndex {
        let byte = line[position]
        position += 1
        if byte == 0x09 {
          finish()
          continue
        }
        raw.append(byte)
        guard byte == UInt8(ascii: "\\") else {
          field.append(byte)
          continue
        }
        guard position < line.endIndex else { break }
        let escaped = line[position]
        position += 1
        raw.append(escaped)
        switch escaped {
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
          var value = Int(escaped - 48)
          for _ in 0..<2 where position < line.endIndex && (48...55).contains(line[position]) {
            value = value * 8 + Int(line[position] - 48)
            raw.append(line[position])
            position += 1
          }
          field.append(UInt8(value & 0xFF))
        case UInt8(ascii: "x"):
          func hex(_ byte: UInt8) -> Int? {
            switch byte {
            case 48...57: return Int(byte - 48)
            case 97...102: return Int(byte - 87)
            case 65...70: return Int(byte - 55)
            default: return nil
            }
          }
          guard position < line.endIndex, var value = hex(line[position]) else {
            field.append(escaped)
            continue
          }
          raw.append(line[position])
          position += 1
          if position < line.endIndex, let low = hex(line[position]) {
            value = value * 16 + low
            raw.append(line[position])
            position += 1
          }
          field.append(UInt8(value))
        case UInt8(ascii: "b"): field.append(0x08)
        case UInt8(ascii: "f"): field.append(0x0C)
        case UInt8(ascii: "n"): field.append(0x0A)
        case UInt8(ascii: "r"): field.append(0x0D)
        case UInt8(ascii: "t"): field.append(0x09)
        case UInt8(ascii: "v"): field.append(0x0B)
        default: field.append(escaped)
        }
      }
      finish()
      return fields
    }
  }
}
