import Foundation

/// A usage note's line as the cache and a rollup's changed notes store it, read by ``UsageLineScanner`` with
/// the cost kept as exact text and as integer pico-dollars. Strings are reused when a line repeats the
/// previous line's value.
struct StoredUsageLine: Sendable {
  var id = ""
  var atMs: Int64 = 0
  var agent: String?
  var session: String?
  var model = ""
  var tokens = TokenCounts()
  /// USD in plain decimal notation (as ``CanonicalJSON/plain(_:)`` writes it); `nil`: unpriced.
  var costText: String?
  /// The cost in pico-dollars, when that is exact and fits in 64 bits.
  var costPico: Int64?
  var prices: String?
  var user: String?
  var machine: String?
  var branch: String?
  var feature: String?

  /// The fields of a usage line.
  enum Field: Int, CaseIterable {
    case v, id, at, agent, session, model, input, output, cw5m, cw1h, cr, cost, prices, user, machine, branch, feature

    var name: String {
      switch self {
      case .input: return "in"
      case .output: return "out"
      default: return "\(self)"
      }
    }

    static let byName: [String: Field] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })
    /// Fields the rollup does not sum by (checked, not kept, when it reads).
    var isUnusedWhenSumming: Bool { self == .session || self == .prices || self == .machine }
    var isString: Bool {
      switch self {
      case .v, .input, .output, .cw5m, .cw1h, .cr, .cost: return false
      default: return true
      }
    }
  }

  /// The previous line's string values, reused when a line repeats them byte for byte.
  struct Interner: UsageLineTexts {
    /// False when reading for the rollup: session, prices and machine are checked but not kept.
    var keepsEveryField = true
    var bytes: [[UInt8]] = Array(repeating: [], count: Field.allCases.count)
    var strings: [String] = Array(repeating: "", count: Field.allCases.count)

    /// Keeps the string in the field's slot of `strings` and returns that slot.
    mutating func text(_ slice: UnsafeBufferPointer<UInt8>, for field: Field) -> Int32 {
      let slot = field.rawValue
      if bytes[slot].count == slice.count, field != .id,
        slice.isEmpty
          || bytes[slot].withUnsafeBufferPointer({ memcmp($0.baseAddress!, slice.baseAddress!, slice.count) == 0 })
      {
        return Int32(slot)
      }
      strings[slot] = String(decoding: slice, as: UTF8.self)
      if field != .id { bytes[slot] = Array(slice) }
      return Int32(slot)
    }

    func string(_ slot: Int32?) -> String? { slot.map { strings[Int($0)] } }
  }

  /// Lines of a note that did not read as events: damaged ones, and ones of a later format version.
  struct Unread: Equatable, Sendable {
    /// Every line that could not be read (``newer`` included).
    var malformed = 0
    /// Lines written in a later format version (`"v"` above this build's).
    var newer = 0

    static func += (lhs: inout Unread, rhs: Unread) {
      lhs.malformed += rhs.malformed
      lhs.newer += rhs.newer
    }
  }

  /// The lines of a note's text, each id once (the first), and how many lines were malformed.
  static func lines(in text: UnsafeRawBufferPointer) -> (lines: [StoredUsageLine], malformed: Int) {
    var lines: [StoredUsageLine] = []
    let unread = append(linesIn: text, to: &lines)
    return (lines, unread.malformed)
  }

  /// Appends the lines of a note's text to `lines` (each id once within the note, the first kept); returns
  /// how many lines could not be read. Many notes can share one array: no allocation per note.
  static func append(linesIn text: UnsafeRawBufferPointer, to lines: inout [StoredUsageLine], everyField: Bool = true)
    -> Unread
  {
    let first = lines.count
    var unread = Unread()
    // Notes hold a few lines each: a set of ids is only worth building for long ones.
    var ids = Set<String>()
    func isNew(_ id: String) -> Bool {
      if lines.count - first < 16 { return !lines[first...].contains { $0.id == id } }
      if ids.isEmpty { ids = Set(lines[first...].map(\.id)) }
      return ids.insert(id).inserted
    }
    var interner = Interner()
    interner.keepsEveryField = everyField
    UsageLineScanner.forEachLine(in: text) { bytes in
      guard let line = parse(bytes, interner: &interner) else {
        unread.malformed += 1
        if UsageLineScanner.isNewerVersion(bytes) { unread.newer += 1 }
        return
      }
      if isNew(line.id) { lines.append(line) }
    }
    return unread
  }

  /// Calls `body` with each non-empty line of a note's text, parsed (`nil`: malformed). Without `everyField`
  /// session, prices and machine are checked but not kept.
  static func forEachLine(in text: UnsafeRawBufferPointer, everyField: Bool = true, _ body: (StoredUsageLine?) -> Void)
  {
    var interner = Interner()
    interner.keepsEveryField = everyField
    UsageLineScanner.forEachLine(in: text) { body(parse($0, interner: &interner)) }
  }

  /// One line; `nil` when it is not a valid usage event.
  static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> StoredUsageLine? {
    var interner = Interner()
    return parse(bytes, interner: &interner)
  }

  static func parse(_ bytes: UnsafeBufferPointer<UInt8>, interner: inout Interner) -> StoredUsageLine? {
    guard let values = UsageLineScanner.scan(bytes, texts: &interner) else { return nil }
    return StoredUsageLine(
      id: interner.strings[Int(values.id)], atMs: values.atMs, agent: interner.string(values.agent),
      session: interner.string(values.session), model: interner.strings[Int(values.model)], tokens: values.tokens,
      costText: values.costText, costPico: values.costPico, prices: interner.string(values.prices),
      user: interner.string(values.user), machine: interner.string(values.machine),
      branch: interner.string(values.branch), feature: interner.string(values.feature))
  }

  /// Plain decimal text (`12.345`) as pico-dollars, when it has at most twelve decimals and fits.
  static func picoDollars(_ plain: String) -> Int64? { UsageLineScanner.picoDollars(plain.utf8) }
}
