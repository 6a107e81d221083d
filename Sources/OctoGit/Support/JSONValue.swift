import Foundation

/// A JSON value that keeps numbers as their exact decimal text, so money read from JSON is never
/// rounded through binary floating point.
public enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  /// A number, as written (e.g. `0.000003`, `3e-06`, `1200`).
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public subscript(key: String) -> JSONValue? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  public var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  /// The number as an exact decimal.
  public var decimalValue: Decimal? {
    guard case .number(let text) = self else { return nil }
    return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
  }

  /// The number when it is written as a whole number (`12`, not `12.0` or `1e1`) that fits in `Int`.
  public var intValue: Int? {
    guard case .number(let text) = self else { return nil }
    return Int(text)
  }

  public var objectValue: [String: JSONValue]? {
    if case .object(let members) = self { return members }
    return nil
  }

  public var arrayValue: [JSONValue]? {
    if case .array(let items) = self { return items }
    return nil
  }

  public var boolValue: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// A number value holding `decimal` in plain (non-exponent) notation.
  public static func decimal(_ decimal: Decimal) -> JSONValue {
    .number(CanonicalJSON.plain(decimal))
  }

  public static func int(_ value: Int) -> JSONValue { .number(String(value)) }
}

/// Parses and writes JSON.
///
/// The written form is canonical: object keys sorted by their UTF-8 bytes, no insignificant white space,
/// non-ASCII kept as UTF-8, only `"`, `\` and control characters escaped. The same value therefore always
/// gives the same bytes, which is what lets git's `cat_sort_uniq` notes merge drop duplicate lines.
public enum CanonicalJSON {
  public struct ParseError: Error, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "\(reason) at byte \(offset)" }
  }

  // MARK: Writing

  public static func string(_ value: JSONValue) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(value, into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  static func write(_ value: JSONValue, into out: inout [UInt8]) {
    switch value {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
    case .number(let text): out.append(contentsOf: text.utf8)
    case .string(let text): writeString(text, into: &out)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (position, item) in items.enumerated() {
        if position > 0 { out.append(UInt8(ascii: ",")) }
        write(item, into: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      for (position, key) in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
        if position > 0 { out.append(UInt8(ascii: ",")) }
        writeString(key, into: &out)
        out.append(UInt8(ascii: ":"))
        write(members[key]!, into: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  /// Writes a JSON string. Only ASCII bytes are ever escaped, so the text is copied in runs of bytes.
  static func writeString(_ text: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { bytes in
      var runStart = 0
      for index in 0..<bytes.count {
        let byte = bytes[index]
        guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
        runStart = index + 1
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
        case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
        case 0x0A: out.append(contentsOf: #"\n"#.utf8)
        case 0x0D: out.append(contentsOf: #"\r"#.utf8)
        case 0x09: out.append(contentsOf: #"\t"#.utf8)
        case 0x08: out.append(contentsOf: #"\b"#.utf8)
        case 0x0C: out.append(contentsOf: #"\f"#.utf8)
        default:
          let hex = String(byte, radix: 16)
          out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
        }
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
    }
    out.append(UInt8(ascii: "\""))
  }

  /// A decimal in plain notation without trailing zeros after the point (`1.5`, `0.000003`, `12`).
  public static func plain(_ decimal: Decimal) -> String {
    // Decimal's own description is plain and locale-free (NSDecimalNumber's needs a Locale made per call).
    var text = decimal.description
    if text.contains("E") || text.contains("e") {
      text = NSDecimalNumber(decimal: decimal).description(withLocale: Locale(identifier: "en_US_POSIX"))
    }
    if text.contains(".") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
  }

  // MARK: Parsing

  public static func parse(_ text: String) throws -> JSONValue {
    var copy = text
    return try copy.withUTF8 { try parse(bytes: $0) }
  }

  /// Which members of an object to read: every member of an `.all` field is read; members missing from a
  /// `.members` selection are skipped without building values (cheap for long strings).
  public indirect enum Selection: Sendable {
    case all
    case members([String: Selection])
  }

  /// Parses only the selected members of a top-level object (the rest is checked for syntax and skipped).
  public static func parse(bytes: UnsafeBufferPointer<UInt8>, selecting selection: Selection) throws -> JSONValue {
    var parser = Parser(bytes: bytes)
    parser.skipSpace()
    let value = try parser.value(depth: 0, selection: selection)
    parser.skipSpace()
    guard parser.position == bytes.count else { throw parser.error("unexpected text after the value") }
    return value
  }

  public static func parse(bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
    var parser = Parser(bytes: bytes)
    parser.skipSpace()
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    guard parser.position == bytes.count else { throw parser.error("unexpected text after the value") }
    return value
  }

  struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ reason: String) -> ParseError { ParseError(offset: position, reason: reason) }

    mutating func skipSpace() {
      while position < bytes.count {
        switch bytes[position] {
        case 0x20, 0x09, 0x0A, 0x0D: position += 1
        default: return
        }
      }
    }

    mutating func expect(_ literal: StaticString, _ value: JSONValue) throws -> JSONValue {
      let count = literal.utf8CodeUnitCount
      guard position + count <= bytes.count else { throw error("truncated literal") }
      for offset in 0..<count where bytes[position + offset] != literal.utf8Start[offset] {
        throw error("invalid literal")
      }
      position += count
      return value
    }

    mutating func value(depth: Int) throws -> JSONValue {
      guard depth < 256 else { throw error("nesting too deep") }
      guard position < bytes.count else { throw error("unexpected end of input") }
      switch bytes[position] {
      case UInt8(ascii: "{"): return try object(depth: depth)
      case UInt8(ascii: "["): return try array(depth: depth)
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): return try expect("true", .bool(true))
      case UInt8(ascii: "f"): return try expect("false", .bool(false))
      case UInt8(ascii: "n"): return try expect("null", .null)
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
      default: throw error("unexpected character")
      }
    }

    /// A value, reading only the selected members of objects.
    mutating func value(depth: Int, selection: Selection) throws -> JSONValue {
      guard case .members(let wanted) = selection, position < bytes.count, bytes[position] == UInt8(ascii: "{") else {
        return try value(depth: depth)
      }
      return try object(depth: depth, wanted: wanted)
    }

    /// Moves past one value without building it, checking its syntax (the bulk of a transcript line is
    /// skipped this way): strings are scanned for their closing quote (their bytes are not decoded, so text
    /// nobody reads is not validated), containers are walked.
    mutating func skipValue(depth: Int) throws {
      guard depth < 256 else { throw error("nesting too deep") }
      guard position < bytes.count else { throw error("unexpected end of input") }
      switch bytes[position] {
      case UInt8(ascii: "\""): try skipString()
      case UInt8(ascii: "{"): try skipContainer(depth: depth, closing: UInt8(ascii: "}"), keyed: true)
      case UInt8(ascii: "["): try skipContainer(depth: depth, closing: UInt8(ascii: "]"), keyed: false)
      default: _ = try value(depth: depth)
      }
    }

    /// Past a string. Eight bytes at a time while none of them is a quote, a backslash or a control
    /// character (which a string may not hold raw).
    mutating func skipString() throws {
      position += 1
      while true {
        position = Self.plainRunEnd(bytes, from: position)
        guard position < bytes.count else { throw error("unterminated string") }
        let byte = bytes[position]
        if byte == UInt8(ascii: "\"") {
          position += 1
          return
        }
        if byte == UInt8(ascii: "\\") {
          position += 2
          continue
        }
        throw error("control character in a string")
      }
    }

    /// The index of the first byte from `start` on that ends or escapes a string's plain run (`"`, `\\` or
    /// a control character), eight bytes at a time; `bytes.count` when there is none.
    static func plainRunEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
      let count = bytes.count
      guard let base = bytes.baseAddress else { return count }
      let ones: UInt64 = 0x0101_0101_0101_0101
      let highs: UInt64 = 0x8080_8080_8080_8080
      var position = start
      while position + 8 <= count {
        let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
        if special & highs != 0 { break }
        position += 8
      }
      while position < count {
        let byte = bytes[position]
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return position }
        position += 1
      }
      return count
    }

    /// Past an object (`keyed`) or an array, checking its commas, colons and keys.
    mutating func skipContainer(depth: Int, closing: UInt8, keyed: Bool) throws {
      position += 1
      skipSpace()
      if position < bytes.count, bytes[position] == closing {
        position += 1
        return
      }
      while true {
        skipSpace()
        if keyed {
          guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a key") }
          try skipString()
          skipSpace()
          guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
          position += 1
          skipSpace()
        }
        try skipValue(depth: depth + 1)
        skipSpace()
        guard position < bytes.count else { throw error(keyed ? "unterminated object" : "unterminated array") }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
          continue
        }
        guard bytes[position] == closing else { throw error(keyed ? "expected ',' or '}'" : "expected ',' or ']'") }
        position += 1
        return
      }
    }

    mutating func object(depth: Int) throws -> JSONValue {
      try object(depth: depth, wanted: nil)
    }

    /// Walks the members of the object at `position` (checking its braces, colons and commas): `body` gets
    /// the bytes of each key (between its quotes, escapes as written) with the parser at the member's
    /// value, and must move past the value.
    mutating func forEachMember(depth: Int, _ body: (inout Parser, Range<Int>) throws -> Void) throws {
      guard depth < 256 else { throw error("nesting too deep") }
      position += 1
      skipSpace()
      if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
        position += 1
        return
      }
      while true {
        skipSpace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a key") }
        let start = position + 1
        try skipString()
        let key = start..<(position - 1)
        skipSpace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
        position += 1
        skipSpace()
        guard position < bytes.count else { throw error("unexpected end of input") }
        try body(&self, key)
        skipSpace()
        guard position < bytes.count else { throw error("unterminated object") }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
        } else if bytes[position] == UInt8(ascii: "}") {
          position += 1
          return
        } else {
          throw error("expected ',' or '}'")
        }
      }
    }

    /// The text of a key whose bytes are `range` (escapes decoded, UTF-8 checked as for any string).
    func keyText(_ range: Range<Int>) throws -> String {
      var copy = Parser(bytes: bytes)
      copy.position = range.lowerBound - 1
      return try copy.string()
    }

    /// Walks the members of the object at `position`: `body` is called with the index in `keys` of each
    /// member's key (`nil`: none of them), the parser at the member's value, and must move past the value.
    mutating func members(depth: Int, keys: [StaticString], _ body: (inout Parser, Int?) throws -> Void) throws {
      try forEachMember(depth: depth) { parser, range in
        let key = UnsafeBufferPointer(rebasing: parser.bytes[range])
        var index = keys.firstIndex {
          $0.utf8CodeUnitCount == key.count && memcmp($0.utf8Start, key.baseAddress!, key.count) == 0
        }
        if index == nil, key.contains(UInt8(ascii: "\\")) {
          let decoded = try parser.keyText(range)
          index = keys.firstIndex {
            String(decoding: UnsafeBufferPointer(start: $0.utf8Start, count: $0.utf8CodeUnitCount), as: UTF8.self)
              == decoded
          }
        }
        try body(&parser, index)
      }
    }

    /// The string at `position` (`nil`, read and dropped, when the value is something else).
    mutating func stringIfAny(depth: Int) throws -> String? {
      if bytes[position] == UInt8(ascii: "\"") { return try string() }
      _ = try value(depth: depth)
      return nil
    }

    /// The string at `position` as ``stringIfAny(depth:)`` reads it, but `previous` itself when the text is
    /// the same (no new string: a transcript repeats its session, folder, branch and model on every line);
    /// otherwise the new string becomes `previous`.
    mutating func stringIfAny(depth: Int, reusing previous: inout String?) throws -> String? {
      guard bytes[position] == UInt8(ascii: "\"") else { return try stringIfAny(depth: depth) }
      let start = position + 1
      let end = Self.plainRunEnd(bytes, from: start)
      if end < bytes.count, bytes[end] == UInt8(ascii: "\""), end > start, var known = previous,
        known.utf8.count == end - start,
        known.withUTF8({ memcmp($0.baseAddress!, bytes.baseAddress! + start, end - start) == 0 })
      {
        position = end + 1
        return known
      }
      let text = try string()
      previous = text
      return text
    }

    /// The bytes of the string at `position` when it has no escape, moved past (`nil` otherwise, not moved).
    mutating func plainStringIfAny() -> Range<Int>? {
      guard bytes[position] == UInt8(ascii: "\"") else { return nil }
      let start = position + 1
      let end = Self.plainRunEnd(bytes, from: start)
      guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
      position = end + 1
      return start..<end
    }

    /// The whole number at `position` as `Int(text)` would read its JSON text (`nil` for fractions,
    /// exponents, overflow, or a value that is not a number), moved past.
    mutating func integerIfAny(depth: Int) throws -> Int? {
      let first = bytes[position]
      guard first == UInt8(ascii: "-") || (first >= 48 && first <= 57) else {
        _ = try value(depth: depth)
        return nil
      }
      let start = position
      _ = try value(depth: depth)
      let digits = UnsafeBufferPointer(rebasing: bytes[start..<position])
      if digits.count <= 18, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
        return digits.reduce(0) { $0 * 10 + Int($1 - 48) }
      }
      return Int(String(decoding: digits, as: UTF8.self))
    }

    /// An object; with `wanted`, only those members are read (their keys matched on their bytes, so only
    /// wanted keys become strings) and the others skipped.
    mutating func object(depth: Int, wanted: [String: Selection]?) throws -> JSONValue {
      var members: [String: JSONValue] = [:]
      try forEachMember(depth: depth - 1) { parser, range in
        guard let wanted else {
          members[try parser.keyText(range)] = try parser.value(depth: depth + 1)
          return
        }
        let raw = UnsafeBufferPointer(rebasing: parser.bytes[range])
        var match: (String, Selection)?
        if raw.contains(UInt8(ascii: "\\")) {
          let key = try parser.keyText(range)
          match = wanted[key].map { (key, $0) }
        } else {
          for (name, selection) in wanted where name.utf8.count == raw.count && name.utf8.elementsEqual(raw) {
            match = (name, selection)
            break
          }
        }
        if let (key, inner) = match {
          members[key] = try parser.value(depth: depth + 1, selection: inner)
        } else {
          try parser.skipValue(depth: depth + 1)
        }
      }
      return .object(members)
    }

    mutating func array(depth: Int, keeping: Bool = true) throws -> JSONValue {
      position += 1
      var items: [JSONValue] = []
      skipSpace()
      if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
        position += 1
        return .array(items)
      }
      while true {
        skipSpace()
        if keeping { items.append(try value(depth: depth + 1)) } else { try skipValue(depth: depth + 1) }
        skipSpace()
        guard position < bytes.count else { throw error("unterminated array") }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
        } else if bytes[position] == UInt8(ascii: "]") {
          position += 1
          return .array(items)
        } else {
          throw error("expected ',' or ']'")
        }
      }
    }

    mutating func number() throws -> JSONValue {
      let start = position
      if bytes[position] == UInt8(ascii: "-") { position += 1 }
      func digits(_ parser: inout Parser) -> Int {
        let from = parser.position
        while parser.position < parser.bytes.count, (48...57).contains(parser.bytes[parser.position]) {
          parser.position += 1
        }
        return parser.position - from
      }
      guard digits(&self) > 0 else { throw error("invalid number") }
      if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
        position += 1
        guard digits(&self) > 0 else { throw error("invalid number") }
      }
      if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
        position += 1
        if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
          position += 1
        }
        guard digits(&self) > 0 else { throw error("invalid number") }
      }
      return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
    }

    mutating func string() throws -> String {
      position += 1
      let start = position
      // Fast path: no escapes.
      while position < bytes.count {
        let byte = bytes[position]
        if byte == UInt8(ascii: "\"") {
          let text = try validated(start..<position)
          position += 1
          return text
        }
        if byte == UInt8(ascii: "\\") { break }
        if byte < 0x20 { throw error("control character in a string") }
        position += 1
      }
      // Slow path: escapes present. Unescaped runs are copied as bytes; the result is validated once.
      var buffer: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
      while position < bytes.count {
        let byte = bytes[position]
        if byte == UInt8(ascii: "\"") {
          position += 1
          guard let text = String(validating: buffer, as: UTF8.self) else {
            throw ParseError(offset: start, reason: "invalid UTF-8")
          }
          return text
        }
        if byte < 0x20 { throw error("control character in a string") }
        if byte == UInt8(ascii: "\\") {
          position += 1
          guard position < bytes.count else { break }
          let escaped = bytes[position]
          position += 1
          switch escaped {
          case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
          case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
          case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
          case UInt8(ascii: "b"): buffer.append(0x08)
          case UInt8(ascii: "f"): buffer.append(0x0C)
          case UInt8(ascii: "n"): buffer.append(0x0A)
          case UInt8(ascii: "r"): buffer.append(0x0D)
          case UInt8(ascii: "t"): buffer.append(0x09)
          case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800...0xDBFF).contains(code), position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
              bytes[position + 1] == UInt8(ascii: "u")
            {
              position += 2
              let low = try hex4()
              if (0xDC00...0xDFFF).contains(low) {
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
              } else {
                buffer.append(contentsOf: [0xEF, 0xBF, 0xBD])
                code = low
              }
            }
            let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
            buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
          default: throw error("invalid escape")
          }
        } else {
          let runStart = position
          while position < bytes.count, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\"),
            bytes[position] >= 0x20
          {
            position += 1
          }
          buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
        }
      }
      throw error("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
      guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
      var code: UInt32 = 0
      for _ in 0..<4 {
        let byte = bytes[position]
        let digit: UInt8
        switch byte {
        case 48...57: digit = byte - 48
        case 97...102: digit = byte - 87
        case 65...70: digit = byte - 55
        default: throw error("invalid \\u escape")
        }
        code = code << 4 | UInt32(digit)
        position += 1
      }
      return code
    }

    func validated(_ range: Range<Int>) throws -> String {
      let slice = UnsafeBufferPointer(rebasing: bytes[range])
      guard let text = String(validating: slice, as: UTF8.self) else {
        throw ParseError(offset: range.lowerBound, reason: "invalid UTF-8")
      }
      return text
    }
  }
}
