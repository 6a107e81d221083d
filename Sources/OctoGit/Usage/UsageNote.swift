/// The text of a commit's `refs/notes/octo/usage` note: one canonical usage event per line.
public enum UsageNote {
  /// The notes ref usage lives in.
  public static let ref = "refs/notes/octo/usage"

  /// The note with `events` added: lines sorted, one per event id (lines octo-git cannot read are kept
  /// untouched). Of two lines of one id already in the note (a notes merge joins teammates' lines), the
  /// better copy (``EventCopy``) stays; an added event replaces a line already there only with
  /// `replacingWorse`, when it is the better copy (a transcript read while a response was still being
  /// written holds a partial count).
  public static func merging(_ existing: String?, adding events: [UsageEvent], replacingWorse: Bool = false)
    -> String
  {
    var kept = NoteLines()
    for line in Self.lines(of: existing ?? "") { kept.add(line) }
    for event in events { kept.add(event.line, as: event, replacing: replacingWorse) }
    return kept.text
  }

  /// The note with another note's lines added byte for byte (what a rewritten commit inherits): lines a
  /// later octo-git wrote keep their fields, an id keeps its better copy (``EventCopy``, the line already
  /// there of equal ones), an identical line is kept once. Without `keepingDamaged`, the other note's lines no
  /// octo-git can read are not copied (a carried note would count them a second time).
  public static func merging(_ existing: String?, addingLinesOf other: String, keepingDamaged: Bool = true) -> String {
    var kept = NoteLines()
    for line in Self.lines(of: existing ?? "") { kept.add(line) }
    for line in Self.lines(of: other) { kept.add(line, keepingDamaged: keepingDamaged) }
    return kept.text
  }

  /// A note's lines being merged: lines octo-git cannot read once each, as they are, and one line per event
  /// id.
  private struct NoteLines {
    var unreadable = Set<String>()
    var byID: [String: (line: String, event: UsageEvent)] = [:]

    /// Adds a line of the note: its id's better copy stays. Without `keepingDamaged`, a line that is no
    /// event and no line of a later format version is not kept.
    mutating func add(_ line: String, keepingDamaged: Bool = true) {
      var text = line
      // The byte scanner reads what the general parser reads (a property test holds them to it), at a
      // fraction of the cost: an import adds to thousands of notes.
      guard let event = text.withUTF8({ UsageEvent.scan($0) }) else {
        if keepingDamaged || text.withUTF8(UsageLineScanner.isNewerVersion) { unreadable.insert(line) }
        return
      }
      add(line, as: event, replacing: true)
    }

    /// Adds `line`, the text of `event`: when its id has a line already, only with `replacing` and when
    /// `event` is the better copy.
    mutating func add(_ line: String, as event: UsageEvent, replacing: Bool) {
      if let held = byID[event.id], !(replacing && EventCopy.isBetter(event, than: held.event)) { return }
      byID[event.id] = (line, event)
    }

    var text: String { (Array(unreadable) + byID.values.map(\.line)).sorted().joined(separator: "\n") + "\n" }
  }

  /// A note's non-empty lines, split at line feeds. Swift takes CRLF for one character, which
  /// `split(separator: "\n")` leaves whole; a line keeps the carriage return before its end, which JSON reads
  /// as whitespace.
  static func lines(of text: String) -> [String] {
    text.utf8.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The events of a note, each id once (its better copy, ``EventCopy``), and how many lines could not be
  /// read.
  public static func events(in text: String) -> (events: [UsageEvent], malformed: Int) {
    var best = EventCopy.Best()
    var malformed = 0
    for line in lines(of: text) {
      guard let event = try? UsageEvent(line: line) else {
        malformed += 1
        continue
      }
      best.add(event)
    }
    return (best.events, malformed)
  }
}
