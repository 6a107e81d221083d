import Foundation

/// Branch-name slugs made from a feature's description: lowercase ASCII letters, digits and single
/// dashes, at most 48 characters, cut at a word boundary when it can be.
public enum FeatureSlug {
  public static let maximumLength = 48

  /// `"Add CSV export (invoices) — v2"` → `add-csv-export-invoices-v2`. Accents are dropped (`é` → `e`);
  /// a description with nothing usable gives `feature`.
  public static func make(from description: String) -> String {
    let firstLine = description.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
    let folded = firstLine.folding(
      options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
    var slug = ""
    var pendingDash = false
    for scalar in folded.unicodeScalars {
      let value = scalar.value
      let isLetter = (0x61...0x7A).contains(value) || (0x41...0x5A).contains(value)
      let isDigit = (0x30...0x39).contains(value)
      if isLetter || isDigit {
        if pendingDash && !slug.isEmpty { slug.append("-") }
        pendingDash = false
        slug.append(Character(scalar).lowercased())
      } else if scalar == "'" || scalar == "\u{2019}" {
        continue  // "don't" → "dont"
      } else {
        pendingDash = true
      }
    }
    if slug.count > maximumLength {
      let cut = slug.prefix(maximumLength + 1)
      if let dash = cut.lastIndex(of: "-"), slug.distance(from: slug.startIndex, to: dash) >= maximumLength / 2 {
        slug = String(slug[..<dash])
      } else {
        slug = String(slug.prefix(maximumLength))
      }
      while slug.hasSuffix("-") { slug.removeLast() }
    }
    return slug.isEmpty ? "feature" : slug
  }

  /// A slug given by the user, checked: the same alphabet and length as made ones.
  public static func validate(_ slug: String) throws -> String {
    let allowed = slug.unicodeScalars.allSatisfy {
      (0x61...0x7A).contains($0.value) || (0x30...0x39).contains($0.value) || $0 == "-"
    }
    guard !slug.isEmpty, allowed, slug.count <= maximumLength, !slug.hasPrefix("-"), !slug.hasSuffix("-"),
      !slug.contains("--")
    else {
      throw OctoError(
        "'\(slug)' is not a usable slug",
        hint: "use lowercase letters, digits and single dashes, at most \(maximumLength) characters",
        status: .usage)
    }
    return slug
  }
}
