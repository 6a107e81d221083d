import Foundation

/// A usage note's line as the cache and the rollup store it: the same checks as ``UsageEvent/init(line:)``
/// (a line that fails them is malformed), read straight from the note's bytes, with the cost kept as exact
/// text and as integer pico-dollars, never through `Decimal` or `Date`.
///
/// Reading hundreds of thousands of lines is what a cold rollup does, so this is a byte scanner for the
/// flat objects usage lines are: keys are matched as bytes, strings without escapes are made straight from
/// the bytes (and reused when a line repeats the previous line's value), numbers are read as digits.
/// Anything unusual (escapes, exponents) takes the general JSON parser's path.
struct StoredUsageLine {
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
    var isString: Bool { ![.v, .input, .output, .cw5m, .cw1h, .cr, .cost].contains(self) }
  }

  /// The previous line's string values, reused when a line repeats them byte for byte.
  struct Interner {
    /// False when reading for the rollup: session, prices and machine are checked but not kept.
    var keepsEveryField = true
    var bytes: [[UInt8]] = Array(repeating: [], count: Field.allCases.count)
    var strings: [String] = Array(repeating: "", count: Field.allCases.count)

    mutating func string(_ slice: UnsafeBufferPointer<UInt8>, for field: Field) -> String {
      let slot = field.rawValue
      if bytes[slot].count == slice.count,
        slice.isEmpty || bytes[slot].withUnsafeBufferPointer({ memcmp($0.baseAddress!, slice.baseAddress!, slice.count) == 0 })
      {
        return strings[slot]
      }
      let text = String(decoding: slice, as: UTF8.self)
      if field != .id && field != .at {
        bytes[slot] = Array(slice)
        strings[slot] = text
      }
      return text
    }
  }

  /// The lines of a note's text, each id once (the first), and how many lines were malformed.
  static func lines(in text: UnsafeRawBufferPointer) -> (lines: [StoredUsageLine], malformed: Int) {
    var lines: [StoredUsageLine] = []
    let malformed = append(linesIn: text, to: &lines)
    return (lines, malformed)
  }

  /// Appends the lines of a note's text to `lines` (each id once within the note, the first kept); returns
  /// how many lines were malformed. Many notes can share one array: no allocation per note.
  static func append(linesIn text: UnsafeRawBufferPointer, to lines: inout [StoredUsageLine], everyField: Bool = true)
    -> Int
  {
    let first = lines.count
    var malformed = 0
    // Notes hold a few lines each: a set of ids is only worth building for long ones.
    var ids = Set<String>()
    func isNew(_ id: String) -> Bool {
      if lines.count - first < 16 { return !lines[first...].contains { $0.id == id } }
      if ids.isEmpty { ids = Set(lines[first...].map(\.id)) }
      return ids.insert(id).inserted
    }
    forEachLine(in: text, everyField: everyField) { line in
      guard let line else {
        malformed += 1
        return
      }
      if isNew(line.id) { lines.append(line) }
    }
    return malformed
  }

  /// Calls `body` with each non-empty line of a note's text, parsed (`nil`: malformed). Without `everyField`
  /// session, prices and machine are checked but not kept.
  static func forEachLine(in text: UnsafeRawBufferPointer, everyField: Bool = true, _ body: (StoredUsageLine?) -> Void) {
    var interner = Interner()
    interner.keepsEveryField = everyField
    let bytes = text.bindMemory(to: UInt8.self)
    guard let base = bytes.baseAddress else { return }
    var start = 0
    while start < bytes.count {
      let end = memchr(base + start, 0x0A, bytes.count - start).map {
        UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base
      } ?? bytes.count
      if end > start {
        body(parse(UnsafeBufferPointer(start: base + start, count: end - start), interner: &interner))
      }
      start = end + 1
    }
  }

  /// One line; `nil` when it is not a valid usage event.
  static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> StoredUsageLine? {
    var interner = Interner()
    return parse(bytes, interner: &interner)
  }

  static func parse(_ bytes: UnsafeBufferPointer<UInt8>, interner: inout Interner) -> StoredUsageLine? {
    var parser = CanonicalJSON.Parser(bytes: bytes)
    var line = StoredUsageLine()
    var at: (Int, Int)?
    var atText: String?
    var seenID = false
    var seenModel = false
    var costRange: Range<Int>?
    let count = bytes.count
    func skipSpace() {
      while parser.position < count, bytes[parser.position] == 0x20 || bytes[parser.position] == 0x09 { parser.position += 1 }
    }
    /// A string's bytes when it has no escape (the position is then past it); `nil` otherwise.
    func plainString() -> Range<Int>? {
      let start = parser.position + 1
      var index = start
      while index < count {
        let byte = bytes[index]
        if byte == UInt8(ascii: "\"") {
          parser.position = index + 1
          return start..<index
        }
        if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
        index += 1
      }
      return nil
    }
    /// Past a JSON number (sign, digits, fraction, exponent), without making a value of it; false when
    /// it is not one.
    func skipNumber() -> Bool {
      func digits() -> Int {
        let from = parser.position
        while parser.position < count, bytes[parser.position] >= 48, bytes[parser.position] <= 57 { parser.position += 1 }
        return parser.position - from
      }
      if bytes[parser.position] == UInt8(ascii: "-") { parser.position += 1 }
      guard digits() > 0 else { return false }
      if parser.position < count, bytes[parser.position] == UInt8(ascii: ".") {
        parser.position += 1
        guard digits() > 0 else { return false }
      }
      if parser.position < count, bytes[parser.position] | 0x20 == UInt8(ascii: "e") {
        parser.position += 1
        if parser.position < count, bytes[parser.position] == UInt8(ascii: "+") || bytes[parser.position] == UInt8(ascii: "-") {
          parser.position += 1
        }
        guard digits() > 0 else { return false }
      }
      return true
    }
    /// A string field's value (`nil`: JSON null).
    func setText(_ field: Field, _ text: String?) {
      switch field {
      case .id: line.id = text ?? ""; seenID = text != nil
      case .model: line.model = text ?? ""; seenModel = text != nil
      case .agent: line.agent = text
      case .session: line.session = text
      case .prices: line.prices = text
      case .user: line.user = text
      case .machine: line.machine = text
      case .branch: line.branch = text
      case .feature: line.feature = text
      default: break
      }
    }
    func setCount(_ field: Field, _ value: Int) {
      switch field {
      case .input: line.tokens.input = value
      case .output: line.tokens.output = value
      case .cw5m: line.tokens.cacheWrite5m = value
      case .cw1h: line.tokens.cacheWrite1h = value
      default: line.tokens.cacheRead = value
      }
    }
    do {
      skipSpace()
      guard parser.position < count, bytes[parser.position] == UInt8(ascii: "{") else { return nil }
      parser.position += 1
      skipSpace()
      while true {
        guard parser.position < count, bytes[parser.position] == UInt8(ascii: "\"") else { return nil }
        let field: Field?
        if let range = plainString() {
          field = Self.field(UnsafeBufferPointer(rebasing: bytes[range]))
        } else {
          field = Field.byName[try parser.string()]
        }
        guard let field else { return nil }
        skipSpace()
        guard parser.position < count, bytes[parser.position] == UInt8(ascii: ":") else { return nil }
        parser.position += 1
        skipSpace()
        guard parser.position < count else { return nil }
        let first = bytes[parser.position]
        if first == UInt8(ascii: "n") {
          _ = try parser.expect("null", .null)
          switch field {
          case .v: return nil
          case .at: at = nil; atText = nil
          case .cost: costRange = nil
          case .input, .output, .cw5m, .cw1h, .cr: setCount(field, 0)
          default: setText(field, nil)
          }
        } else if first == UInt8(ascii: "\"") {
          guard field.isString else { return nil }
          let text: String
          if let range = plainString() {
            if field == .at || (!interner.keepsEveryField && field.isUnusedWhenSumming) {
              if field == .at {
                at = (range.lowerBound, range.upperBound)
                atText = nil
              }
              skipSpace()
              guard try next() else { break }
              continue
            }
            text = interner.string(UnsafeBufferPointer(rebasing: bytes[range]), for: field)
          } else {
            text = try parser.string()
          }
          if field == .at {
            atText = text
            at = nil
          } else {
            setText(field, text)
          }
        } else if first == UInt8(ascii: "-") || (48...57).contains(first) {
          let start = parser.position
          guard skipNumber() else { return nil }
          let range = start..<parser.position
          switch field {
          case .v: guard range.count == 1, bytes[start] == UInt8(ascii: "1") else { return nil }
          case .cost: costRange = range
          case .input, .output, .cw5m, .cw1h, .cr:
            guard let value = Self.wholeNumber(UnsafeBufferPointer(rebasing: bytes[range])) else { return nil }
            setCount(field, value)
          default: return nil
          }
        } else {
          return nil
        }
        skipSpace()
        guard try next() else { break }
      }
      skipSpace()
      guard parser.position == count else { return nil }
    } catch {
      return nil
    }
    /// Past a `,` (true: another member follows) or the closing `}` (false).
    func next() throws -> Bool {
      guard parser.position < count else { throw CanonicalJSON.ParseError(offset: count, reason: "unterminated object") }
      if bytes[parser.position] == UInt8(ascii: ",") {
        parser.position += 1
        skipSpace()
        return true
      }
      if bytes[parser.position] == UInt8(ascii: "}") {
        parser.position += 1
        return false
      }
      throw CanonicalJSON.ParseError(offset: parser.position, reason: "expected ',' or '}'")
    }
    guard seenID, !line.id.isEmpty, seenModel, !line.model.isEmpty else { return nil }
    if let (start, end) = at {
      guard let milliseconds = Self.canonicalTime(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        ?? Timestamp.parse(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
          .map({ Int64(($0.timeIntervalSince1970 * 1000).rounded()) })
      else { return nil }
      line.atMs = milliseconds
    } else if let atText, let date = Timestamp.parse(atText) {
      line.atMs = Int64((date.timeIntervalSince1970 * 1000).rounded())
    } else {
      return nil
    }
    if let costRange {
      let number = UnsafeBufferPointer(rebasing: bytes[costRange])
      guard let plain = Self.plainDecimal(number) else { return nil }
      line.costText = plain
      line.costPico = Self.picoDollars(plain)
    }
    return line
  }

  /// The field a key names, matched on its bytes.
  static func field(_ key: UnsafeBufferPointer<UInt8>) -> Field? {
    func byte(_ index: Int) -> UInt8 { key[index] }
    func equals(_ text: StaticString) -> Bool {
      guard text.utf8CodeUnitCount == key.count, let base = key.baseAddress else { return false }
      return memcmp(base, text.utf8Start, key.count) == 0
    }
    switch key.count {
    case 1: return byte(0) == UInt8(ascii: "v") ? .v : nil
    case 2:
      switch (byte(0), byte(1)) {
      case (UInt8(ascii: "i"), UInt8(ascii: "d")): return .id
      case (UInt8(ascii: "a"), UInt8(ascii: "t")): return .at
      case (UInt8(ascii: "i"), UInt8(ascii: "n")): return .input
      case (UInt8(ascii: "c"), UInt8(ascii: "r")): return .cr
      default: return nil
      }
    case 3: return equals("out") ? .output : nil
    case 4:
      switch byte(0) {
      case UInt8(ascii: "c"): return equals("cw5m") ? .cw5m : equals("cw1h") ? .cw1h : equals("cost") ? .cost : nil
      case UInt8(ascii: "u"): return equals("user") ? .user : nil
      default: return nil
      }
    case 5: return equals("agent") ? .agent : equals("model") ? .model : nil
    case 6: return equals("prices") ? .prices : equals("branch") ? .branch : nil
    case 7: return equals("session") ? .session : equals("machine") ? .machine : equals("feature") ? .feature : nil
    default: return nil
    }
  }

  /// A non-negative whole number written in plain digits.
  static func wholeNumber(_ digits: UnsafeBufferPointer<UInt8>) -> Int? {
    guard !digits.isEmpty, digits.count <= 18 else {
      return Int(String(decoding: digits, as: UTF8.self)).flatMap { $0 >= 0 ? $0 : nil }
    }
    var value = 0
    for byte in digits {
      guard (48...57).contains(byte) else { return nil }
      value = value * 10 + Int(byte - 48)
    }
    return value
  }

  /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (as octo-git writes times) in milliseconds; `nil` for any other spelling.
  static func canonicalTime(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard text.count == 24, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"), text[10] == UInt8(ascii: "T"),
      text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"), text[19] == UInt8(ascii: "."),
      text[23] == UInt8(ascii: "Z")
    else { return nil }
    func number(_ from: Int, _ length: Int) -> Int? {
      var value = 0
      for index in from..<(from + length) {
        let byte = text[index]
        guard (48...57).contains(byte) else { return nil }
        value = value * 10 + Int(byte - 48)
      }
      return value
    }
    guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
      let minute = number(14, 2), let second = number(17, 2), let millisecond = number(20, 3),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
    return Int64(((days * 24 + hour) * 60 + minute) * 60 + second) * 1000 + Int64(millisecond)
  }

  /// A non-negative JSON number as plain decimal text without trailing zeros (`1.50` → `1.5`, `2.0` → `2`,
  /// `6.93e-2` → `0.0693`); `nil` when it is negative (other than zero) or not a number.
  static func plainDecimal(_ number: UnsafeBufferPointer<UInt8>) -> String? {
    if !number.contains(where: { !((48...57).contains($0) || $0 == UInt8(ascii: ".")) }) {
      var lower = 0
      var upper = number.count
      if number.contains(UInt8(ascii: ".")) {
        while upper > lower, number[upper - 1] == UInt8(ascii: "0") { upper -= 1 }
        if upper > lower, number[upper - 1] == UInt8(ascii: ".") { upper -= 1 }
      }
      while upper - lower > 1, number[lower] == UInt8(ascii: "0"), number[lower + 1] != UInt8(ascii: ".") { lower += 1 }
      return String(decoding: UnsafeBufferPointer(rebasing: number[lower..<upper]), as: UTF8.self)
    }
    let text = String(decoding: number, as: UTF8.self)
    guard let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), decimal >= 0 else { return nil }
    return CanonicalJSON.plain(decimal)
  }

  /// Plain decimal text (`12.345`) as pico-dollars, when it has at most twelve decimals and fits.
  static func picoDollars(_ plain: String) -> Int64? {
    var whole: Int64 = 0
    var fraction: Int64 = 0
    var fractionDigits = 0
    var seenDot = false
    for byte in plain.utf8 {
      if byte == UInt8(ascii: ".") {
        seenDot = true
        continue
      }
      let digit = Int64(byte - 48)
      if seenDot {
        fractionDigits += 1
        if fractionDigits > 12 { return nil }
        fraction = fraction * 10 + digit
      } else {
        let (times, overflow) = whole.multipliedReportingOverflow(by: 10)
        if overflow { return nil }
        whole = times + digit
      }
    }
    for _ in fractionDigits..<12 { fraction *= 10 }
    let (scaled, overflow) = whole.multipliedReportingOverflow(by: 1_000_000_000_000)
    if overflow { return nil }
    let (total, overflowed) = scaled.addingReportingOverflow(fraction)
    return overflowed ? nil : total
  }
}
