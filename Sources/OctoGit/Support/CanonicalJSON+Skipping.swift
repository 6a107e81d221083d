import Foundation

/// Moving past JSON without building values, and walking an object's members by their keys' bytes.
extension CanonicalJSON.Parser {
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

  /// Walks the members of the object at `position` (checking its braces, colons and commas): `body` gets
  /// the bytes of each key (between its quotes, escapes as written) with the parser at the member's
  /// value, and must move past the value.
  mutating func forEachMember(depth: Int, _ body: (inout Self, Range<Int>) throws -> Void) throws {
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
    var copy = Self(bytes: bytes)
    copy.position = range.lowerBound - 1
    return try copy.string()
  }

  /// Walks the members of the object at `position`: `body` is called with the index in `keys` of each
  /// member's key (`nil`: none of them), the parser at the member's value, and must move past the value.
  mutating func members(depth: Int, keys: [StaticString], _ body: (inout Self, Int?) throws -> Void) throws {
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
}
