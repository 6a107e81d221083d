import Foundation

/// A JSON document edited as text: members and elements are spliced in or cut out, and every other byte
/// (key order, indentation, spacing, line endings) stays as it was.
struct JSONText {
  /// Where a value sits in the text.
  struct Span {
    enum Kind { case object, array, string, scalar }
    var kind: Kind
    /// The value's first byte, and one past its last.
    var start: Int
    var end: Int
    /// An object's keys, where each member starts (its key's opening quote) and where each key ends.
    var keys: [String] = []
    var keyStarts: [Int] = []
    var keyEnds: [Int] = []
    /// An object's values, or an array's elements.
    var children: [Span] = []
    /// A string's value.
    var string: String?

    init(kind: Kind, start: Int, end: Int) {
      self.kind = kind
      self.start = start
      self.end = end
    }

    func itemStart(_ index: Int) -> Int { kind == .object ? keyStarts[index] : children[index].start }
    func index(of key: String) -> Int? { kind == .object ? keys.firstIndex(of: key) : nil }
    func child(_ key: String) -> Span? { index(of: key).map { children[$0] } }
  }

  /// One step from a container to one of its items.
  enum Step {
    case key(String)
    case index(Int)
  }

  /// A value to write.
  indirect enum Value {
    case string(String)
    case int(Int)
    case object([(String, Value)])
    case array([Value])
  }

  /// How the document is laid out, so that what is added looks like what is there.
  struct Style {
    /// One level of indentation; nil when the document is on one line.
    var unit: String?
    /// Between a key and its value (`": "`, `":"`).
    var colon: String
    /// After a comma on one line (`" "` or nothing).
    var inlineSeparator: String
    var newline: String

    static let standard = Style(unit: "  ", colon: ": ", inlineSeparator: " ", newline: "\n")
  }

  struct Malformed: Error {}

  private(set) var bytes: [UInt8]
  private(set) var root: Span

  init(_ bytes: [UInt8]) throws {
    self.bytes = bytes
    root = try Self.parse(bytes)
  }

  /// The document in `data`, which must be a JSON object (else a bad-input error naming `path`).
  static func document(_ data: Data, path: String) throws -> JSONText {
    let bytes = Array(data)
    guard case .object = try? CanonicalJSON.parse(String(decoding: data, as: UTF8.self)),
      let document = try? JSONText(bytes), document.root.kind == .object
    else {
      let why = Self.notPlainJSON(bytes).map { " (it \($0), which octo-git does not edit)" } ?? ""
      throw OctoError.badInput(
        "\(path) is not a JSON object\(why)",
        hint: "make it plain JSON, or add octo-git's hooks to it by hand; then run octo-git install again")
    }
    // Agents read JSON with a parser that keeps the last of two equal keys: an edit of the first would never
    // be read.
    if let key = duplicateKey(in: document.root) {
      throw OctoError.badInput(
        "\(path) names \"\(SafeText.terminal(key))\" twice in one object (the agent reads only the last)",
        hint: "keep one of them, then run octo-git install again")
    }
    return document
  }

  /// A key some object of `span` holds twice, if any.
  static func duplicateKey(in span: Span) -> String? {
    if span.kind == .object,
      let repeated = Dictionary(span.keys.map { ($0, 1) }, uniquingKeysWith: +).first(where: {
        $0.value > 1
      })
    {
      return repeated.key
    }
    for child in span.children { if let key = duplicateKey(in: child) { return key } }
    return nil
  }

  /// What makes `bytes` something other than plain JSON that editors and agents often accept: a byte-order
  /// mark, comments, a trailing comma; `nil` when none of these is found.
  static func notPlainJSON(_ bytes: [UInt8]) -> String? {
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return "starts with a byte-order mark" }
    var inString = false
    var escaped = false
    var lastSignificant: UInt8 = 0
    // The significant byte before the last one: a comma after a value, not after `{`, `[` or another comma.
    var beforeLast: UInt8 = 0
    for (index, byte) in bytes.enumerated() {
      if inString {
        if escaped {
          escaped = false
        } else if byte == UInt8(ascii: "\\") {
          escaped = true
        } else if byte == UInt8(ascii: "\"") {
          inString = false
        }
        continue
      }
      switch byte {
      case UInt8(ascii: "\""): inString = true
      case UInt8(ascii: "/"):
        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") || bytes[index + 1] == UInt8(ascii: "*") {
          return "holds comments"
        }
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        if lastSignificant == UInt8(ascii: ","), !"{[,".utf8.contains(beforeLast) { return "has a trailing comma" }
      default: break
      }
      if !isWhitespace(byte) { (beforeLast, lastSignificant) = (lastSignificant, byte) }
    }
    return nil
  }

  // MARK: Reading

  static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

  static func parse(_ bytes: [UInt8]) throws -> Span {
    var position = 0
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    skipWhitespace(bytes, &position)
    let root = try value(bytes, &position, depth: 0)
    skipWhitespace(bytes, &position)
    guard position == bytes.count else { throw Malformed() }
    return root
  }

  static func skipWhitespace(_ bytes: [UInt8], _ position: inout Int) {
    while position < bytes.count, isWhitespace(bytes[position]) { position += 1 }
  }

  /// After a member or an element: moves past the white space and then a `,` (`true`: another follows) or the
  /// container's `closer` (`false`); anything else is malformed.
  static func another(_ bytes: [UInt8], _ position: inout Int, closer: UInt8) throws -> Bool {
    skipWhitespace(bytes, &position)
    guard position < bytes.count, bytes[position] == UInt8(ascii: ",") || bytes[position] == closer else {
      throw Malformed()
    }
    position += 1
    return bytes[position - 1] == UInt8(ascii: ",")
  }

  /// An object or an array from its opening bracket (at `depth`); `position` ends after the closing one.
  static func container(_ bytes: [UInt8], _ position: inout Int, depth: Int) throws -> Span {
    let isObject = bytes[position] == UInt8(ascii: "{")
    let closer = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
    var span = Span(kind: isObject ? .object : .array, start: position, end: position)
    position += 1
    skipWhitespace(bytes, &position)
    if position < bytes.count, bytes[position] == closer {
      position += 1
      span.end = position
      return span
    }
    repeat {
      skipWhitespace(bytes, &position)
      if isObject {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw Malformed() }
        let keyStart = position
        let key = try string(bytes, &position)
        let keyEnd = position
        skipWhitespace(bytes, &position)
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw Malformed() }
        position += 1
        skipWhitespace(bytes, &position)
        span.keys.append(key)
        span.keyStarts.append(keyStart)
        span.keyEnds.append(keyEnd)
      }
      span.children.append(try value(bytes, &position, depth: depth + 1))
    } while try another(bytes, &position, closer: closer)
    span.end = position
    return span
  }

  static func value(_ bytes: [UInt8], _ position: inout Int, depth: Int) throws -> Span {
    guard depth < 200, position < bytes.count else { throw Malformed() }
    let start = position
    switch bytes[position] {
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      return try container(bytes, &position, depth: depth)
    case UInt8(ascii: "\""):
      let text = try string(bytes, &position)
      var span = Span(kind: .string, start: start, end: position)
      span.string = text
      return span
    default:
      let delimiters: Set<UInt8> = [
        0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ":"),
      ]
      while position < bytes.count, !delimiters.contains(bytes[position]) { position += 1 }
      guard position > start else { throw Malformed() }
      return Span(kind: .scalar, start: start, end: position)
    }
  }

  /// Reads a string starting at its opening quote; `position` ends after the closing quote.
  static func string(_ bytes: [UInt8], _ position: inout Int) throws -> String {
    position += 1
    var out: [UInt8] = []
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        position += 1
        return String(decoding: out, as: UTF8.self)
      }
      guard byte == UInt8(ascii: "\\") else {
        out.append(byte)
        position += 1
        continue
      }
      guard position + 1 < bytes.count else { throw Malformed() }
      let escape = bytes[position + 1]
      position += 2
      if let unescaped = CanonicalJSON.unescapedByte(escape) {
        out.append(unescaped)
        continue
      }
      guard escape == UInt8(ascii: "u") else { throw Malformed() }
      var scalar = try hex4(bytes, &position)
      if (0xD800..<0xDC00).contains(scalar), position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
        bytes[position + 1] == UInt8(ascii: "u")
      {
        var next = position + 2
        let low = try hex4(bytes, &next)
        if (0xDC00..<0xE000).contains(low) {
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          position = next
        }
      }
      out += Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
    }
    throw Malformed()
  }

  static func hex4(_ bytes: [UInt8], _ position: inout Int) throws -> UInt32 {
    guard position + 4 <= bytes.count,
      let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
    else { throw Malformed() }
    position += 4
    return value
  }

  /// The container reached by `path` from the root.
  func span(at path: [Step]) -> Span? {
    var current = root
    for step in path {
      switch step {
      case .key(let key):
        guard let next = current.child(key) else { return nil }
        current = next
      case .index(let index):
        guard current.kind == .array || current.kind == .object, current.children.indices.contains(index) else {
          return nil
        }
        current = current.children[index]
      }
    }
    return current
  }

  // MARK: Splicing

  /// Puts `text` in place of the bytes in `range` and parses the result again.
  mutating func replace(_ range: Range<Int>, with text: String) throws {
    bytes.replaceSubrange(range, with: Array(text.utf8))
    root = try Self.parse(bytes)
  }
}
