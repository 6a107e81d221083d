import Foundation
import Mustache

/// A template that passed ``TemplateLimits``, rendered only when its output is bounded: sections over lists
/// nested in one another repeat their content the product of the lists' lengths, so a 1 KB template of
/// nested `{{#commits.rows}}` would run for hours and gigabytes on a long pull request. Before rendering,
/// the output is estimated from the template's text: each run of text, and each tag as the average value
/// of its name in the values, times the lengths of the lists around it (a section's name is taken for the
/// longest list of that name anywhere in the values, through a transform such as `reversed(commits)`);
/// over ``maxOutput`` the template is refused.
struct BoundedTemplate {
  /// The largest output estimated (GitHub takes 65,536 characters; the built-in templates on a pull request
  /// of 10,000 commits estimate a few megabytes; nested sections over lists, astronomically more).
  static let maxOutput = 256 << 20
  /// The most work entering section bodies may take: each entry costs the renderer time whatever it writes,
  /// more the deeper it is (a name is looked up through every section around it), so each counts its depth.
  /// Thirteen sections over three commits nested in one another wrote little and ran for 37 s (about 30
  /// million here); the built-in template on a pull request of 10,000 commits whose bodies average 50 lines
  /// counts about 1.5 million.
  static let maxSectionRuns = 5_000_000

  let mustache: MustacheTemplate
  let text: String
  let name: String

  /// The output for `values`.
  ///
  /// - Throws: ``OctoError`` (bad input) when the estimated output passes ``maxOutput``.
  func render(_ values: [String: Any]) throws -> String {
    var sizes = Sizes()
    sizes.measure(values)
    let cost = Self.measure(text, sizes: sizes)
    guard cost.bytes <= Self.maxOutput else {
      throw OctoError.badInput(
        "the template \(name) would write over \(Self.maxOutput >> 20) MB (sections over lists nested in one "
          + "another repeat everything inside them)", hint: "nest fewer list sections in one another")
    }
    guard cost.runs <= Self.maxSectionRuns else {
      throw OctoError.badInput(
        "the template \(name) would enter its sections over \(Self.maxSectionRuns) times (sections over lists "
          + "nested in one another repeat the product of their lengths)",
        hint: "nest fewer list sections in one another")
    }
    return mustache.render(values)
  }

  /// The longest list and the average value under each key, anywhere in the values: a value that is a list
  /// or a dictionary renders as a description of all it holds, so it counts as everything in it.
  struct Sizes {
    var lists: [Substring: Int] = [:]
    /// Bytes and count of the values under each key, as rendered.
    var strings: [Substring: (bytes: Int, count: Int)] = [:]
    /// Bytes and count of the items of the lists under each key (what `{{.}}` renders inside them).
    var items: [Substring: (bytes: Int, count: Int)] = [:]
    /// Everything the values hold (what `{{.}}` renders outside any section).
    var whole = 0
    /// For lists under a key of the items of `parent`'s lists (`groups` → `commits`): their total length
    /// and how many there are, by "parent child". A section over them inside the parent's runs over each
    /// item's own list, not the longest list of that name.
    var children: [String: (total: Int, count: Int)] = [:]
    /// The length of the longest list or dictionary anywhere.
    var longestList: Int { lists.values.max() ?? 1 }

    /// The average item of the lists named `name` (rounded up; the whole values for a name with none, 1
    /// for lists all empty, which render nothing).
    func averageItem(_ name: Substring) -> Int {
      guard let (bytes, count) = items[name] else { return max(whole, 1) }
      guard count > 0 else { return 1 }
      return max(1, (bytes + count - 1) / count)
    }

    /// The average length of the strings named `name` (rounded up; 1 for a name with none).
    func average(_ name: Substring) -> Int {
      guard let (bytes, count) = strings[name], count > 0 else { return 1 }
      return max(1, (bytes + count - 1) / count)
    }

    /// Records `value` (the root of the values); returns how many bytes it holds.
    @discardableResult
    mutating func measure(_ value: Any) -> Int {
      var size = 16
      if let text = value as? String {
        size = text.utf8.count
      } else if let dictionary = value as? [String: Any] {
        for (key, inner) in dictionary {
          let name = Substring(key)
          // A transform (`enumerated(cost)`) iterates a dictionary's members: as many items as it has keys.
          if let members = inner as? [String: Any] { lists[name] = max(lists[name] ?? 0, members.count) }
          let inside: Int
          if let list = inner as? [Any] {
            lists[name] = max(lists[name] ?? 0, list.count)
            inside = measure(list, items: name)
          } else {
            inside = measure(inner)
          }
          let (bytes, count) = strings[name] ?? (0, 0)
          strings[name] = (min(bytes + inside, Int.max / 4), count + 1)
          size = min(size + key.utf8.count + inside, Int.max / 4)
        }
      } else if let list = value as? [Any] {
        size = measure(list, items: nil)
      }
      whole = max(whole, size)
      return size
    }

    /// Records each item of `list` once, and their sizes as the items of `name`'s lists; returns how many
    /// bytes the list holds.
    private mutating func measure(_ list: [Any], items name: Substring?) -> Int {
      var size = 16
      var (bytes, count) = name.flatMap { items[$0] } ?? (0, 0)
      for item in list {
        if let name, let members = item as? [String: Any] {
          for (key, value) in members {
            guard let inner = value as? [Any] else { continue }
            let (total, count) = children[name + " " + key] ?? (0, 0)
            children[name + " " + key] = (min(total + inner.count, Int.max / 4), count + 1)
          }
        }
        let itemSize = measure(item)
        size = min(size + itemSize, Int.max / 4)
        bytes = min(bytes + itemSize, Int.max / 4)
        count += 1
      }
      if let name { items[name] = (bytes, count) }
      whole = max(whole, size)
      return size
    }
  }

  /// Bytes written per byte of a value: HTML escaping turns a character into as many as six.
  static let escaping = 6

  /// The last name a tag's text refers to: `commits.rows` → `rows`, `reversed(commits)` → `commits`.
  static func lastName(_ tag: Substring) -> Substring {
    // The renderer skips every kind of white space in a name (line breaks too).
    var name = Substring(String(String.UnicodeScalarView(tag.unicodeScalars.filter { !$0.properties.isWhitespace })))
    while name.hasSuffix(")") { name = name.dropLast() }
    if let open = name.lastIndex(of: "(") { name = name[name.index(after: open)...] }
    return name.split(separator: ".").last ?? name
  }

  /// About how many bytes rendering `text` writes at most, with `sizes` of the values (saturating).
  static func estimate(_ text: String, sizes: Sizes) -> Int { measure(text, sizes: sizes).bytes }

  /// About how many bytes rendering `text` writes at most, and how many times it enters section bodies,
  /// with `sizes` of the values (both saturating).
  static func measure(_ text: String, sizes: Sizes) -> (bytes: Int, runs: Int) {
    var runs = 0
    // How many times each open section's body runs, with lists inside a parent's items taken at their own
    // length (see Sizes.children); the byte estimate stays with the longest list.
    var runCounts: [Int] = []
    var factors: [Int] = []
    var names: [Substring] = []
    var product = 1
    var total = 0
    func add(_ bytes: Int) {
      let (weighted, overflow) = product.multipliedReportingOverflow(by: bytes)
      total = overflow || total > Int.max - weighted ? Int.max : total + weighted
    }
    /// What a tag naming `name` writes at most: `.` is the item of the innermost section, else everything.
    func value(_ name: Substring) -> Int {
      guard name == "." else { return sizes.average(name) }
      // The item of the innermost section: a list's item, else the section's own value (a section over a
      // string, or over nothing, which renders nothing); everything only outside any section.
      guard let section = names.last, section != "value" else { return max(sizes.whole, 1) }
      if sizes.items[section] != nil { return sizes.averageItem(section) }
      return sizes.strings[section] != nil ? sizes.average(section) : 1
    }
    var rest = Substring(text)
    while let open = rest.range(of: "{{") {
      add(rest.distance(from: rest.startIndex, to: open.lowerBound))
      rest = rest[open.upperBound...]
      guard let close = rest.range(of: "}}") else { break }
      var tag = rest[..<close.lowerBound]
      rest = rest[close.upperBound...]
      // A triple mustache ends with a third brace.
      let triple = tag.hasPrefix("{") && rest.hasPrefix("}")
      if triple {
        tag = tag.dropFirst()
        rest = rest.dropFirst()
      }
      guard let sigil = tag.first else { continue }
      switch sigil {
      case "#", "^", "$", "<":
        let name = lastName(tag.dropFirst())
        // A dictionary's transform (`enumerated`, `sorted`) makes items of `key` and `value`: a value may be any
        // list. A name no value has renders nothing.
        let known = sizes.lists[name] ?? (name == "value" ? sizes.longestList : 1)
        let factor = sigil == "#" ? max(known, 1) : 1
        factors.append(factor)
        names.append(name)
        let (next, overflow) = product.multipliedReportingOverflow(by: factor)
        product = overflow ? Int.max : next
        var runFactor = factor
        if sigil == "#", let parent = names.dropLast().last, let (total, count) = sizes.children[parent + " " + name],
          count > 0
        {
          runFactor = max(1, (total + count - 1) / count)
        }
        let (entered, enteredOverflow) = (runCounts.last ?? 1).multipliedReportingOverflow(by: runFactor)
        runCounts.append(enteredOverflow ? Int.max : entered)
        if sigil == "#" {
          let (work, workOverflow) = runCounts.last!.multipliedReportingOverflow(by: runCounts.count)
          runs = workOverflow || runs > Int.max - work ? Int.max : runs + work
        }
      case "/":
        guard !factors.isEmpty else { continue }
        factors.removeLast()
        names.removeLast()
        runCounts.removeLast()
        product = factors.reduce(1) { partial, factor in
          let (next, overflow) = partial.multipliedReportingOverflow(by: factor)
          return overflow ? Int.max : next
        }
      case "!", "%", ">":
        break
      case "&":
        add(value(lastName(tag.dropFirst())))
      default:
        // A triple mustache (or `&`) is written as it is; a plain tag may be HTML-escaped.
        let (escaped, overflow) = value(lastName(tag)).multipliedReportingOverflow(by: triple ? 1 : escaping)
        add(overflow ? Int.max / 2 : escaped)
      }
      if total > maxOutput { return (total, runs) }
    }
    add(rest.utf8.count)
    return (total, runs)
  }
}
