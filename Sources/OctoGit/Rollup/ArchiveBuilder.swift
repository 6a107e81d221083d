import Foundation

/// Builds the encoded archive of a repository read whole, line by line, straight from its notes: each
/// event is kept once, in the order met, and no parsed line outlives its note.
///
/// The same archive as ``EventArchive/apply(_:)`` makes of the same notes: within a note an id counts once
/// (the first line); across notes it is held once per note, the copy with the most output kept.
struct ArchiveBuilder {
  private var slots: [String: Int] = [:]
  private var events: [EventArchive.Event] = []
  /// The slots taken by the current note (to count an id once per note).
  private var noteSlots: [Int] = []
  private(set) var malformedLines = 0
  private(set) var notes = 0

  init(capacity: Int) {
    slots.reserveCapacity(capacity)
    events.reserveCapacity(capacity)
  }

  /// Takes in one note's text.
  mutating func add(note text: UnsafeRawBufferPointer) {
    notes += 1
    noteSlots.removeAll(keepingCapacity: true)
    StoredUsageLine.forEachLine(in: text, everyField: false) { line in
      guard let line else {
        malformedLines += 1
        return
      }
      add(line)
    }
  }

  private mutating func add(_ line: StoredUsageLine) {
    let event = EventArchive.Event(
      id: line.id, holders: 1, atMs: line.atMs, agent: line.agent, model: line.model, user: line.user,
      branch: line.branch, feature: line.feature, tokens: line.tokens, costPico: line.costPico,
      costText: line.costPico == nil ? line.costText : nil)
    if let slot = slots[line.id] {
      if noteSlots.contains(slot) { return }
      noteSlots.append(slot)
      let holders = events[slot].holders + 1
      if line.tokens.output > events[slot].tokens.output { events[slot] = event }
      events[slot].holders = holders
      return
    }
    slots[line.id] = events.count
    noteSlots.append(events.count)
    events.append(event)
  }

  /// The encoded archive.
  func encoded() -> Data {
    var writer = EventArchive.Writer(capacity: events.count)
    for event in events { writer.append(event) }
    return writer.finish()
  }
}
