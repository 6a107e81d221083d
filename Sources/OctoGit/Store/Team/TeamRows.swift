import Foundation

/// Usage events as rows of `COPY … FROM STDIN` in PostgreSQL's text format: one line per event, columns
/// separated by tabs, `\N` for `NULL`, and backslash, tab, newline and carriage return escaped (a NUL
/// byte, which PostgreSQL cannot store in text, is dropped).
///
/// The columns are ``columns``, in order; the staging table has them with these names.
struct TeamRows {
  /// The staging table's columns, in the order each row writes them.
  static let columns = [
    "event_id", "at_ms", "project", "model", "model_raw", "agent", "session", "user_name", "machine", "branch",
    "feature", "commit", "tin", "tout", "cw5m", "cw1h", "cr", "cost", "prices", "ord",
  ]

  /// The rows written so far.
  private(set) var bytes: [UInt8] = []
  private(set) var count = 0
  /// The project every row is written with, escaped once.
  private var project: [UInt8] = []
  /// The last model met and its normalised name (notes repeat the same model line after line).
  private var lastModel = ""
  private var lastNormalised = ""

  init(project: String, capacity: Int = 1 << 16) {
    bytes.reserveCapacity(capacity)
    Self.appendText(project, to: &self.project)
  }

  /// Forgets the rows written (the project stays): the next part of a repository's rows.
  mutating func removeAll() {
    bytes.removeAll(keepingCapacity: true)
    count = 0
  }

  /// Appends one event, attributed to `commit` (its 40 hexadecimal digits), with `order` breaking ties
  /// between copies of one event that have the same output (the lower wins).
  mutating func append(_ line: UsageEvent, commit: UnsafeBufferPointer<UInt8>, order: Int64) {
    Self.appendText(line.id, to: &bytes)
    tab()
    Self.appendNumber(line.atMs, to: &bytes)
    tab()
    bytes.append(contentsOf: project)
    tab()
    if line.model != lastModel {
      lastModel = line.model
      lastNormalised = ModelName.normalise(line.model)
    }
    Self.appendText(lastNormalised, to: &bytes)
    tab()
    Self.appendText(line.model, to: &bytes)
    // Unrolled: an array of the values would be an allocation per event.
    tabbed(line.agent)
    tabbed(line.session)
    tabbed(line.user)
    tabbed(line.machine)
    tabbed(line.branch)
    tabbed(line.feature)
    tab()
    bytes.append(contentsOf: commit)
    tabbed(line.tokens.input)
    tabbed(line.tokens.output)
    tabbed(line.tokens.cacheWrite5m)
    tabbed(line.tokens.cacheWrite1h)
    tabbed(line.tokens.cacheRead)
    tab()
    // Plain decimal text (checked by the line reader): numeric reads it exactly.
    Self.appendText(line.cost?.plainText, to: &bytes)
    tab()
    Self.appendText(line.prices, to: &bytes)
    tab()
    Self.appendNumber(order, to: &bytes)
    bytes.append(UInt8(ascii: "\n"))
    count += 1
  }

  private mutating func tab() { bytes.append(UInt8(ascii: "\t")) }

  private mutating func tabbed(_ text: String?) {
    tab()
    Self.appendText(text, to: &bytes)
  }

  private mutating func tabbed(_ number: Int) {
    tab()
    Self.appendNumber(Int64(number), to: &bytes)
  }

  /// A text value, escaped for COPY's text format; `nil` is `\N`.
  static func appendText(_ text: String?, to bytes: inout [UInt8]) {
    guard let text else {
      bytes.append(UInt8(ascii: "\\"))
      bytes.append(UInt8(ascii: "N"))
      return
    }
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
      case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
      case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
      case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
      case 0x00: continue
      default: bytes.append(byte)
      }
    }
  }

  /// A decimal integer, without making a string of it.
  static func appendNumber(_ value: Int64, to bytes: inout [UInt8]) {
    if value == 0 {
      bytes.append(UInt8(ascii: "0"))
      return
    }
    var magnitude = value.magnitude
    var digits:
      (
        UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
        UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
      ) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buffer in
      while magnitude > 0 {
        buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
        count += 1
      }
    }
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    withUnsafeBytes(of: &digits) { buffer in
      for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
    }
  }
}
