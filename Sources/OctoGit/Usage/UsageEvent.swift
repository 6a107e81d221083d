import Foundation

/// One request's token usage, as stored (one canonical JSON line) in a commit's
/// `refs/notes/octo/usage` note.
///
/// The line for a given event is always byte-identical, so git's `cat_sort_uniq` notes merge keeps one
/// copy, and readers also dedupe by ``id``.
public struct UsageEvent: Equatable, Sendable {
  /// The format version written in every line (`"v":1`).
  public static let formatVersion = UsageLimits.formatVersion
  /// The fields a line may carry (``UsageField``); `usage record` refuses any other.
  public static var fieldNames: [String] { UsageField.canonicalOrder.map(\.nameText) }

  /// A stable id: from the agent's own request id when there is one, so re-imports never count twice.
  public var id: String
  /// When the request was made, in milliseconds since 1970 (what a line holds).
  public var atMs: Int64
  public var agent: String?
  public var session: String?
  public var model: String
  public var tokens: TokenCounts
  /// `nil` when the model has no price (shown as unpriced, never as $0).
  public var cost: PicoDollars?
  /// Which price table produced ``cost`` (`builtin:…`, `user:…`, or `agent` when the agent reported it).
  public var prices: String?
  public var user: String?
  public var machine: String?
  public var branch: String?
  public var feature: String?

  public init(
    id: String, at: Date, agent: String? = nil, session: String? = nil, model: String, tokens: TokenCounts,
    cost: PicoDollars? = nil, prices: String? = nil, user: String? = nil, machine: String? = nil,
    branch: String? = nil, feature: String? = nil
  ) {
    self.init(
      id: id, atMs: Timestamp.milliseconds(at), agent: agent, session: session, model: model, tokens: tokens,
      cost: cost, prices: prices, user: user, machine: machine, branch: branch, feature: feature)
  }

  public init(
    id: String, atMs: Int64, agent: String? = nil, session: String? = nil, model: String, tokens: TokenCounts,
    cost: PicoDollars? = nil, prices: String? = nil, user: String? = nil, machine: String? = nil,
    branch: String? = nil, feature: String? = nil
  ) {
    self.id = id
    self.atMs = atMs
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

  /// When the request was made (to the millisecond, as its line holds it).
  public var at: Date {
    get { Date(timeIntervalSince1970: Double(atMs) / 1000) }
    set { atMs = Timestamp.milliseconds(newValue) }
  }

  /// The value of a string field (``UsageField/Kind/text``); `nil` for any other field.
  subscript(text field: UsageField) -> String? {
    get {
      switch field {
      case .id: id
      case .agent: agent
      case .session: session
      case .model: model
      case .prices: prices
      case .user: user
      case .machine: machine
      case .branch: branch
      case .feature: feature
      default: nil
      }
    }
    set {
      switch field {
      case .id: id = newValue ?? ""
      case .agent: agent = newValue
      case .session: session = newValue
      case .model: model = newValue ?? ""
      case .prices: prices = newValue
      case .user: user = newValue
      case .machine: machine = newValue
      case .branch: branch = newValue
      case .feature: feature = newValue
      default: break
      }
    }
  }

  /// The canonical JSON line (without a newline): the fields of ``UsageField`` in canonical order.
  public var line: String {
    // Written directly rather than through a dictionary sorted for each line: an import writes tens of
    // thousands of lines.
    var out: [UInt8] = []
    out.reserveCapacity(320)
    for field in UsageField.canonicalOrder {
      let start = out.count
      out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
      out.append(UInt8(ascii: "\""))
      out.append(contentsOf: UnsafeBufferPointer(start: field.name.utf8Start, count: field.name.utf8CodeUnitCount))
      out.append(contentsOf: "\":".utf8)
      switch field.kind {
      case .version: out.append(contentsOf: String(Self.formatVersion).utf8)
      case .time: CanonicalJSON.writeString(Timestamp.format(milliseconds: atMs), into: &out)
      case .tokens: out.append(contentsOf: String(tokens[field]).utf8)
      case .cost:
        guard let cost else {
          out.removeSubrange(start...)
          continue
        }
        out.append(contentsOf: cost.plainText.utf8)
      case .text:
        guard let value = self[text: field] else {
          out.removeSubrange(start...)
          continue
        }
        CanonicalJSON.writeString(value, into: &out)
      }
    }
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
    var event = defaults ?? UsageEvent(id: "", atMs: 0, model: "", tokens: TokenCounts())
    event.tokens = TokenCounts()
    event.cost = nil
    event.prices = nil
    var present = Set<UsageField>()
    for (key, value) in members {
      guard let field = UsageField.byName[key] else {
        // A note line may carry fields a later octo-git writes (read for the ones known here); what a user
        // records must use known fields only.
        guard defaults == nil else {
          throw OctoError.badInput(
            "unknown field \"\(key)\"", hint: "known fields: \(Self.fieldNames.sorted().joined(separator: ", "))")
        }
        continue
      }
      if value == .null {
        guard field != .v else { throw OctoError.badInput("unsupported format version null") }
        continue
      }
      present.insert(field)
      switch field.kind {
      case .version:
        guard value.intValue == Self.formatVersion else {
          throw OctoError.badInput("unsupported format version \(CanonicalJSON.string(value))")
        }
      case .text:
        guard var text = value.stringValue else { throw OctoError.badInput("\"\(key)\" must be a string") }
        guard !text.withUTF8(UsageField.holdsNul) else {
          throw OctoError.badInput("\"\(key)\" holds the character U+0000")
        }
        guard field != .id || text.utf8.count <= UsageLimits.maxIDBytes else {
          throw OctoError.badInput("\"id\" is \(text.utf8.count) bytes long, more than \(UsageLimits.maxIDBytes)")
        }
        event[text: field] = text
      case .time:
        guard let stamp = value.stringValue, let parsed = Timestamp.milliseconds(text: stamp) else {
          throw OctoError.badInput(
            "\"at\" is not an ISO-8601 time: \(CanonicalJSON.string(value))", hint: "e.g. 2026-11-23T13:45:01.123Z")
        }
        event.atMs = parsed
      case .tokens:
        guard let number = value.intValue, number >= 0 else {
          throw OctoError.badInput("\"\(key)\" must be a non-negative whole number of tokens")
        }
        guard number <= UsageLimits.maxTokens else {
          throw OctoError.badInput("\"\(key)\" is \(number) tokens, more than any request (at most 10^15)")
        }
        event.tokens[field] = number
      case .cost:
        guard case .number(let text) = value, let cost = PicoDollars(cost: text.utf8) else {
          throw OctoError.badInput("\"cost\" must be a non-negative number of USD, at most 10^9")
        }
        event.cost = cost
      }
    }
    for field in UsageField.allCases where field.isRequired && !present.contains(field) {
      guard let defaults else { throw OctoError.badInput("\"\(field.nameText)\" is missing") }
      switch field {
      case .at: event.atMs = defaults.atMs
      default: event[text: field] = defaults[text: field]
      }
    }
    guard !event.id.isEmpty else { throw OctoError.badInput("\"id\" is missing") }
    guard !event.model.isEmpty else { throw OctoError.badInput("\"model\" is missing") }
    self = event
  }
}
