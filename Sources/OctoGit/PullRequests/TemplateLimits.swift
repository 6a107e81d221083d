import Foundation
import Mustache

/// Bounds on a Mustache template read from a repository or a user: the parser and renderer recurse once
/// per section, so a template of thousands of nested sections would exhaust the stack.
enum TemplateLimits {
  /// The largest template read (256 KiB; the built-in one is under 4 KiB).
  static let maxBytes = 256 << 10
  /// The deepest nesting of sections, inverted sections, blocks and partials.
  static let maxDepth = 32

  /// The text of the template file at `path`: a regular file within ``maxBytes``, valid UTF-8.
  static func read(_ path: String) throws -> String {
    try text(path) { try RegularFile.contents(path, limit: maxBytes) }
  }

  /// ``read(_:)`` of a template the repository holds (`relative` to the work tree `root`): a pull request
  /// writes these, so no symbolic link is followed (one to `.git/config` would post its secrets).
  static func read(inside root: String, at relative: String) throws -> String {
    try text(root + "/" + relative) { try RegularFile.contents(inside: root, at: relative, limit: maxBytes) }
  }

  private static func text(_ path: String, reading: () throws -> Data) throws -> String {
    let data: Data
    do {
      data = try reading()
    } catch {
      throw OctoError.badInput("cannot read the template \(error)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw OctoError.badInput("the template \(path) is not UTF-8 text")
    }
    return text
  }

  /// Throws when `text` nests sections deeper than ``maxDepth`` or changes its delimiters (which would
  /// hide tags from this count).
  static func check(_ text: String, name: String) throws {
    var depth = 0
    var deepest = 0
    let bytes = Array(text.utf8)
    var index = 0
    while index + 2 < bytes.count {
      guard bytes[index] == UInt8(ascii: "{"), bytes[index + 1] == UInt8(ascii: "{") else {
        index += 1
        continue
      }
      var sigil = index + 2
      while sigil < bytes.count, bytes[sigil] == 0x20 { sigil += 1 }
      guard sigil < bytes.count else { break }
      switch bytes[sigil] {
      case UInt8(ascii: "#"), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "<"):
        depth += 1
        deepest = max(deepest, depth)
      case UInt8(ascii: "/"): depth = max(0, depth - 1)
      case UInt8(ascii: "="):
        throw OctoError.badInput(
          "the template \(name) changes its delimiters ({{=…=}}), which octo-git does not accept")
      default: break
      }
      index = sigil + 1
    }
    if deepest > maxDepth {
      throw OctoError.badInput("the template \(name) nests sections \(deepest) deep (at most \(maxDepth))")
    }
  }

  /// A parse error as one line: what is wrong and where (`unfinishedName at line 3, column 7`).
  static func describe(_ error: Error) -> String {
    guard let parse = error as? MustacheTemplate.ParserError else { return "\(error)" }
    return "\(parse.error) at line \(parse.context.lineNumber), column \(parse.context.columnNumber)"
  }

  /// `text` as a template, once it passes ``check(_:name:)``.
  static func parse(_ text: String, name: String) throws -> BoundedTemplate {
    try check(text, name: name)
    do {
      return BoundedTemplate(mustache: try MustacheTemplate(string: text), text: text, name: name)
    } catch {
      throw OctoError.badInput("the template \(name) is not valid Mustache (\(describe(error)))")
    }
  }
}
