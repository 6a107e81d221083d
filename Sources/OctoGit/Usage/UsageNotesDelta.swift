import Foundation

/// The usage notes that changed in a notes ref since a tip seen before: what the local cache and the
/// rollup read to stay current.
///
/// When the ref has not moved this costs one ref read. When it has and the old tip is still there, only
/// the notes that differ between the two notes trees are read; otherwise every note is (`rebuilt`).
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
  /// The event ids the previous versions of changed and removed notes held, one entry per note holding
  /// each (only when asked for, and never when `rebuilt`).
  var previousIDs: [String] = []

  /// Beyond this many notes read at once (a first read of a long history), commits are not looked up.
  static let lazyDescriptionThreshold = 1000

  /// Every note of the notes commit `tip`, handed to `consume` in parts of a few thousand notes (each part a
  /// delta of its own, commits not looked up) in the order the blobs are cheapest to read, while the next
  /// parts are read on other threads: a first read of a long history, written as it is read.
  static func readAll(
    _ repository: Repository, tip: Oid, everyField: Bool = true, consume: (UsageNotesDelta) throws -> Void
  ) throws {
    try LibGit2.withBulkReads {
      let entries = onePerCommit(try repository.notes(inNotesCommit: tip))
      let blobs = entries.map(\.blob)
      let order = repository.readingOrder(of: blobs)
      PhaseTimings.mark("notes tree")
      let parts = stride(from: 0, to: order.count, by: 2048).map { Array(order[$0..<min($0 + 2048, order.count)]) }
      let folder = repository.objectsFolder
      // One thread reads, and only copies the notes' bytes out; the parsing is done beside the writing.
      // libgit2 reads a pack on one thread at a time: reading these 100,000 blobs took 363 ms on one thread
      // and 450 ms shared out over two (a C program on libgit2 alone, pack order). A few parts ahead of the
      // writer at most: a long history is not held in memory when writing is slow.
      try WorkerPool.stream(parts, holding: 4, threads: 1) {
        part -> Result<RawNotes, Error> in
        Result {
          let objects = try ObjectDatabase.open(folder: folder)
          var raw = RawNotes(positions: part)
          for position in part {
            try objects.withContent(of: blobs[position]) { raw.bytes.append(contentsOf: $0) }
            raw.ends.append(raw.bytes.count)
          }
          return raw
        }
      } consume: {
        let raw = try $0.get()
        var delta = UsageNotesDelta()
        delta.rebuilt = true
        delta.tip = tip
        delta.notes.reserveCapacity(raw.positions.count)
        raw.bytes.withUnsafeBytes { bytes in
          var start = 0
          for (position, end) in zip(raw.positions, raw.ends) {
            let first = delta.lines.count
            let unread = UsageEvent.append(
              linesIn: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), to: &delta.lines, everyField: everyField)
            start = end
            delta.unread += unread
            delta.notes.append(
              Note(
                commit: entries[position].annotated, time: 0, summary: "", described: false,
                lines: first..<delta.lines.count, unread: unread))
          }
        }
        try consume(delta)
      }
    }
  }

  /// `entries` with each annotated commit once. A notes tree may name one commit twice (flat and fanned
  /// out, as a tool other than git can write it): the last entry counts, as an incremental read's last
  /// write does, and the cache's keys hold. A tree as git writes it lists its notes in increasing order, which
  /// one pass checks; only another order is de-duplicated through a set.
  private static func onePerCommit(_ entries: [NoteEntry]) -> [NoteEntry] {
    if zip(entries, entries.dropFirst()).allSatisfy({ $0.annotated < $1.annotated }) { return entries }
    var seen = Set<Oid>()
    return entries.reversed().filter { seen.insert($0.annotated).inserted }.reversed()
  }

  /// The bytes of a part's notes, one after another, as a reader thread copies them out.
  private struct RawNotes: Sendable {
    var positions: [Int]
    var bytes: [UInt8] = []
    var ends: [Int] = []
  }

  /// What changed in `ref` since `previousTip`; `nil` when the ref is where it was. Without
  /// `commitDetails` (the rollup) commits are not looked up and lines keep only what is summed.
  static func read(
    _ repository: Repository, ref: String, since previousTip: String?, rebuild: Bool = false,
    commitDetails: Bool = true, previousIDs: Bool = false
  ) throws -> UsageNotesDelta? {
    let current = try repository.reference(ref)?.target
    if !rebuild, previousTip == current?.hex, previousTip != nil || current == nil { return nil }
    var delta = UsageNotesDelta()
    delta.tip = current
    var changes: [(annotated: Oid, blob: Oid?)] = []
    var replaced: [Oid] = []
    let previous = previousTip.flatMap(Oid.init(hex:)).flatMap { repository.objectExists($0) ? $0 : nil }
    if !rebuild, let previous, let current {
      let oldTree = try repository.commit(previous).tree
      let newTree = try repository.commit(current).tree
      for changed in try repository.changedPaths(from: oldTree, to: newTree) {
        guard let annotated = Oid(hex: changed.path.replacingOccurrences(of: "/", with: "")) else { continue }
        changes.append((annotated, changed.newID))
        if previousIDs, let old = changed.oldID { replaced.append(old) }
      }
    } else {
      delta.rebuilt = true
      changes = try LibGit2.withBulkReads {
        try current.map { try repository.notes(inNotesCommit: $0).map { ($0.annotated, $0.blob) } } ?? []
      }
    }
    let objects = try repository.objectDatabase()
    for blob in replaced {
      let parsed = try objects.withContent(of: blob) { UsageEvent.scanAll(in: $0) }
      delta.previousIDs += parsed.events.map(\.id)
    }
    let present = changes.filter { $0.blob != nil }
    delta.removed = changes.filter { $0.blob == nil }.map(\.annotated.hex)
    // Reading every note of a long history: commits are looked up later, only for the reports that need them.
    let describe = commitDetails && !(delta.rebuilt && present.count > lazyDescriptionThreshold)
    var notes = [Note?](repeating: nil, count: present.count)
    try LibGit2.withBulkReads {
      try repository.forEachBlob(present.map { $0.blob! }) { position, text in
        let first = delta.lines.count
        let unread = UsageEvent.append(linesIn: text, to: &delta.lines, everyField: commitDetails)
        delta.unread += unread
        notes[position] = Note(
          commit: present[position].annotated, time: 0, summary: "", described: false,
          lines: first..<delta.lines.count, unread: unread)
      }
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
