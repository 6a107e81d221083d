import Foundation

extension JSONText {
  // MARK: Layout

  /// The white space before item `index` of `container` (after the `{`, `[` or `,` before it).
  func leadingWhitespace(_ container: Span, _ index: Int) -> ArraySlice<UInt8> {
    let start = container.itemStart(index)
    var position = start
    while position > container.start + 1, Self.isWhitespace(bytes[position - 1]) { position -= 1 }
    return bytes[position..<start]
  }

  /// The indentation of the line holding `position`.
  func lineIndent(_ position: Int) -> String {
    var lineStart = position
    while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
    var end = lineStart
    while end < bytes.count, bytes[end] == 0x20 || bytes[end] == 0x09 { end += 1 }
    return String(decoding: bytes[lineStart..<end], as: UTF8.self)
  }

  /// What follows the last line break of `whitespace`, or nil when it holds none.
  static func indentAfterBreak(_ whitespace: ArraySlice<UInt8>) -> String? {
    guard let lastBreak = whitespace.lastIndex(of: 0x0A) else { return nil }
    return String(decoding: whitespace[(lastBreak + 1)...], as: UTF8.self)
  }

  var style: Style {
    if root.children.isEmpty {
      var standard = Style.standard
      if bytes.contains(0x0D) { standard.newline = "\r\n" }
      return standard
    }
    var style = Style(unit: nil, colon: ": ", inlineSeparator: "", newline: bytes.contains(0x0D) ? "\r\n" : "\n")
    var colonFound = false
    var inlineFound = false
    var multiline = false
    var stack = [root]
    while let container = stack.popLast() {
      guard container.kind == .object || container.kind == .array else { continue }
      for index in container.children.indices {
        if container.kind == .object, !colonFound {
          style.colon = String(
            decoding: bytes[container.keyEnds[index]..<container.children[index].start], as: UTF8.self)
          colonFound = true
        }
        let whitespace = leadingWhitespace(container, index)
        if let indent = Self.indentAfterBreak(whitespace) {
          multiline = true
          let outer = lineIndent(container.start)
          if style.unit == nil, indent.hasPrefix(outer), indent.count > outer.count {
            style.unit = String(indent.dropFirst(outer.count))
          }
        } else if index > 0, !inlineFound {
          style.inlineSeparator = String(decoding: whitespace, as: UTF8.self)
          inlineFound = true
        }
      }
      stack += container.children.reversed()
    }
    if multiline, style.unit == nil { style.unit = "  " }
    if !colonFound { style.colon = multiline ? ": " : ":" }
    return style
  }

  // MARK: Writing

  /// `text` as a JSON string, escaped as octo-git has always written it into settings files (backspace and
  /// form feed as `\u0008` and `\u000c`): the canonical writer's escaping otherwise.
  static func quote(_ text: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count + 2)
    CanonicalJSON.writeString(text, into: &out, namingBackspaceAndFormFeed: false)
    return String(decoding: out, as: UTF8.self)
  }

  /// `value` as text: over several lines from `indent` when there is one (and the style has a unit), else
  /// on one line.
  static func render(_ value: Value, indent: String?, style: Style) -> String {
    func items(_ parts: [String], open: String, close: String) -> String {
      if parts.isEmpty { return open + close }
      if let indent, let unit = style.unit {
        let inner = indent + unit
        return open + style.newline + parts.map { inner + $0 }.joined(separator: "," + style.newline) + style.newline
          + indent + close
      }
      return open + parts.joined(separator: "," + style.inlineSeparator) + close
    }
    let deeper = indent.flatMap { indent in style.unit.map { indent + $0 } }
    switch value {
    case .string(let text): return quote(text)
    case .int(let number): return String(number)
    case .object(let members):
      return items(
        members.map { quote($0.0) + style.colon + render($0.1, indent: deeper, style: style) }, open: "{", close: "}")
    case .array(let elements):
      return items(elements.map { render($0, indent: deeper, style: style) }, open: "[", close: "]")
    }
  }

  /// Adds `value` at the end of the container at `path` (as member `key` of an object).
  mutating func append(_ value: Value, key: String?, to path: [Step]) throws {
    guard let container = span(at: path), container.kind == (key == nil ? .array : .object) else { throw Malformed() }
    let style = self.style
    func text(_ indent: String?) -> String {
      let rendered = Self.render(value, indent: indent, style: style)
      return key.map { Self.quote($0) + style.colon + rendered } ?? rendered
    }
    let count = container.children.count
    if count > 0 {
      // Laid out like the last item that starts a line, else like the items on one line.
      var whitespace =
        count > 1 ? leadingWhitespace(container, count - 1) : ArraySlice(Array(style.inlineSeparator.utf8))
      for index in (0..<count).reversed() where leadingWhitespace(container, index).contains(0x0A) {
        whitespace = leadingWhitespace(container, index)
        break
      }
      let at = container.children[count - 1].end
      try replace(
        at..<at, with: "," + String(decoding: whitespace, as: UTF8.self) + text(Self.indentAfterBreak(whitespace)))
    } else if let unit = style.unit {
      let outer = lineIndent(container.start)
      try replace(
        (container.start + 1)..<(container.end - 1),
        with: style.newline + outer + unit + text(outer + unit) + style.newline + outer)
    } else {
      try replace((container.start + 1)..<(container.end - 1), with: text(nil))
    }
  }

  /// Cuts item `index` (and one comma) out of the container at `path`.
  mutating func remove(item index: Int, at path: [Step]) throws {
    guard let container = span(at: path), container.children.indices.contains(index) else { throw Malformed() }
    let count = container.children.count
    let range: Range<Int>
    if count == 1 {
      range = (container.start + 1)..<(container.end - 1)
    } else if index < count - 1 {
      range = container.itemStart(index)..<container.itemStart(index + 1)
    } else {
      range = container.children[index - 1].end..<container.children[index].end
    }
    try replace(range, with: "")
  }
}
