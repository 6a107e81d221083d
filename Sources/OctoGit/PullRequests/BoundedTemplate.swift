import Foundation
import Mustache

/// A template that passed ``TemplateLimits``, rendered only when its work is bounded: sections over lists
/// nested in one another repeat their content the product of the lists' lengths, so a 1 KB template of
/// nested `{{#commits.rows}}` would run for hours on a long pull request. Before rendering, each section
/// and tag is counted as many times as the lists around it could repeat it (a name is taken for the longest
/// list of that name anywhere in the values, whatever the context); over ``maxRepetitions`` the template is
/// refused.
struct BoundedTemplate {
  /// The most tags a rendering may expand, counted as above (the built-in templates expand a few per row).
  static let maxRepetitions = 1_000_000

  let mustache: MustacheTemplate
  let text: String
  let name: String

  /// The output for `values`.
  ///
  /// - Throws: ``OctoError`` (bad input) when the template would repeat its tags over ``maxRepetitions`` times.
  func render(_ values: [String: Any]) throws -> String {
    var lengths: [Substring: Int] = [:]
    Self.listLengths(values, into: &lengths)
    let count = Self.repetitions(text, lengths: lengths)
    guard count <= Self.maxRepetitions else {
      throw OctoError.badInput(
        "the template \(name) nests sections over lists so that it would repeat them over "
          + "\(Self.maxRepetitions) times", hint: "nest fewer list sections in one another")
    }
    return mustache.render(values)
  }

  /// The longest list under each key, anywhere in `value`.
  private static func listLengths(_ value: Any, into lengths: inout [Substring: Int]) {
    if let dictionary = value as? [String: Any] {
      for (key, inner) in dictionary {
        if let list = inner as? [Any] { lengths[Substring(key)] = max(lengths[Substring(key)] ?? 0, list.count) }
        listLengths(inner, into: &lengths)
      }
    } else if let list = value as? [Any] {
      for inner in list { listLengths(inner, into: &lengths) }
    }
  }

  /// How many tags rendering `text` may expand at most, with `lengths` the lists' lengths by name (saturating).
  static func repetitions(_ text: String, lengths: [Substring: Int]) -> Int {
    var factors: [Int] = []
    var product = 1
    var total = 0
    var rest = Substring(text)
    while let open = rest.range(of: "{{") {
      rest = rest[open.upperBound...]
      guard let close = rest.range(of: "}}") else { break }
      let tag = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
      rest = rest[close.upperBound...]
      guard let sigil = tag.first else { continue }
      if sigil != "/" { total = total.addingReportingOverflow(product).overflow ? Int.max : total + product }
      switch sigil {
      case "#", "^", "$", "<":
        let name = tag.dropFirst().trimmingCharacters(in: .whitespaces)
        let last = name.split(separator: ".").last ?? Substring(name)
        let factor = sigil == "#" ? max(lengths[last] ?? 1, 1) : 1
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
      default: break
      }
      if total > maxRepetitions { return total }
    }
    return total
  }
}
