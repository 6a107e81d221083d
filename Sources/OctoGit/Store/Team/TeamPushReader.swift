import Foundation

/// Reads a repository's rows for ``TeamPush``, on a thread of the pool, in parts handed to the sending
/// thread: a repository's parts arrive in order, then its `finished` (or `unchanged`, `skipped`).
struct TeamPushReader: Sendable {
  struct Job: Sendable {
    let ordinal: Int
    let path: String
    let previousTip: String?
    /// Every note is sent, whatever was pushed before (`team push --all`).
    var everything = false
    /// Only the lines of these events are sent (every note read): a repository's copies of events whose rows
    /// another repository's removed note took out.
    var only: Set<String>? = nil
  }

  enum Piece: Sendable {
    /// Rows of the repository's project to delete before its rows are sent (see ``TeamPush``'s `forget`).
    case forget(project: String, commits: [String], ids: [String])
    case rows([UInt8], count: Int)
    /// `events`: how many events the notes hold (hashes of their ids counted, so at most that), when every
    /// note was read.
    case finished(tip: String, project: String, notes: Int, malformed: Int, events: Int?)
    case unchanged
    case skipped(String)

    /// The bytes of rows it holds (what the sending thread may be behind by).
    var bytes: Int {
      if case .rows(let bytes, _) = self { return bytes.count }
      return 0
    }
  }

  /// About how many bytes of rows a part holds.
  let partBytes: Int
  /// How many bytes of rows may wait for the sender before readers pause.
  var maximumQueued: Int { max(partBytes * 4, 1 << 20) }

  /// Reads one repository: its rows through `part` (in parts of about `partBytes`), then how it ended.
  func read(_ job: Job, part: (Piece) -> Void) -> Piece {
    guard Paths.isFolder(job.path) else { return .skipped("gone: no folder at \(job.path)") }
    do {
      // Bare repositories and mirrors are read too: pushing only reads notes.
      let repository = try Repository.openForReading(at: job.path)
      guard let current = try repository.reference(UsageNote.ref)?.target else {
        // No usage notes at all: nothing to send, nothing to remember.
        return .unchanged
      }
      if current.hex == job.previousTip && !job.everything { return .unchanged }
      let project = try ProjectIdentity.of(repository, path: job.path).project
      var rows = TeamRows(project: project, capacity: min(partBytes + 4096, 1 << 22))
      var order = Int64(job.ordinal) << 32
      var notes = 0
      var malformed = 0
      var eventCount: Int?
      func flushIfFull() {
        guard rows.bytes.count >= partBytes else { return }
        part(.rows(rows.bytes, count: rows.count))
        rows.removeAll()
      }
      let previous = job.previousTip.flatMap(Oid.init(hex:)).flatMap { repository.objectExists($0) ? $0 : nil }
      // Only the notes that changed since the tip last pushed, when they can be read one by one (every note
      // otherwise: the team's rows are keyed by event, so sending one again changes nothing).
      var changes: UsageNotesDelta??
      if let previous {
        do {
          changes = .some(
            try UsageNotesDelta.read(repository, ref: UsageNote.ref, since: previous.hex, previousCopies: true))
        } catch is UsageNotesDelta.FullReadNeeded {
          changes = nil
        }
      }
      // Events a removed or rewritten note no longer holds, or holds only as a worse or different copy: their
      // rows from those notes are deleted, then every note is sent, so the copy the repository holds now
      // (there or elsewhere) takes their place.
      if let delta = changes ?? nil, !delta.previousCopies.isEmpty {
        var present: [String: [UsageEvent]] = [:]
        for line in delta.lines { present[line.id, default: []].append(line) }
        let lost = Set(
          delta.previousCopies.lazy.filter { old in
            !(present[old.id] ?? []).contains { EventCopy.isSame($0, old) || EventCopy.isBetter($0, than: old) }
          }.map(\.id)
        ).sorted()
        if !lost.isEmpty {
          part(.forget(project: project, commits: delta.removed + delta.notes.map(\.commit.hex), ids: lost))
          changes = nil
        }
      }
      if job.everything { changes = nil }
      if let changes {
        if let delta = changes {
          malformed += delta.malformedLines
          for note in delta.notes {
            notes += 1
            let hex = Array(note.commit.hex.utf8)
            hex.withUnsafeBufferPointer { commit in
              for line in delta.lines[note.lines] where job.only?.contains(line.id) ?? true {
                rows.append(line, commit: commit, order: order)
                order += 1
              }
            }
            flushIfFull()
          }
        }
      } else {
        var lines: [UsageEvent] = []
        var ids = Set<Int>()
        let entries = try repository.notes(inNotesCommit: current)
        // A note's blob that cannot be read counts as one line that could not be read.
        try repository.forEachNoteText(entries) { _ in
          malformed += 1
        } _: { position, text in
          lines.removeAll(keepingCapacity: true)
          let unread = UsageEvent.append(linesIn: text, to: &lines)
          malformed += unread.malformed
          notes += 1
          Array(entries[position].annotated.hex.utf8).withUnsafeBufferPointer { commit in
            for line in lines where job.only?.contains(line.id) ?? true {
              rows.append(line, commit: commit, order: order)
              order += 1
              ids.insert(line.id.hashValue)
            }
          }
          flushIfFull()
        }
        eventCount = job.only == nil ? ids.count : nil
      }
      if rows.count > 0 { part(.rows(rows.bytes, count: rows.count)) }
      return .finished(tip: current.hex, project: project, notes: notes, malformed: malformed, events: eventCount)
    } catch {
      return .skipped("\(error)")
    }
  }
}
