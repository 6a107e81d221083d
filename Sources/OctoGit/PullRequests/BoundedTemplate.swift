import Foundation
import Mustache

/// A template that passed ``TemplateLimits``, rendered only when its output is bounded: sections over lists
/// nested in one another repeat their content the product of the lists' lengths, so a 1 KB template of
/// nested `{{#commits.rows}}` would run for hours and gigabytes on a long pull request. Before rendering,
/// the output is estimated from the template's text: each run of text, and each tag as the average string
/// of its name in the values, times the lengths of the lists around it (a section's name is taken for the
/// longest list of that name anywhere in the values, through a transform such as `reversed(commits)`);
/// over ``maxOutput`` the template is refused.
struct BoundedTemplate {
  /// The largest output estimated (GitHub takes 65,536 characters; the built-in templates on a pull request
  /// of 10,000 commits estimate a few megabytes; nested sections over lists, astronomically more).
  static let maxOutput = 256 << 20

  let mustache: MustacheTemplate
  let text: String
  let name: String

  /// The output for `values`.
  ///
  /// - Throws: ``OctoError`` (bad input) when the estimated output passes ``maxOutput``.
  func render(_ values: [String: Any]) throws -> String {
    var sizes = Sizes()
    sizes.measure(values)
    guard Self.estimate(text, sizes: sizes) <= Self.maxOutput else {
      throw OctoError.badInput(
        "the template \(name) would write over \(Self.maxOutput >> 20) MB (sections over lists nested in one "
          + "another repeat everything inside them)", hint: "nest fewer list sections in one another")
    }
    return mustache.render(values)
  }

  /// The longest list and the average string under each key, anywhere in the values.
  struct Sizes {
    var lists: [Substring: Int] = [:]
    /// Bytes and count of the strings under each key.
    var strings: [Substring: (bytes: Int, count: Int)] = [:]

    /// The average length of the strings named `name` (rounded up; 1 for a name with none).
    func average(_ name: Substring) -> Int {
      guard let (bytes, count) = strings[name], count > 0 else { return 1 }
      return max(1, (bytes + count - 1) / count)
    }

    mutating func measure(_ value: Any) {
      if let dictionary = value as? [String: Any] {
        for (key, inner) in dictionary {
          let name = Substring(key)
          if let list = inner as? [Any] { lists[name] = max(lists[name] ?? 0, list.count) }
          if let text = inner as? String {
            let (bytes, count) = strings[name] ?? (0, 0)
            strings[name] = (min(bytes + text.utf8.count, Int.max / 2), count + 1)
          }
          measure(inner)
        }
      } else if let list = value as? [Any] {
        for inner in list { measure(inner) }
      }
    }
  }

  /// The last name a tag's text refers to: `commits.rows` → `rows`, `reversed(commits)` → `commits`.
  static func lastName(_ tag: Substring) -> Substring {
    var name = tag.trimmingCharacters(in: .whitespaces)[...]
    while name.hasSuffix(")") { name = name.dropLast() }
    if let open = name.lastIndex(of: "(") { name = name[name.index(after: open)...] }
    return name.split(separator: ".").last ?? name
  }

  /// About how many bytes rendering `text` writes at most, with `sizes` of the values (saturating).
  static func estimate(_ text: String, sizes: Sizes) -> Int {
    var factors: [Int] = []
    var product = 1
    var total = 0
    func add(_ bytes: Int) {
      let (weighted, overflow) = product.multipliedReportingOverflow(by: bytes)
      total = overflow || total > Int.max - weighted ? Int.max : total + weighted
    }
    var rest = Substring(text)
    while let open = rest.range(of: "{{") {
      add(rest.distance(from: rest.startIndex, to: open.lowerBound))
      rest = rest[open.upperBound...]
      guard let close = rest.range(of: "}}") else { break }
      var tag = rest[..<close.lowerBound]
      rest = rest[close.upperBound...]
      // A triple mustache ends with a third brace.
      if tag.hasPrefix("{"), rest.hasPrefix("}") {
        tag = tag.dropFirst()
        rest = rest.dropFirst()
      }
      guard let sigil = tag.first else { continue }
      switch sigil {
      case "#", "^", "$", "<":
        let factor = sigil == "#" ? max(sizes.lists[lastName(tag.dropFirst())] ?? 1, 1) : 1
        factors.append(factor)
        let (next, overflow) = product.multipliedReportingOverflow(by: factor)
        product = overflow ? Int.max : next
      case "/":
        guard !factors.isEmpty else { continue }
        factors.removeLast()
        product = factors.reduce(1) { partial, factor in
          let (next, overflow) = partial.multipliedReportingOverflow(by: factor)
          return overflow ? Int.max : next
        }
      case "!", "%", ">", "&":
        add(sigil == "&" ? sizes.average(lastName(tag.dropFirst())) : 0)
      default:
        add(sizes.average(lastName(tag)))
      }
      if total > maxOutput { return total }
    }
    add(rest.utf8.count)
    return total
  }
}
