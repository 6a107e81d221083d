import Foundation

/// Builds the encoded archive of a repository read whole, line by line, straight from its notes: no
/// parsed lines are kept, each event is a few integers until it is written.
///
/// The same result as ``EventArchive/encoded(wholeRead:)`` of the same notes: within a note an id counts
/// once (the first line); across notes it is held once per note, the copy with the most output kept.
struct ArchiveBuilder {
  private struct Record {
    var holders: Int
    var atMs: Int64
    var agent: String?
    var model: String
    var user: String?
    var branch: String?
    var feature: String?
    var tokens: TokenCounts
    var costPico: Int64?
    var costText: String?
  }

  private var slots: [String: Int] = [:]
  private var ids: [String] = []
  private var records: [Record] = []
  /// The slots taken by the current note (to count an id once per note).
  private var noteSlots: [Int] = []
  private(set) var malformedLines = 0
  private(set) var notes = 0

  init(capacity: Int) {
    slots.reserveCapacity(capacity)
    ids.reserveCapacity(capacity)
    records.reserveCapacity(capacity)
  }

  /// Takes in one note's text.
  mutating func add(note text: UnsafeRawBufferPointer) {
    notes += 1
    noteSlots.removeAll(keepingCapacity: true)
    var interner = StoredUsageLine.Interner()
    interner.keepsEveryField = false
    let bytes = text.bindMemory(to: UInt8.self)
    guard let base = bytes.baseAddress else { return }
    var start = 0
    while start < bytes.count {
      let end = memchr(base + start, 0x0A, bytes.count - start).map {
        UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base
      } ?? bytes.count
      if end > start {
        if let line = StoredUsageLine.parse(UnsafeBufferPointer(start: base + start, count: end - start), interner: &interner) {
          add(line)
        } else {
          malformedLines += 1
        }
      }
      start = end + 1
    }
  }

  private mutating func add(_ line: StoredUsageLine) {
    let record = Record(
      holders: 1, atMs: line.atMs, agent: line.agent, model: line.model, user: line.user, branch: line.branch,
      feature: line.feature, tokens: line.tokens, costPico: line.costPico,
      costText: line.costPico == nil ? line.costText : nil)
    if let slot = slots[line.id] {
      if noteSlots.contains(slot) { return }
      noteSlots.append(slot)
      let holders = records[slot].holders + 1
      if line.tokens.output > records[slot].tokens.output { records[slot] = record }
      records[slot].holders = holders
      return
    }
    slots[line.id] = records.count
    noteSlots.append(records.count)
    ids.append(line.id)
    records.append(record)
  }

  /// The encoded archive.
  func encoded() -> Data {
    var writer = EventArchive.Writer(capacity: records.count)
    for (id, record) in zip(ids, records) {
      writer.append(
        id: id, holders: record.holders, atMs: record.atMs, agent: record.agent, model: record.model, user: record.user,
        branch: record.branch, feature: record.feature, tokens: record.tokens, costPico: record.costPico,
        costText: record.costText)
    }
    return writer.finish()
  }
}
