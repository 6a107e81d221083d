import Foundation

/// Reading JSON: whole values, or only the selected members of an object.
extension CanonicalJSON {
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

    mutating func object(depth: Int) throws -> JSONValue {
      try object(depth: depth, wanted: nil)
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
          if let unescaped = CanonicalJSON.unescapedByte(escaped) {
            buffer.append(unescaped)
            continue
          }
          guard escaped == UInt8(ascii: "u") else { throw error("invalid escape") }
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

  /// The byte a one-letter escape stands for, given the letter after the backslash (`"`, `\`, `/`, `b`, `f`,
  /// `n`, `r`, `t`); `nil` for any other letter (`u` included: four hex digits follow it).
  static func unescapedByte(_ letter: UInt8) -> UInt8? {
    switch letter {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): letter
    case UInt8(ascii: "b"): 0x08
    case UInt8(ascii: "f"): 0x0C
    case UInt8(ascii: "n"): 0x0A
    case UInt8(ascii: "r"): 0x0D
    case UInt8(ascii: "t"): 0x09
    default: nil
    }
  }
}
