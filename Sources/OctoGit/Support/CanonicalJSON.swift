import Foundation

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

  /// Writes a JSON string. Only ASCII bytes are ever escaped, so the text is copied in runs of bytes: `"` and
  /// `\` escaped, line feed, carriage return and tab by their letters, other control characters as `\u00xx`
  /// (lower-case hex). With `namingBackspaceAndFormFeed` (the canonical form), backspace and form feed are `\b`
  /// and `\f`; without (as octo-git has always written agents' settings files), `\u0008` and `\u000c`.
  static func writeString(_ text: String, into out: inout [UInt8], namingBackspaceAndFormFeed: Bool = true) {
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
        case 0x08 where namingBackspaceAndFormFeed: out.append(contentsOf: #"\b"#.utf8)
        case 0x0C where namingBackspaceAndFormFeed: out.append(contentsOf: #"\f"#.utf8)
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
}
