import Foundation

/// Usage lines read as owned events by the byte scanner (``UsageLineScanner``), many at a time: what the cache,
/// the event archive and the team push read notes with.
extension UsageEvent {
  /// The previous line's string values, reused when a line repeats them byte for byte.
  struct Interner: UsageLineTexts {
    /// False when reading for the rollup: session, prices and machine are checked but not kept.
    var keepsEveryField = true
    var bytes: [[UInt8]] = Array(repeating: [], count: UsageField.allCases.count)
    var strings: [String] = Array(repeating: "", count: UsageField.allCases.count)

    /// Keeps the string in the field's slot of `strings` and returns that slot.
    mutating func text(_ slice: UnsafeBufferPointer<UInt8>, for field: UsageField) -> Int32 {
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

    /// The event the scanned values stand for, its strings taken from this interner.
    func event(_ values: UsageLineValues) -> UsageEvent {
      UsageEvent(
        id: strings[Int(values.id)], atMs: values.atMs, agent: string(values.agent), session: string(values.session),
        model: strings[Int(values.model)], tokens: values.tokens, cost: values.cost, prices: string(values.prices),
        user: string(values.user), machine: string(values.machine), branch: string(values.branch),
        feature: string(values.feature))
    }
  }

  /// One line read by the byte scanner; `nil` when it is not a valid usage event.
  static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> UsageEvent? {
    var interner = Interner()
    return scan(bytes, interner: &interner)
  }

  static func scan(_ bytes: UnsafeBufferPointer<UInt8>, interner: inout Interner) -> UsageEvent? {
    UsageLineScanner.scan(bytes, texts: &interner).map { interner.event($0) }
  }

  /// The events of a note's text, each id once (its best copy, ``EventCopy``), and how many lines were
  /// malformed.
  static func scanAll(in text: UnsafeRawBufferPointer) -> (events: [UsageEvent], malformed: Int) {
    var events: [UsageEvent] = []
    let unread = append(linesIn: text, to: &events)
    return (events, unread.malformed)
  }

  /// Appends the events of a note's text to `events` (each id once within the note: its best copy, as
  /// ``EventCopy`` ranks them, the first of equal ones; a notes merge can leave two lines of one id in a
  /// note); returns the lines that could not be read. Many notes can share one array: no allocation per
  /// note. Without `everyField`, session, prices and machine are checked but not kept.
  static func append(linesIn text: UnsafeRawBufferPointer, to events: inout [UsageEvent], everyField: Bool = true)
    -> UsageNote.Unread
  {
    let first = events.count
    var unread = UsageNote.Unread()
    // Notes hold a few lines each: an index of ids is only worth building for long ones.
    var positions: [String: Int] = [:]
    func position(of id: String) -> Int? {
      if positions.isEmpty {
        if events.count - first < 16 { return events[first...].firstIndex { $0.id == id } }
        for index in first..<events.count { positions[events[index].id] = index }
      }
      return positions[id]
    }
    var interner = Interner()
    interner.keepsEveryField = everyField
    UsageLineScanner.forEachLine(in: text) { bytes in
      guard let event = scan(bytes, interner: &interner) else {
        unread.count(bytes)
        return
      }
      if let index = position(of: event.id) {
        if EventCopy.isBetter(event, than: events[index]) { events[index] = event }
      } else {
        if !positions.isEmpty { positions[event.id] = events.count }
        events.append(event)
      }
    }
    return unread
  }
}

extension UsageNote {
  /// Lines of a note that did not read as events: damaged ones, and ones of a later format version.
  struct Unread: Equatable, Sendable {
    /// Every line that could not be read (``newer`` included).
    var malformed = 0
    /// Lines written in a later format version (`"v"` above this build's).
    var newer = 0

    /// Counts a line the scanner could not read.
    mutating func count(_ line: UnsafeBufferPointer<UInt8>) {
      malformed += 1
      if UsageLineScanner.isNewerVersion(line) { newer += 1 }
    }

    static func += (lhs: inout Unread, rhs: Unread) {
      lhs.malformed += rhs.malformed
      lhs.newer += rhs.newer
    }
  }
}
