import Foundation

/// One request's token usage, as stored (one canonical JSON line) in a commit's
/// `refs/notes/octo/usage` note.
///
/// The line for a given event is always byte-identical, so git's `cat_sort_uniq` notes merge keeps one
/// copy, and readers also dedupe by ``id``.
public struct UsageEvent: Equatable, Sendable {
  /// The format version written in every line (`"v":1`).
  public static let formatVersion = 1
  /// The fields a line may carry; anything else is refused on input.
  public static let fieldNames: Set<String> = [
    "v", "id", "at", "agent", "session", "model", "in", "out", "cw5m", "cw1h", "cr", "cost", "prices", "user",
    "machine", "branch", "feature",
  ]

  /// A stable id: from the agent's own request id when there is one, so re-imports never count twice.
  public var id: String
  public var at: Date
  public var agent: String?
  public var session: String?
  public var model: String
  public var tokens: TokenCounts
  /// USD; `nil` when the model has no price (shown as unpriced, never as $0).
  public var cost: Decimal?
  /// Which price table produced ``cost`` (`builtin:…`, `user:…`, or `agent` when the agent reported it).
  public var prices: String?
  public var user: String?
  public var machine: String?
  public var branch: String?
  public var feature: String?

  public init(
    id: String, at: Date, agent: String? = nil, session: String? = nil, model: String, tokens: TokenCounts,
    cost: Decimal? = nil, prices: String? = nil, user: String? = nil, machine: String? = nil, branch: String? = nil,
    feature: String? = nil
  ) {
    self.id = id
    self.at = at
    self.agent = agent
    self.session = session
    self.model = model
    self.tokens = tokens
    self.cost = cost
    self.prices = prices
    self.user = user
    self.machine = machine
    self.branch = branch
    self.feature = feature
  }

  /// The canonical JSON line (without a newline).
  public var line: String { line(costText: cost.map(CanonicalJSON.plain)) }

  /// The canonical line with the cost written as `costText` (its plain decimal text, already made).
  func line(costText: String?) -> String {
    // The canonical form (keys in byte order, see CanonicalJSON) written directly: an import writes tens of
    // thousands of lines, and a dictionary of values sorted for each one showed.
    var out: [UInt8] = []
    out.reserveCapacity(320)
    func key(_ name: StaticString) {
      out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
      out.append(UInt8(ascii: "\""))
      out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
      out.append(contentsOf: "\":".utf8)
    }
    func text(_ name: StaticString, _ value: String?) {
      guard let value else { return }
      key(name)
      CanonicalJSON.writeString(value, into: &out)
    }
    func number(_ name: StaticString, _ value: Int) {
      key(name)
      out.append(contentsOf: String(value).utf8)
    }
    text("agent", agent)
    text("at", Timestamp.format(at))
    text("branch", branch)
    if let costText {
      key("cost")
      out.append(contentsOf: costText.utf8)
    }
    number("cr", tokens.cacheRead)
    number("cw1h", tokens.cacheWrite1h)
    number("cw5m", tokens.cacheWrite5m)
    text("feature", feature)
    text("id", id)
    number("in", tokens.input)
    text("machine", machine)
    text("model", model)
    number("out", tokens.output)
    text("prices", prices)
    text("session", session)
    text("user", user)
    number("v", Self.formatVersion)
    out.append(UInt8(ascii: "}"))
    return String(decoding: out, as: UTF8.self)
  }

  /// Reads one line of a usage note.
  ///
  /// - Throws: ``OctoError`` (bad input) naming what is wrong with the line.
  public init(line: String) throws {
    let value: JSONValue
    do {
      value = try CanonicalJSON.parse(line)
    } catch {
      throw OctoError.badInput("not valid JSON (\(error))")
    }
    guard case .object(let members) = value else { throw OctoError.badInput("a usage event must be a JSON object") }
    try self.init(members: members, defaults: nil)
  }

  /// Builds an event from JSON members, filling what is missing from `defaults` when given (for events
  /// arriving through `usage record`, whose id, time and context octo-git supplies).
  init(members: [String: JSONValue], defaults: UsageEvent?) throws {
    // A note line may carry fields a later octo-git writes (read for the ones known here); what a user
    // records must use known fields only.
    if defaults != nil, let unknown = members.keys.filter({ !Self.fieldNames.contains($0) }).sorted().first {
      throw OctoError.badInput(
        "unknown field \"\(unknown)\"", hint: "known fields: \(Self.fieldNames.sorted().joined(separator: ", "))")
    }
    if let version = members["v"], version.intValue != Self.formatVersion {
      throw OctoError.badInput("unsupported format version \(CanonicalJSON.string(version))")
    }
    func text(_ key: String) throws -> String? {
      guard let value = members[key], value != .null else { return nil }
      guard let text = value.stringValue else { throw OctoError.badInput("\"\(key)\" must be a string") }
      return text
    }
    func count(_ key: String) throws -> Int {
      guard let value = members[key], value != .null else { return 0 }
      guard let number = value.intValue, number >= 0 else {
        throw OctoError.badInput("\"\(key)\" must be a non-negative whole number of tokens")
      }
      guard number <= UsageLimits.maxTokens else {
        throw OctoError.badInput("\"\(key)\" is \(number) tokens, more than any request (at most 10^15)")
      }
      return number
    }
    guard let model = try text("model") ?? defaults?.model, !model.isEmpty else {
      throw OctoError.badInput("\"model\" is missing")
    }
    let at: Date
    if let stamp = try text("at") {
      guard let parsed = Timestamp.parse(stamp) else {
        throw OctoError.badInput("\"at\" is not an ISO-8601 time: \(stamp)", hint: "e.g. 2026-11-23T13:45:01.123Z")
      }
      at = parsed
    } else if let fallback = defaults?.at {
      at = fallback
    } else {
      throw OctoError.badInput("\"at\" is missing")
    }
    guard let id = try text("id") ?? defaults?.id, !id.isEmpty else { throw OctoError.badInput("\"id\" is missing") }
    var cost: Decimal?
    if let value = members["cost"], value != .null {
      guard let decimal = value.decimalValue, decimal >= 0, decimal <= UsageLimits.maxCost else {
        throw OctoError.badInput("\"cost\" must be a non-negative number of USD, at most 10^9")
      }
      cost = decimal
    }
    self.init(
      id: id, at: at, agent: try text("agent") ?? defaults?.agent, session: try text("session") ?? defaults?.session,
      model: model,
      tokens: TokenCounts(
        input: try count("in"), output: try count("out"), cacheWrite5m: try count("cw5m"),
        cacheWrite1h: try count("cw1h"), cacheRead: try count("cr")),
      cost: cost, prices: try text("prices"), user: try text("user") ?? defaults?.user,
      machine: try text("machine") ?? defaults?.machine, branch: try text("branch") ?? defaults?.branch,
      feature: try text("feature") ?? defaults?.feature)
  }
}
