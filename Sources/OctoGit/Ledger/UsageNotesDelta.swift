import Foundation

/// The usage notes that changed in a notes ref since a tip seen before: what the local cache and the
/// rollup read to stay current.
///
/// When the ref has not moved this costs one ref read. When it has and the old tip is still there, only
/// the notes that differ between the two notes trees are read; otherwise every note is (`rebuilt`).
struct UsageNotesDelta {
  struct Note {
    /// The annotated commit.
    var commit: Oid
    /// Its commit time and subject (0 and empty unless asked for, or when the commit is missing).
    var time: Int64
    var summary: String
    /// Where its lines are in ``UsageNotesDelta/lines``.
    var lines: Range<Int>
    /// Lines of this note that could not be read.
    var unread = StoredUsageLine.Unread()
  }

  /// Whether every note was read (no usable previous tip).
  var rebuilt = false
  /// Annotated commits whose note is gone.
  var removed: [String] = []
  /// Notes added or changed.
  var notes: [Note] = []
  /// The lines of every note read, note after note (one array for all: no allocation per note).
  var lines: [StoredUsageLine] = []
  /// Lines that could not be read, in every note read.
  var unread = StoredUsageLine.Unread()
  var malformedLines: Int { unread.malformed }
  /// The ref's tip now.
  var tip: Oid?
  /// The event ids the previous versions of changed and removed notes held, one entry per note holding
  /// each (only when asked for, and never when `rebuilt`).
  var previousIDs: [String] = []

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
      changes = try current.map { try repository.notes(inNotesCommit: $0).map { ($0.annotated, $0.blob) } } ?? []
    }
    let objects = try repository.objectDatabase()
    for blob in replaced {
      let parsed = try objects.withContent(of: blob) { StoredUsageLine.lines(in: $0) }
      delta.previousIDs += parsed.lines.map(\.id)
    }
    delta.notes.reserveCapacity(changes.count)
    for change in changes {
      guard let blob = change.blob else {
        delta.removed.append(change.annotated.hex)
        continue
      }
      let first = delta.lines.count
      let unread = try objects.withContent(of: blob) {
        StoredUsageLine.append(linesIn: $0, to: &delta.lines, everyField: commitDetails)
      }
      delta.unread += unread
      var time: Int64 = 0
      var summary = ""
      if commitDetails, repository.objectExists(change.annotated), let commit = try? repository.commit(change.annotated)
      {
        time = Int64(commit.committer.time.timeIntervalSince1970)
        summary = commit.summary
      }
      delta.notes.append(
        Note(commit: change.annotated, time: time, summary: summary, lines: first..<delta.lines.count, unread: unread))
    }
    return delta
  }
}
