import Foundation

/// The fields of a usage line: the one table the writer (``UsageEvent/line``), the byte scanner
/// (``UsageLineScanner``) and the general parser's validation (``UsageEvent/init(line:)``) all read.
///
/// A line is a flat JSON object of these keys, written in byte order of their names (the canonical form of
/// ``CanonicalJSON``), `v` always, `id`, `at` and `model` always, counts always (0 included), the other
/// strings and the cost only when set.
enum UsageField: Int, CaseIterable, Sendable {
  case v, id, at, agent, session, model, input, output, cw5m, cw1h, cr, cost, prices, user, machine, branch, feature

  /// What a field's value is.
  enum Kind: Equatable {
    /// The format version: the number ``UsageLimits/formatVersion``.
    case version
    /// A string (`null` for none).
    case text
    /// An ISO-8601 time (see ``Timestamp``).
    case time
    /// A count of tokens of one class, 0 to ``UsageLimits/maxTokens``.
    case tokens
    /// USD as a JSON number, 0 to ``UsageLimits/maxCostDollars`` (see ``PicoDollars/init(cost:)``).
    case cost
  }

  /// The key in the line.
  var name: StaticString {
    switch self {
    case .v: "v"
    case .id: "id"
    case .at: "at"
    case .agent: "agent"
    case .session: "session"
    case .model: "model"
    case .input: "in"
    case .output: "out"
    case .cw5m: "cw5m"
    case .cw1h: "cw1h"
    case .cr: "cr"
    case .cost: "cost"
    case .prices: "prices"
    case .user: "user"
    case .machine: "machine"
    case .branch: "branch"
    case .feature: "feature"
    }
  }

  var kind: Kind {
    switch self {
    case .v: .version
    case .at: .time
    case .input, .output, .cw5m, .cw1h, .cr: .tokens
    case .cost: .cost
    default: .text
    }
  }

  /// Fields every event has (a line without one, or with an empty one, is malformed).
  var isRequired: Bool { self == .id || self == .at || self == .model }

  /// Fields the rollup does not sum by (checked, not kept, when it reads).
  var isUnusedWhenSumming: Bool { self == .session || self == .prices || self == .machine }

  var nameText: String { name.description }

  /// The fields in the order a canonical line writes them (their names' bytes ascending).
  static let canonicalOrder: [UsageField] = allCases.sorted {
    $0.nameText.utf8.lexicographicallyPrecedes($1.nameText.utf8)
  }

  static let byName: [String: UsageField] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.nameText, $0) })

  /// The fields by the length of their names, each name's bytes packed into one integer: a key is matched
  /// with a comparison or two, no string made and no call (the scanner matches every key of every line).
  private static let packedByLength: [[(name: UInt64, field: UsageField)]] = {
    var table = Array(repeating: [(name: UInt64, field: UsageField)](), count: 8)
    for field in allCases {
      let bytes = UnsafeBufferPointer(start: field.name.utf8Start, count: field.name.utf8CodeUnitCount)
      table[bytes.count].append((packed(bytes), field))
    }
    return table
  }()

  /// Up to eight bytes as one integer, the first in the lowest byte.
  private static func packed(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var value: UInt64 = 0
    for (index, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
    return value
  }

  /// Whether a text field's UTF-8 holds U+0000. SQLite and C would end the text there: a crafted model
  /// `m\u0000x` would be reported as `m`, merged with the real one. A line holding one is malformed. (Other
  /// control characters are kept, and escaped wherever text is shown.)
  static func holdsNul(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = utf8.baseAddress else { return false }
    return memchr(base, 0, utf8.count) != nil
  }

  /// The field a key names, matched on its bytes.
  static func named(_ key: UnsafeBufferPointer<UInt8>) -> UsageField? {
    guard key.count > 0, key.count < packedByLength.count else { return nil }
    let name = packed(key)
    for entry in packedByLength[key.count] where entry.name == name { return entry.field }
    return nil
  }
}

extension TokenCounts {
  /// The count a ``UsageField`` of kind ``UsageField/Kind/tokens`` holds (0 for any other field).
  subscript(field: UsageField) -> Int {
    get {
      switch field {
      case .input: input
      case .output: output
      case .cw5m: cacheWrite5m
      case .cw1h: cacheWrite1h
      case .cr: cacheRead
      default: 0
      }
    }
    set {
      switch field {
      case .input: input = newValue
      case .output: output = newValue
      case .cw5m: cacheWrite5m = newValue
      case .cw1h: cacheWrite1h = newValue
      case .cr: cacheRead = newValue
      default: break
      }
    }
  }
}
