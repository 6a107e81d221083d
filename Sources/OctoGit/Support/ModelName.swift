import Foundation

/// Model id normalisation, so the ids agents log match the price table's keys.
public enum ModelName {
  /// `anthropic/claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`: lowercased, provider prefix (up to the
  /// last `/`: `openrouter/…`, `anthropic/…`, `google/…`) removed, an OpenRouter `:variant`, a Vertex-style
  /// `@date` and a trailing `-YYYYMMDD` or `-YYYY-MM-DD` date removed, and a Claude version's dots made
  /// hyphens (`claude-opus-4.5` → `claude-opus-4-5`).
  public static func normalise(_ model: String) -> String {
    if let value = known.withLock({ $0[model] }) { return value }
    let value = compute(model)
    known.withLock { if $0.count < 4096 { $0[model] = value } }
    return value
  }

  /// Models already normalised in this process: an import or a report meets the same few names over and
  /// over, and the Foundation calls below cost more than a dictionary lookup.
  private static let known = Locked<[String: String]>([:])

  private static func compute(_ model: String) -> String {
    var name = model.trimmingCharacters(in: .whitespaces).lowercased()
    if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
    // An OpenRouter variant (`:free`, `:thinking`, `:beta`) names a way of serving the model, not another one.
    if let colon = name.lastIndex(of: ":"), colon != name.startIndex,
      name[name.index(after: colon)...].allSatisfy({ ("a"..."z").contains($0) }),
      name.index(after: colon) != name.endIndex
    {
      name = String(name[..<colon])
    }
    if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
    // GitHub Copilot and OpenRouter spell Claude versions with dots (`claude-sonnet-4.5`), Anthropic and
    // LiteLLM with hyphens (`claude-sonnet-4-5`).
    if name.hasPrefix("claude-"), name.contains(".") { name = name.replacingOccurrences(of: ".", with: "-") }
    let bytes = Array(name.utf8)
    func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { (48...57).contains(bytes[$0]) } }
    let count = bytes.count
    if count > 9, bytes[count - 9] == UInt8(ascii: "-"), digits(count - 8..<count) {
      return String(decoding: bytes[..<(count - 9)], as: UTF8.self)
    }
    if count > 11, bytes[count - 11] == UInt8(ascii: "-"), digits(count - 10..<count - 6),
      bytes[count - 6] == UInt8(ascii: "-"), digits(count - 5..<count - 3), bytes[count - 3] == UInt8(ascii: "-"),
      digits(count - 2..<count)
    {
      return String(decoding: bytes[..<(count - 11)], as: UTF8.self)
    }
    return name
  }
}
