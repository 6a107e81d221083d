/// The text of a commit's `refs/notes/octo/usage` note: one canonical usage event per line.
public enum UsageNote {
  /// The notes ref usage lives in.
  public static let ref = "refs/notes/octo/usage"

  /// The note with `events` added: lines sorted, one per event id (a line already there wins, and lines
  /// octo-git cannot read are kept untouched).
  ///
  /// With `preferLargerOutput`, an event replaces the line of the same id when it has more output tokens
  /// (a transcript read while a response was still being written holds a partial count).
  public static func merging(_ existing: String?, adding events: [UsageEvent], preferLargerOutput: Bool = false)
    -> String
  {
    var lines = Set<String>()
    var ids = Set<String>()
    let incoming = Dictionary(events.map { ($0.id, $0) }) { first, _ in first }
    for line in Self.lines(of: existing ?? "") {
      var text = line
      // The byte scanner reads what the general parser reads (a property test holds them to it), at a
      // fraction of the cost: an import adds to thousands of notes.
      if let known = text.withUTF8({ UsageEvent.scan($0) }) {
        if preferLargerOutput, let newer = incoming[known.id], newer.tokens.output > known.tokens.output { continue }
        guard ids.insert(known.id).inserted else { continue }
      }
      lines.insert(text)
    }
    for event in events where ids.insert(event.id).inserted {
      lines.insert(event.line)
    }
    return lines.sorted().joined(separator: "\n") + "\n"
  }

  /// The note with another note's lines added byte for byte (what a rewritten commit inherits): lines a
  /// later octo-git wrote keep their fields, an id already present keeps its line, an identical line is
  /// kept once.
  public static func merging(_ existing: String?, addingLinesOf other: String) -> String {
    var lines = Set<String>()
    var ids = Set<String>()
    for line in Self.lines(of: existing ?? "") + Self.lines(of: other) {
      var text = line
      if let known = text.withUTF8({ UsageEvent.scan($0) }), !ids.insert(known.id).inserted { continue }
      lines.insert(text)
    }
    return lines.sorted().joined(separator: "\n") + "\n"
  }

  /// A note's non-empty lines, split at line feeds. Swift takes CRLF for one character, which
  /// `split(separator: "\n")` leaves whole; a line keeps the carriage return before its end, which JSON reads
  /// as whitespace.
  static func lines(of text: String) -> [String] {
    text.utf8.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The events of a note, each id once, and how many lines could not be read.
  public static func events(in text: String) -> (events: [UsageEvent], malformed: Int) {
    var events: [UsageEvent] = []
    var ids = Set<String>()
    var malformed = 0
    for line in lines(of: text) {
      guard let event = try? UsageEvent(line: line) else {
        malformed += 1
        continue
      }
      if ids.insert(event.id).inserted { events.append(event) }
    }
    return (events, malformed)
  }
}
