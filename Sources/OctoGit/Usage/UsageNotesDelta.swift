import Foundation

/// The usage notes that changed in a notes ref since a tip seen before: what the local cache and the
/// rollup read to stay current.
///
/// When the ref has not moved this costs one ref read. When it has and the old tip is still there, only
/// the notes that differ between the two notes trees are read; otherwise every note is (`rebuilt`). When the
/// difference cannot be read that way, ``FullReadNeeded`` is thrown and the caller reads every note its own
/// way (the cache and the rollup each stream a full read).
struct UsageNotesDelta: Sendable {
  struct Note: Sendable {
    /// The annotated commit.
    var commit: Oid
    /// Its commit time and subject (0 and empty unless asked for, or when the commit is missing).
    var time: Int64
    var summary: String
    /// Whether `time` and `summary` were looked up: not when every note of a large ref is read (the
    /// commits are as many objects again, and most reports never need them).
    var described = true
    /// Where its lines are in ``UsageNotesDelta/lines``.
    var lines: Range<Int>
    /// Lines of this note that could not be read.
    var unread = UsageNote.Unread()
  }

  /// Whether every note was read (no usable previous tip).
  var rebuilt = false
  /// Annotated commits whose note is gone.
  var removed: [String] = []
  /// Notes added or changed.
  var notes: [Note] = []
  /// The lines of every note read, note after note (one array for all: no allocation per note).
  var lines: [UsageEvent] = []
  /// Lines that could not be read, in every note read.
  var unread = UsageNote.Unread()
  var malformedLines: Int { unread.malformed }
  /// The ref's tip now.
  var tip: Oid?
  /// The events the previous versions of changed and removed notes held, one entry per note holding each
  /// (only when asked for, and never when `rebuilt`; session, prices and machine not kept).
  var previousCopies: [UsageEvent] = []

  /// The notes changed since the previous tip cannot be read one by one: over 10,000 of them (a full read
  /// costs less), trees too many to compare (a crafted tree), or a previous version's blob missing (the
  /// rollup could not release what it held).
  struct FullReadNeeded: Error {}

  /// Beyond this many notes read at once (a first read of a long history), commits are not looked up.
  static let lazyDescriptionThreshold = 1000

  /// What changed in `ref` since `previousTip`; `nil` when the ref is where it was. Without
  /// `commitDetails` (the rollup) commits are not looked up and lines keep only what is summed.
  static func read(
    _ repository: Repository, ref: String, since previousTip: String?, rebuild: Bool = false,
    commitDetails: Bool = true, previousCopies: Bool = false
  ) throws -> UsageNotesDelta? {
    let current = try repository.reference(ref)?.target
    if !rebuild, previousTip == current?.hex, previousTip != nil || current == nil { return nil }
    var delta = UsageNotesDelta()
    delta.tip = current
    var present: [NoteEntry] = []
    var replaced: [NoteEntry] = []
    let previous = previousTip.flatMap(Oid.init(hex:)).flatMap { repository.objectExists($0) ? $0 : nil }
    if !rebuild, let previous, let current {
      let oldTree = try repository.commit(previous).tree
      let newTree = try repository.commit(current).tree
      var changed: [Oid] = []
      var seen = Set<Oid>()
      let paths: [ChangedPath]
      do {
        paths = try repository.changedPaths(from: oldTree, to: newTree, maxTrees: 100_000)
      } catch is TreeComparisonLimit {
        throw FullReadNeeded()
      }
      for path in paths {
        // Only what a full read takes for a note (see Repository.forEachNote): a regular file, named by 40
        // hexadecimal digits split by fan-out folders of two.
        let folders = path.path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        guard folders.allSatisfy({ $0.utf8.count == 2 }),
          path.newRawMode.map(EntryMode.isRegularFile(rawMode:)) == true
            || path.oldRawMode.map(EntryMode.isRegularFile(rawMode:)) == true,
          let annotated = Oid(hex: path.path.replacingOccurrences(of: "/", with: "")),
          seen.insert(annotated).inserted
        else { continue }
        changed.append(annotated)
      }
      if changed.count > 10_000 { throw FullReadNeeded() }
      // A changed object's whole note as it is now (and was): the tree may name it at other paths too.
      for annotated in changed {
        if let note = try repository.note(on: annotated, inNotesTree: newTree) {
          present.append(note)
        } else {
          delta.removed.append(annotated.hex)
        }
        if previousCopies, let note = try repository.note(on: annotated, inNotesTree: oldTree) { replaced.append(note) }
      }
    } else {
      delta.rebuilt = true
      present = try LibGit2.withBulkReads { try current.map { try repository.notes(inNotesCommit: $0) } ?? [] }
    }
    if !replaced.isEmpty {
      var held: [UsageEvent] = []
      var missing = false
      try repository.forEachNoteText(replaced) { _ in
        missing = true
      } _: { _, text in
        held.removeAll(keepingCapacity: true)
        _ = UsageEvent.append(linesIn: text, to: &held, everyField: false)
        delta.previousCopies += held
      }
      if missing { throw FullReadNeeded() }
    }
    // Reading every note of a long history: commits are looked up later, only for the reports that need them.
    let describe = commitDetails && !(delta.rebuilt && present.count > lazyDescriptionThreshold)
    var notes = [Note?](repeating: nil, count: present.count)
    // A note's blob that cannot be read (missing) counts as one line that could not be read.
    var missing: [Int: Int] = [:]
    try LibGit2.withBulkReads {
      try repository.forEachNoteText(present) {
        missing[$0, default: 0] += 1
      } _: { position, text in
        let first = delta.lines.count
        let unread = UsageEvent.append(linesIn: text, to: &delta.lines, everyField: commitDetails)
        delta.unread += unread
        notes[position] = Note(
          commit: present[position].annotated, time: 0, summary: "", described: false,
          lines: first..<delta.lines.count, unread: unread)
      }
    }
    for (position, count) in missing {
      notes[position]?.unread.malformed += count
      delta.unread.malformed += count
    }
    delta.notes = notes.map { $0! }
    if describe {
      for index in delta.notes.indices {
        let annotated = delta.notes[index].commit
        delta.notes[index].described = true
        if repository.objectExists(annotated), let commit = try? repository.commit(annotated) {
          delta.notes[index].time = Int64(commit.committer.time.timeIntervalSince1970)
          delta.notes[index].summary = commit.summary
        }
      }
    }
    return delta
  }
}
