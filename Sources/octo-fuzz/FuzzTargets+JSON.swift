import Foundation

@testable import OctoGit

/// JSON read as the importers read it: selected members, members walked one by one, values skipped.
extension FuzzTargets {
  /// What the importers read of a line (selected members, members walked one by one, values skipped)
  /// never refuses what the full parser accepts, and selects what it reads.
  static func jsonSelect(_ bytes: UnsafeBufferPointer<UInt8>) {
    let full = try? CanonicalJSON.parse(bytes: bytes)
    for selection in selections {
      let selected = try? CanonicalJSON.parse(bytes: bytes, selecting: selection)
      if let full {
        precondition(selected == project(full, selection), "a selective parse differs from the full parse")
      }
    }
    let walked = readsWhole(bytes) { parser in try walk(&parser, depth: 0) }
    let skipped = readsWhole(bytes) { parser in try parser.skipValue(depth: 0) }
    if let full {
      precondition(walked, "JSONWalk refuses what the parser accepts")
      precondition(skipped, "skipValue refuses what the parser accepts")
      var budget = 64
      fields(full, budget: &budget)
    }
  }

  // MARK: - JSON as the importers read it

  /// The importers' selections (Copilot's events, Qwen's records, OpenCode's messages, Gemini's messages),
  /// and one that selects nothing.
  static let selections: [CanonicalJSON.Selection] = [
    CopilotSessions.selection, QwenTranscripts.selection, OpenCodeStore.selection, GeminiTranscripts.messageSelection,
    .members([:]),
  ]

  /// What a selective parse should give: the full value with only the selected members of objects.
  static func project(_ value: JSONValue, _ selection: CanonicalJSON.Selection) -> JSONValue {
    guard case .members(let wanted) = selection, case .object(let members) = value else { return value }
    var kept: [String: JSONValue] = [:]
    for (key, inner) in wanted {
      if let member = members[key] { kept[key] = project(member, inner) }
    }
    return .object(kept)
  }

  /// Whether `body` reads the bytes as one value with nothing but white space around it.
  static func readsWhole(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (inout CanonicalJSON.Parser) throws -> Void)
    -> Bool
  {
    var parser = CanonicalJSON.Parser(bytes: bytes)
    parser.skipSpace()
    do {
      try body(&parser)
    } catch {
      return false
    }
    parser.skipSpace()
    return parser.position == bytes.count
  }

  /// Walks a value as the importers do: objects and arrays member by member with ``JSONWalk``, the rest
  /// parsed.
  static func walk(_ parser: inout CanonicalJSON.Parser, depth: Int) throws {
    guard parser.position < parser.bytes.count else { throw parser.error("unexpected end of input") }
    switch parser.bytes[parser.position] {
    case UInt8(ascii: "{"):
      try JSONWalk.members(&parser, depth: depth) { parser, _ in try walk(&parser, depth: depth + 1) }
    case UInt8(ascii: "["):
      try JSONWalk.elements(&parser, depth: depth) { parser in try walk(&parser, depth: depth + 1) }
    default: _ = try parser.value(depth: depth)
    }
  }

  /// Reads the first `budget` values as the importers read counts, costs and times: within the limits or
  /// refused, never a trap.
  static func fields(_ value: JSONValue, budget: inout Int) {
    guard budget > 0 else { return }
    budget -= 1
    switch value {
    case .array(let items):
      for item in items { fields(item, budget: &budget) }
    case .object(let members):
      for member in members.values { fields(member, budget: &budget) }
    default:
      if let tokens = try? AgentFields.tokens(value) {
        precondition(tokens >= 0 && tokens <= UsageLimits.maxTokens, "a token count past the limits")
      }
      if let cost = try? AgentFields.cost(value) {
        precondition(cost >= .zero && cost.count <= PicoDollars.maxCost, "a cost past the limits")
      }
      if let at = try? AgentFields.milliseconds(value) { _ = Timestamp.format(at) }
      if let at = try? AgentFields.time(value) { _ = Timestamp.format(at) }
    }
  }
}
