import Foundation

/// Brings the rollup database up to date with every registered repository's usage notes.
///
/// A repository whose notes ref did not move costs one ref read; one whose ref moved costs the notes that
/// changed. Repositories are read on every core; the database is written by the calling thread, a few
/// megabytes per transaction. A
/// repository that is gone or unreadable is reported and skipped, never fatal.
public struct RollupRefresh {
  /// What a refresh did.
  public struct Summary: Sendable {
    /// Repositories whose notes were read (some or all of them).
    public var read = 0
    /// Repositories whose notes had not moved.
    public var unchanged = 0
    /// Notes read.
    public var notesRead = 0
    public var malformedLines = 0
    /// Repositories skipped, with why.
    public var skipped: [(path: String, reason: String)] = []
    /// Repositories whose remote notes could not be fetched, with git's whole message (their local notes
    /// were still read: the rollup marks them stale).
    public var fetchFailures: [(path: String, reason: String)] = []
    /// Positions (in the entries read) of repositories whose change an archive could not take in.
    var readWhole: [Int] = []
  }

  let store: RollupStore
  /// About how much one transaction writes before it commits.
  static let transactionBytes = 4 << 20

  public init(store: RollupStore) { self.store = store }

  /// Reads what changed in each of `entries` (fetching each one's remote notes first with `fetch`);
  /// `progress` is told how many are done.
  public func run(
    _ entries: [RollupStore.Entry], fetch: Bool = false, remote: String = "origin",
    progress: ((Int, Int) -> Void)? = nil
  ) throws -> Summary {
    try LibGit2.withBulkReads {
      var summary = try read(entries, fetch: fetch, remote: remote, progress: progress)
      // A change took away the copy of an event an archive held while other notes still hold the event:
      // those repositories are read again whole (rare: a note rewritten to hold a worse or different copy).
      if !summary.readWhole.isEmpty {
        let again = try read(summary.readWhole.map { entries[$0] }, fetch: false, remote: remote, whole: true)
        summary.notesRead += again.notesRead
        summary.malformedLines += again.malformedLines
        summary.skipped += again.skipped
        summary.readWhole = []
      }
      return summary
    }
  }

  private func read(
    _ entries: [RollupStore.Entry], fetch: Bool, remote: String, whole: Bool = false,
    progress: ((Int, Int) -> Void)? = nil
  ) throws -> Summary {
    var summary = Summary()
    var done = 0
    // Repositories are read on the pool's threads, handed over in whatever order they finish; even when
    // writing fails, no reader is left using libgit2 once this returns.
    try WorkerPool.run(Array(entries.indices)) { (index: Int, sender: WorkerPool.Sender<RepositoryRead>) in
      sender.send(
        RepositoryRead(index: index, outcome: Self.read(entries[index], fetch: fetch, remote: remote, whole: whole)))
    } receive: { reads in
      var more = true
      // Written in transactions of a few megabytes as the readers deliver: each commit's copy into the
      // database (and its syncs) happens while the readers still work, not all at the end. A crash leaves
      // every repository either as it was or as read now, archive and tip together; it is only a cache.
      while more {
        try store.transaction { db in
          var written = 0
          while written < Self.transactionBytes {
            guard let delivered = reads.next() else {
              more = false
              try RollupStore.dropUnreadArchives(in: db)
              return
            }
            var entry = entries[delivered.index]
            switch delivered.outcome {
            case .read(_, _, let identity?), .whole(_, _, _, _, _, let identity?):
              // Its origin now names another project: the same events, counted under the new one.
              try RollupStore.move(entry, to: identity.project, origin: identity.origin, in: db)
              entry.project = identity.project
            default: break
            }
            switch delivered.outcome {
            case .read(let delta, let fetchProblem, _):
              if let delta {
                summary.read += 1
                if try RollupStore.apply(delta, to: entry, in: db) {
                  summary.notesRead += delta.notes.count
                  summary.malformedLines += delta.malformedLines
                  written += delta.lines.count * 64
                } else {
                  summary.readWhole.append(delivered.index)
                }
              } else {
                summary.unchanged += 1
                if entry.problem != nil { try RollupStore.setProblem(nil, id: entry.id, in: db) }
              }
              if let fetchProblem { summary.fetchFailures.append((entry.path, fetchProblem)) }
            case .whole(let tip, let archive, let notes, let unread, let fetchProblem, _):
              let malformedLines = unread.reduce(0) { $0 + $1.unread.malformed }
              try RollupStore.store(archive, tip: tip, for: entry, in: db)
              try RollupStore.recordUnread(unread, for: entry, in: db, replacing: true)
              summary.read += 1
              summary.notesRead += notes
              summary.malformedLines += malformedLines
              written += archive.count
              if let fetchProblem { summary.fetchFailures.append((entry.path, fetchProblem)) }
            case .skipped(let reason):
              summary.skipped.append((entry.path, reason))
              try RollupStore.setProblem(reason, id: entry.id, in: db)
            }
            done += 1
            progress?(done, entries.count)
          }
        }
      }
    }
    return summary
  }
}

/// What reading one repository gave.
enum RepositoryOutcome: Sendable {
  /// The notes that changed (`nil`: none), why the fetch failed if it did, and its project when its origin
  /// now names another one.
  case read(UsageNotesDelta?, fetchProblem: String?, identity: (project: String, origin: String?)?)
  /// Every note read (no earlier tip to start from): the archive, encoded on the reader's thread.
  case whole(
    tip: Oid, archive: Data, notes: Int, unread: [(commit: String, unread: UsageNote.Unread)],
    fetchProblem: String?,
    identity: (project: String, origin: String?)?)
  case skipped(String)
}

/// A repository's outcome and its position in the entries refreshed, as a reader hands it over.
struct RepositoryRead: Sendable {
  let index: Int
  let outcome: RepositoryOutcome
}

extension RollupRefresh {
  /// Reads one repository (on a reader thread, with a repository handle of its own).
  /// With `whole`, every note is read, whatever was read before.
  static func read(_ entry: RollupStore.Entry, fetch: Bool, remote: String, whole readsWhole: Bool = false)
    -> RepositoryOutcome
  {
    guard Paths.isFolder(entry.path) else { return .skipped("gone: no folder at \(entry.path)") }
    do {
      // Bare repositories and mirrors are read too: the rollup only reads (and fetches notes).
      let repository = try Repository.openForReading(at: entry.path)
      let identity = try ProjectIdentity.of(repository, path: entry.path)
      var fetchProblem: String?
      if fetch, identity.origin != nil {
        do {
          _ = try NotesSync.pull(repository, remote: remote)
        } catch {
          fetchProblem = (error as? OctoError)?.message ?? "\(error)"
        }
      }
      // A new project, or the origin kept before now written otherwise (its credentials taken out).
      let newIdentity = identity.project == entry.project && identity.origin == entry.origin ? nil : identity
      func whole(_ current: Oid) throws -> RepositoryOutcome {
        var builder = ArchiveBuilder(capacity: 4096)
        let notes = try repository.notes(inNotesCommit: current)
        try repository.forEachNoteText(notes) { position in
          Array(notes[position].annotated.hex.utf8).withUnsafeBufferPointer { builder.addUnreadableBlob(path: $0) }
        } _: { position, text in
          Array(notes[position].annotated.hex.utf8).withUnsafeBufferPointer { builder.add(note: text, path: $0) }
        }
        return .whole(
          tip: current, archive: builder.encoded(), notes: builder.notes, unread: builder.unread,
          fetchProblem: fetchProblem, identity: newIdentity)
      }
      // No earlier tip to compare with: every note is read, straight into the archive.
      let current = try repository.reference(UsageNote.ref)?.target
      if let current, readsWhole || current.hex != entry.tip,
        readsWhole || !(entry.tip.flatMap(Oid.init(hex:)).map(repository.objectExists) ?? false)
      {
        return try whole(current)
      }
      do {
        let delta = try UsageNotesDelta.read(
          repository, ref: UsageNote.ref, since: entry.tip, commitDetails: false, previousCopies: true)
        return .read(delta, fetchProblem: fetchProblem, identity: newIdentity)
      } catch let error where error is GitError || error is UsageNotesDelta.FullReadNeeded {
        // The change could not be read note by note (too large, or a crafted tree libgit2 refuses): every
        // note is read again, as the cache does.
        guard let current else { throw error }
        return try whole(current)
      }
    } catch {
      return .skipped("\(error)")
    }
  }
}
