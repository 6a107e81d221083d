import Foundation

/// Where a usage line's string values go as ``UsageLineScanner`` reads them: the cache makes Swift strings,
/// the rollup numbers the bytes in its own table without making any string. Either way the line's values
/// hold the number the reader gave each string (a plain number, not a generic value: the scanner runs
/// hundreds of thousands of times and stays fully specialised).
protocol UsageLineTexts {
  /// False when reading for the rollup: session, prices and machine are checked but not kept.
  var keepsEveryField: Bool { get }
  /// Takes the string field `field` (never `at`) from its UTF-8 bytes, which live only for the call; returns
  /// the number the line's values will hold for it.
  mutating func text(_ bytes: UnsafeBufferPointer<UInt8>, for field: UsageField) -> Int32
}

/// A borrowed view of a usage line: its values, with its strings as the numbers the reader
/// (``UsageLineTexts``) gave them (valid only beside that reader). The owned form is ``UsageEvent``; the
/// rollup's archive walks its events as values of this kind too.
struct UsageLineValues {
  /// Always set in a value the scanner returns (-1 only while it reads).
  var id: Int32 = -1
  /// Always set in a value the scanner returns (-1 only while it reads).
  var model: Int32 = -1
  var agent: Int32?
  var session: Int32?
  var prices: Int32?
  var user: Int32?
  var machine: Int32?
  var branch: Int32?
  var feature: Int32?
  var atMs: Int64 = 0
  var tokens = TokenCounts()
  /// `nil`: unpriced.
  var cost: PicoDollars?
}

/// Reads a usage line straight from its bytes with the same checks as ``UsageEvent/init(line:)`` (a line that
/// fails them is malformed), the fields as ``UsageField`` describes them, never through `Decimal` or `Date`.
///
/// Reading hundreds of thousands of lines is what a cold rollup does, so this is a byte scanner for the flat
/// objects usage lines are: keys are matched as bytes, strings without escapes go to the reader as bytes,
/// numbers are read as digits. Anything unusual (escapes, exponents) takes the general JSON parser's path.
enum UsageLineScanner {
  typealias Field = UsageField

  /// One line; `nil` when it is not a valid usage event.
  static func scan<Texts: UsageLineTexts>(_ bytes: UnsafeBufferPointer<UInt8>, texts: inout Texts)
    -> UsageLineValues?
  {
    var parser = CanonicalJSON.Parser(bytes: bytes)
    var values = UsageLineValues()
    var at: Range<Int>?
    var atText: String?
    var idIsEmpty = true
    var modelIsEmpty = true
    /// The fields whose last value so far is not one the field takes (one bit per ``UsageField``).
    var invalid: UInt32 = 0
    let count = bytes.count
    /// Past JSON's whitespace, as the general parser skips it (a note written with CRLF line ends leaves a
    /// carriage return at the end of each line).
    func skipSpace() {
      while parser.position < count {
        switch bytes[parser.position] {
        case 0x20, 0x09, 0x0A, 0x0D: parser.position += 1
        default: return
        }
      }
    }
    /// A string's bytes when it has no escape (the position is then past it); `nil` otherwise.
    func plainString() -> Range<Int>? {
      let start = parser.position + 1
      let end = CanonicalJSON.Parser.plainRunEnd(bytes, from: start)
      guard end < count, bytes[end] == UInt8(ascii: "\"") else { return nil }
      parser.position = end + 1
      return start..<end
    }
    /// Past a JSON number (sign, digits, fraction, exponent), without making a value of it; false when
    /// it is not one.
    func skipNumber() -> Bool {
      func digits() -> Int {
        let from = parser.position
        while parser.position < count, bytes[parser.position] >= 48, bytes[parser.position] <= 57 {
          parser.position += 1
        }
        return parser.position - from
      }
      if bytes[parser.position] == UInt8(ascii: "-") { parser.position += 1 }
      guard digits() > 0 else { return false }
      if parser.position < count, bytes[parser.position] == UInt8(ascii: ".") {
        parser.position += 1
        guard digits() > 0 else { return false }
      }
      if parser.position < count, bytes[parser.position] | 0x20 == UInt8(ascii: "e") {
        parser.position += 1
        if parser.position < count,
          bytes[parser.position] == UInt8(ascii: "+") || bytes[parser.position] == UInt8(ascii: "-")
        {
          parser.position += 1
        }
        guard digits() > 0 else { return false }
      }
      return true
    }
    /// A string field's value (`nil`: JSON null); `isEmpty` tells the id and model apart from "".
    func setText(_ field: Field, _ text: Int32?, isEmpty: Bool) {
      switch field {
      case .id:
        values.id = text ?? -1
        idIsEmpty = isEmpty
      case .model:
        values.model = text ?? -1
        modelIsEmpty = isEmpty
      case .agent: values.agent = text
      case .session: values.session = text
      case .prices: values.prices = text
      case .user: values.user = text
      case .machine: values.machine = text
      case .branch: values.branch = text
      case .feature: values.feature = text
      default: break
      }
    }
    /// Past a `,` (true: another member follows) or the closing `}` (false).
    func next() throws -> Bool {
      guard parser.position < count else {
        throw CanonicalJSON.ParseError(offset: count, reason: "unterminated object")
      }
      if bytes[parser.position] == UInt8(ascii: ",") {
        parser.position += 1
        skipSpace()
        return true
      }
      if bytes[parser.position] == UInt8(ascii: "}") {
        parser.position += 1
        return false
      }
      throw CanonicalJSON.ParseError(offset: parser.position, reason: "expected ',' or '}'")
    }
    do {
      skipSpace()
      guard parser.position < count, bytes[parser.position] == UInt8(ascii: "{") else { return nil }
      parser.position += 1
      skipSpace()
      while true {
        guard parser.position < count, bytes[parser.position] == UInt8(ascii: "\"") else { return nil }
        let field: Field?
        if let range = plainString() {
          field = Field.named(UnsafeBufferPointer(rebasing: bytes[range]))
        } else {
          field = Field.byName[try parser.string()]
        }
        skipSpace()
        guard parser.position < count, bytes[parser.position] == UInt8(ascii: ":") else { return nil }
        parser.position += 1
        skipSpace()
        guard parser.position < count else { return nil }
        guard let field else {
          // A field a later octo-git writes: the line is read for the fields this one knows (its value
          // checked as the general parser checks it, escapes included).
          _ = try parser.value(depth: 1)
          skipSpace()
          guard try next() else { break }
          continue
        }
        // A key may come twice; as in the general parser, the last value is the one judged.
        let bit = UInt32(1) << UInt32(field.rawValue)
        invalid &= ~bit
        let first = bytes[parser.position]
        if first == UInt8(ascii: "n") {
          _ = try parser.expect("null", .null)
          switch field.kind {
          case .version: invalid |= bit
          case .time:
            at = nil
            atText = nil
          case .cost: values.cost = nil
          case .tokens: values.tokens[field] = 0
          case .text: setText(field, nil, isEmpty: true)
          }
        } else if first == UInt8(ascii: "\"") && field.kind != .text && field.kind != .time {
          _ = try parser.value(depth: 1)
          invalid |= bit
        } else if first == UInt8(ascii: "\"") {
          if let range = plainString() {
            let text = UnsafeBufferPointer(rebasing: bytes[range])
            if field == .id && range.count > UsageLimits.maxIDBytes {
              invalid |= bit
            } else if field == .at {
              at = range
              atText = nil
            } else if texts.keepsEveryField || !field.isUnusedWhenSumming {
              setText(field, texts.text(text, for: field), isEmpty: range.isEmpty)
            }
          } else {
            var text = try parser.string()
            if field == .at {
              atText = text
              at = nil
            } else if text.withUTF8(UsageField.holdsNul) {  // only an escape spells U+0000
              invalid |= bit
            } else if field == .id && text.utf8.count > UsageLimits.maxIDBytes {
              invalid |= bit
            } else if texts.keepsEveryField || !field.isUnusedWhenSumming {
              setText(field, text.withUTF8 { texts.text($0, for: field) }, isEmpty: text.isEmpty)
            }
          }
        } else if first == UInt8(ascii: "-") || (48...57).contains(first) {
          let start = parser.position
          guard skipNumber() else { return nil }
          let range = start..<parser.position
          let number = UnsafeBufferPointer(rebasing: bytes[range])
          switch field.kind {
          case .version: if Self.wholeNumber(number) != UsageLimits.formatVersion { invalid |= bit }
          case .cost:
            if let cost = PicoDollars(cost: number) { values.cost = cost } else { invalid |= bit }
          case .tokens:
            if let value = Self.wholeNumber(number) { values.tokens[field] = value } else { invalid |= bit }
          case .text, .time: invalid |= bit
          }
        } else {
          // true, false, an object or an array: never a usage field's value (checked as JSON all the same).
          _ = try parser.value(depth: 1)
          invalid |= bit
        }
        skipSpace()
        guard try next() else { break }
      }
      skipSpace()
      guard parser.position == count else { return nil }
    } catch {
      return nil
    }
    guard invalid == 0, values.id >= 0, !idIsEmpty, values.model >= 0, !modelIsEmpty else { return nil }
    if let at {
      let text = UnsafeBufferPointer(rebasing: bytes[at])
      guard let milliseconds = Self.canonicalTime(text) ?? Self.milliseconds(String(decoding: text, as: UTF8.self))
      else { return nil }
      values.atMs = milliseconds
    } else if let atText, let milliseconds = Self.milliseconds(atText) {
      values.atMs = milliseconds
    } else {
      return nil
    }
    return values
  }

  /// Whether a line that did not read as an event is one of a later format version (`"v"` above
  /// ``UsageLimits/formatVersion``): such lines are counted apart from damaged ones, and kept.
  static func isNewerVersion(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let value = try? CanonicalJSON.parse(bytes: bytes), let version = value["v"]?.intValue else { return false }
    return version > UsageLimits.formatVersion
  }

  /// Calls `body` with each non-empty line of a note's text.
  static func forEachLine(in text: UnsafeRawBufferPointer, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
    let bytes = text.bindMemory(to: UInt8.self)
    guard let base = bytes.baseAddress else { return }
    var start = 0
    while start < bytes.count {
      let end =
        memchr(base + start, 0x0A, bytes.count - start).map {
          UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base
        } ?? bytes.count
      if end > start { body(UnsafeBufferPointer(start: base + start, count: end - start)) }
      start = end + 1
    }
  }

  private static func milliseconds(_ text: String) -> Int64? { Timestamp.milliseconds(text: text) }
}
