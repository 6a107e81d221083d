import Foundation

/// One repository's usage events as the rollup keeps them: each event once (by id) with the number of
/// notes holding it, in a compact binary form stored as one value per repository.
///
/// One value per repository instead of one row per event: a cold rollup of hundreds of thousands of
/// events writes a hundred values, and summing decodes them in memory.
struct EventArchive {
  /// Each event once by id, with the number of notes holding it (session, prices and machine are not kept).
  var events: [String: (event: UsageEvent, holders: Int)] = [:]

  /// The magic bytes of the current layout; an archive of an older one is not read (the repository is then
  /// read again from its notes).
  static let magic = Array("OGA2".utf8)

  init() {}

  /// Takes in what changed: holds released for the notes' old versions, new lines held (a better copy,
  /// ``EventCopy``, replaces the one held), events nobody holds any more dropped.
  ///
  /// Returns `false` when the copy held of an event may be gone while other notes still hold the event (the
  /// note that held it rewritten to a worse or different copy, or removed): the archive keeps one copy per
  /// event, not which notes hold it, so the repository must be read whole (rare; when another note held the
  /// very same copy, the whole read finds what the archive had).
  @discardableResult
  mutating func apply(_ delta: UsageNotesDelta) -> Bool {
    if delta.rebuilt { events.removeAll(keepingCapacity: true) }
    events.reserveCapacity(events.count + delta.lines.count)
    // The events whose held copy a released note held (maybe the only note holding that copy).
    var released: [String: UsageEvent] = [:]
    for copy in delta.previousCopies {
      guard let index = events.index(forKey: copy.id) else { continue }
      events.values[index].holders -= 1
      if EventCopy.isSame(events.values[index].event, copy) { released[copy.id] = events.values[index].event }
    }
    for line in delta.lines {
      var event = line
      event.session = nil
      event.prices = nil
      event.machine = nil
      if let before = released[line.id], EventCopy.isSame(event, before) || EventCopy.isBetter(event, than: before) {
        released[line.id] = nil
      }
      if let index = events.index(forKey: line.id) {
        let holders = events.values[index].holders + 1
        if EventCopy.isBetter(event, than: events.values[index].event) { events.values[index].event = event }
        events.values[index].holders = holders
      } else {
        events[line.id] = (event, 1)
      }
    }
    if !delta.previousCopies.isEmpty {
      events = events.filter { $0.value.holders > 0 }
    }
    return !released.keys.contains { events[$0] != nil }
  }

  // MARK: Encoding
  //
  // "OGA2", then a string table (count, then each string as length and UTF-8 bytes), then the events
  // (count, then for each: id, holders, time, the strings as table index + 1 (0: none), the five token
  // counts, a cost tag (0 unpriced, 1 priced) and the cost in pico-dollars). Integers are LEB128.

  func encoded() -> Data {
    var writer = Writer(capacity: events.count)
    for (event, holders) in events.values { writer.append(event, holders: holders) }
    return writer.finish()
  }

  /// Writes the encoded form, event by event.
  struct Writer {
    private var strings: [String: Int] = [:]
    private var table: [String] = []
    // Events repeat their neighbours' strings (the same agent, model, user…), usually the very same
    // storage: checked before hashing.
    private var recent: [(String, Int)] = Array(repeating: ("", 0), count: 5)
    private var body: [UInt8] = []
    private var count = 0

    init(capacity: Int) { body.reserveCapacity(capacity * 48) }

    private mutating func index(_ text: String?, _ slot: Int) -> Int {
      guard let text else { return 0 }
      if recent[slot].1 != 0, recent[slot].0 == text { return recent[slot].1 }
      let number: Int
      if let known = strings[text] {
        number = known
      } else {
        table.append(text)
        strings[text] = table.count
        number = table.count
      }
      recent[slot] = (text, number)
      return number
    }

    mutating func append(_ event: UsageEvent, holders: Int) {
      count += 1
      func number(_ text: String?, _ slot: Int) -> Int32? {
        let index = index(text, slot)
        return index == 0 ? nil : Int32(index - 1)
      }
      var values = UsageLineValues()
      values.atMs = event.atMs
      values.agent = number(event.agent, 0)
      values.model = number(event.model, 1) ?? -1
      values.user = number(event.user, 2)
      values.branch = number(event.branch, 3)
      values.feature = number(event.feature, 4)
      values.tokens = event.tokens
      values.cost = event.cost
      var id = event.id
      id.withUTF8 { EventArchive.put(id: $0, holders: holders, values, &body) }
    }

    func finish() -> Data {
      var out = EventArchive.magic
      EventArchive.put(table.count, &out)
      for text in table { EventArchive.put(text, &out) }
      EventArchive.put(count, &out)
      out += body
      return Data(out)
    }
  }

  /// Decodes what ``encoded()`` wrote; `nil` when the data is not an archive (the repository is then read
  /// again from its notes).
  static func decode(_ data: Data) -> EventArchive? {
    var table: [String] = []
    var archive = EventArchive()
    func text(_ number: Int32?) -> String? { number.map { table[Int($0)] } }
    let complete = walk(
      data,
      number: {
        table.append($0)
        return Int32(table.count - 1)
      }
    ) { id, holders, values in
      let name = String(decoding: id, as: UTF8.self)
      let event = UsageEvent(
        id: name, atMs: values.atMs, agent: text(values.agent), model: text(values.model) ?? "",
        tokens: values.tokens, cost: values.cost, user: text(values.user), branch: text(values.branch),
        feature: text(values.feature))
      archive.events[name] = (event, holders)
    }
    return complete ? archive : nil
  }

  /// Walks an encoded archive without building its events: each string of its table is numbered once
  /// with `number`, then `body` gets each event's values (strings as those numbers; no id, session, prices
  /// or machine). Returns false when the data is not an archive.
  static func forEachEvent(in data: Data, number: (String) -> Int32, _ body: (UsageLineValues) -> Void) -> Bool {
    walk(data, number: number) { _, _, event in body(event) }
  }

  /// Walks an encoded archive's event ids (their bytes), token counts and costs, in the order
  /// ``forEachEvent(in:number:_:)`` gives the events, without numbering any name. Returns false when the
  /// data is not an archive.
  static func forEachID(
    in data: Data, _ body: (UnsafeBufferPointer<UInt8>, TokenCounts, PicoDollars?, Int64) -> Void
  ) -> Bool {
    walk(data, number: { _ in 0 }) { id, _, event in body(id, event.tokens, event.cost, event.atMs) }
  }

  /// Reads an encoded archive: its string table (each string numbered with `number`), then each event
  /// with its id's bytes and holder count. False when the data is not a whole archive.
  private static func walk(
    _ data: Data, number: (String) -> Int32, _ body: (UnsafeBufferPointer<UInt8>, Int, UsageLineValues) -> Void
  ) -> Bool {
    data.withUnsafeBytes { raw -> Bool in
      var reader = Reader(bytes: raw.bindMemory(to: UInt8.self))
      guard reader.take(4).map({ Array($0) }) == magic, let tableCount = reader.integer(),
        tableCount >= 0, tableCount <= reader.bytes.count - reader.position
      else { return false }
      var table: [Int32] = []
      table.reserveCapacity(tableCount)
      for _ in 0..<tableCount {
        guard let text = reader.string() else { return false }
        table.append(number(text))
      }
      /// A string's table index + 1 as its number: `.some(nil)` for none, `nil` when out of the table.
      func index(_ raw: Int?) -> Int32?? {
        guard let raw, raw >= 0, raw <= table.count else { return nil }
        return raw == 0 ? .some(nil) : .some(table[raw - 1])
      }
      guard let count = reader.integer(), count >= 0 else { return false }
      for _ in 0..<count {
        guard let idLength = reader.integer(), let id = reader.take(idLength), let holders = reader.integer(),
          holders >= 0, holders < Int(Int32.max),
          let at = reader.unsigned(), let agent = index(reader.integer()), let model = index(reader.integer()),
          let modelNumber = model,
          let user = index(reader.integer()), let branch = index(reader.integer()),
          let feature = index(reader.integer()),
          let input = reader.integer(), let output = reader.integer(), let cw5m = reader.integer(),
          let cw1h = reader.integer(), let cr = reader.integer(), let tag = reader.take(1)?.first
        else { return false }
        var values = UsageLineValues()
        values.atMs = Int64(bitPattern: at)
        values.agent = agent
        values.model = modelNumber
        values.user = user
        values.branch = branch
        values.feature = feature
        values.tokens = TokenCounts(input: input, output: output, cacheWrite5m: cw5m, cacheWrite1h: cw1h, cacheRead: cr)
        switch tag {
        case 0: break
        case 1:
          guard let pico = reader.unsigned(UInt128.self), let count = Int128(exactly: pico) else { return false }
          values.cost = PicoDollars(count: count)
        default: return false
        }
        body(id, holders, values)
      }
      return reader.position == reader.bytes.count
    }
  }

  /// Writes one event: its id's bytes, holder count and values (names as indexes of the archive's string
  /// table).
  static func put(id: UnsafeBufferPointer<UInt8>, holders: Int, _ event: UsageLineValues, _ out: inout [UInt8]) {
    func name(_ number: Int32?) -> Int { number.map { Int($0) + 1 } ?? 0 }
    put(id.count, &out)
    out.append(contentsOf: id)
    put(holders, &out)
    put(UInt64(bitPattern: event.atMs), &out)
    put(name(event.agent), &out)
    put(Int(event.model) + 1, &out)
    put(name(event.user), &out)
    put(name(event.branch), &out)
    put(name(event.feature), &out)
    put(event.tokens.input, &out)
    put(event.tokens.output, &out)
    put(event.tokens.cacheWrite5m, &out)
    put(event.tokens.cacheWrite1h, &out)
    put(event.tokens.cacheRead, &out)
    if let cost = event.cost, cost.count >= 0 {
      out.append(1)
      put(UInt128(cost.count), &out)
    } else {
      out.append(0)
    }
  }

  static func put(_ value: Int, _ out: inout [UInt8]) { put(UInt64(max(0, value)), &out) }

  /// `value` in LEB128 (seven bits a byte, the lowest first).
  static func put<Value: FixedWidthInteger & UnsignedInteger>(_ value: Value, _ out: inout [UInt8]) {
    var rest = value
    while rest >= 0x80 {
      out.append(UInt8(rest & 0x7F) | 0x80)
      rest >>= 7
    }
    out.append(UInt8(rest))
  }

  static func put(_ text: String, _ out: inout [UInt8]) {
    put(text.utf8.count, &out)
    out.append(contentsOf: text.utf8)
  }

  struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    mutating func take(_ count: Int) -> UnsafeBufferPointer<UInt8>? {
      guard count >= 0, count <= bytes.count - position else { return nil }
      defer { position += count }
      return UnsafeBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    /// A LEB128 integer of `Value`'s width; `nil` when the bytes end first or it runs past the width.
    mutating func unsigned<Value: FixedWidthInteger & UnsignedInteger>(_: Value.Type = UInt64.self) -> Value? {
      var value: Value = 0
      var shift = 0
      while position < bytes.count, shift < Value.bitWidth {
        let byte = bytes[position]
        position += 1
        value |= Value(byte & 0x7F) << shift
        if byte < 0x80 { return value }
        shift += 7
      }
      return nil
    }

    mutating func integer() -> Int? { unsigned().flatMap { $0 <= UInt64(Int.max) ? Int($0) : nil } }

    mutating func string() -> String? {
      guard let length = integer(), let slice = take(length) else { return nil }
      return String(decoding: slice, as: UTF8.self)
    }
  }
}
