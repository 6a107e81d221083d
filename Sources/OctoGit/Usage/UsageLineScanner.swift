import Foundation

/// Where a usage line's string values go as ``UsageLineScanner`` reads them: the cache makes Swift strings,
/// the rollup numbers the bytes in its own table without making any string. Either way the line's values
/// hold the number the reader gave each string (a plain number, not a generic value: the scanner runs
/// hundreds of thousands of times and stays fully specialised).
protocol UsageLineTexts {
  /// False when reading for the rollup: session, prices and machine are checked but not kept, and a cost
  /// with an exact pico-dollar value gets no text.
  var keepsEveryField: Bool { get }
  /// Takes the string field `field` (never `at`) from its UTF-8 bytes, which live only for the call; returns
  /// the number the line's values will hold for it.
  mutating func text(_ bytes: UnsafeBufferPointer<UInt8>, for field: StoredUsageLine.Field) -> Int32
}

/// A usage line's values, with its strings as the numbers the reader (``UsageLineTexts``) gave them.
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
  /// The cost in pico-dollars, when that is exact and fits in 64 bits.
  var costPico: Int64?
  /// USD in plain decimal notation (`nil`: unpriced, or not asked for; see ``UsageLineTexts/keepsEveryField``).
  var costText: String?
}

/// Reads a usage line straight from its bytes with the same checks as ``UsageEvent/init(line:)`` (a line that
/// fails them is malformed), the cost as exact text and integer pico-dollars, never through `Decimal` or
/// `Date`.
///
/// Reading hundreds of thousands of lines is what a cold rollup does, so this is a byte scanner for the flat
/// objects usage lines are: keys are matched as bytes, strings without escapes go to the reader as bytes,
/// numbers are read as digits. Anything unusual (escapes, exponents) takes the general JSON parser's path.
enum UsageLineScanner {
  typealias Field = StoredUsageLine.Field

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
    var costRange: Range<Int>?
    let count = bytes.count
    func skipSpace() {
      while parser.position < count, bytes[parser.position] == 0x20 || bytes[parser.position] == 0x09 {
        parser.position += 1
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
    func setCount(_ field: Field, _ value: Int) {
      switch field {
      case .input: values.tokens.input = value
      case .output: values.tokens.output = value
      case .cw5m: values.tokens.cacheWrite5m = value
      case .cw1h: values.tokens.cacheWrite1h = value
      default: values.tokens.cacheRead = value
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
          field = Self.field(UnsafeBufferPointer(rebasing: bytes[range]))
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
        let first = bytes[parser.position]
        if first == UInt8(ascii: "n") {
          _ = try parser.expect("null", .null)
          switch field {
          case .v: return nil
          case .at:
            at = nil
            atText = nil
          case .cost: costRange = nil
          case .input, .output, .cw5m, .cw1h, .cr: setCount(field, 0)
          default: setText(field, nil, isEmpty: true)
          }
        } else if first == UInt8(ascii: "\"") {
          guard field.isString else { return nil }
          if let range = plainString() {
            if field == .at {
              at = range
              atText = nil
            } else if texts.keepsEveryField || !field.isUnusedWhenSumming {
              setText(
                field, texts.text(UnsafeBufferPointer(rebasing: bytes[range]), for: field), isEmpty: range.isEmpty)
            }
          } else {
            var text = try parser.string()
            if field == .at {
              atText = text
              at = nil
            } else if texts.keepsEveryField || !field.isUnusedWhenSumming {
              setText(field, text.withUTF8 { texts.text($0, for: field) }, isEmpty: text.isEmpty)
            }
          }
        } else if first == UInt8(ascii: "-") || (48...57).contains(first) {
          let start = parser.position
          guard skipNumber() else { return nil }
          let range = start..<parser.position
          switch field {
          case .v: guard range.count == 1, bytes[start] == UInt8(ascii: "1") else { return nil }
          case .cost: costRange = range
          case .input, .output, .cw5m, .cw1h, .cr:
            guard let value = Self.wholeNumber(UnsafeBufferPointer(rebasing: bytes[range])) else { return nil }
            setCount(field, value)
          default: return nil
          }
        } else {
          return nil
        }
        skipSpace()
        guard try next() else { break }
      }
      skipSpace()
      guard parser.position == count else { return nil }
    } catch {
      return nil
    }
    guard values.id >= 0, !idIsEmpty, values.model >= 0, !modelIsEmpty else { return nil }
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
    if let costRange {
      let number = UnsafeBufferPointer(rebasing: bytes[costRange])
      if let plain = Self.plainDigits(number) {
        let digits = UnsafeBufferPointer(rebasing: number[plain])
        values.costPico = Self.picoDollars(digits)
        if texts.keepsEveryField || values.costPico == nil { values.costText = String(decoding: digits, as: UTF8.self) }
        // Past 9.2 million USD a cost has no 64-bit pico-dollar value: checked against the limit as a decimal.
        if values.costPico == nil {
          guard let decimal = Decimal(string: values.costText ?? "", locale: Locale(identifier: "en_US_POSIX")),
            decimal <= UsageLimits.maxCost
          else { return nil }
        }
      } else {
        let text = String(decoding: number, as: UTF8.self)
        guard let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), decimal >= 0,
          decimal <= UsageLimits.maxCost
        else { return nil }
        let plain = CanonicalJSON.plain(decimal)
        values.costPico = Self.picoDollars(plain.utf8)
        values.costText = plain
      }
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

  private static func milliseconds(_ text: String) -> Int64? {
    Timestamp.parse(text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
  }

  /// The field a key names, matched on its bytes.
  static func field(_ key: UnsafeBufferPointer<UInt8>) -> Field? {
    func byte(_ index: Int) -> UInt8 { key[index] }
    func equals(_ text: StaticString) -> Bool {
      guard text.utf8CodeUnitCount == key.count, let base = key.baseAddress else { return false }
      return memcmp(base, text.utf8Start, key.count) == 0
    }
    switch key.count {
    case 1: return byte(0) == UInt8(ascii: "v") ? .v : nil
    case 2:
      switch (byte(0), byte(1)) {
      case (UInt8(ascii: "i"), UInt8(ascii: "d")): return .id
      case (UInt8(ascii: "a"), UInt8(ascii: "t")): return .at
      case (UInt8(ascii: "i"), UInt8(ascii: "n")): return .input
      case (UInt8(ascii: "c"), UInt8(ascii: "r")): return .cr
      default: return nil
      }
    case 3: return equals("out") ? .output : nil
    case 4:
      switch byte(0) {
      case UInt8(ascii: "c"): return equals("cw5m") ? .cw5m : equals("cw1h") ? .cw1h : equals("cost") ? .cost : nil
      case UInt8(ascii: "u"): return equals("user") ? .user : nil
      default: return nil
      }
    case 5: return equals("agent") ? .agent : equals("model") ? .model : nil
    case 6: return equals("prices") ? .prices : equals("branch") ? .branch : nil
    case 7: return equals("session") ? .session : equals("machine") ? .machine : equals("feature") ? .feature : nil
    default: return nil
    }
  }
}
