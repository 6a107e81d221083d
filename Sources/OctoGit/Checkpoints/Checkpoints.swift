import Foundation

/// Takes, lists, finds and prunes the checkpoints of a repository.
public final class Checkpoints {
  public let repository: Repository
  public let location: WorktreeLocation

  public init(repository: Repository) {
    self.repository = repository
    self.location = WorktreeLocation(repository)
  }

  /// The ref folder of this work tree's checkpoints.
  var refFolder: String { Checkpoint.refPrefix + location.key + "/" }

  // MARK: - Taking

  /// Options of a new checkpoint.
  public struct Request: Sendable {
    public var message: String
    public var agent: String?
    public var session: String?
    public var includeIgnored: Bool
    public var now: Date
    /// Taken by a restore of what it replaces: named by its id only, never `latest` (see ``undoRefSuffix``).
    var isRestoreUndo = false

    public init(
      message: String = "", agent: String? = nil, session: String? = nil, includeIgnored: Bool = false,
      now: Date = Date()
    ) {
      self.message = message
      self.agent = agent
      self.session = session
      self.includeIgnored = includeIgnored
      self.now = now
    }
  }

  /// A checkpoint just taken, with what its snapshot left out.
  public struct Taken: Sendable {
    public let checkpoint: Checkpoint
    /// One line per file or folder left out of the snapshot, or kept at its previous content (unreadable,
    /// larger than `octo.checkpoint.maxFileSize`, a name git refuses), e.g.
    /// `left out big.bin (30 MB > 10 MB octo.checkpoint.maxFileSize)`. Empty when everything was captured.
    public let warnings: [String]
    /// The paths whose content on disk the checkpoint does not hold (see ``SnapshotBuilder/Snapshot/leftOut``).
    public var leftOut: [String] = []
  }

  /// Snapshots the whole work tree and the index as a checkpoint; HEAD, `.git/index` and the files are
  /// left exactly as they are. Applies `octo.checkpoint.keep` afterwards (in batches: ``PruneSchedule``).
  @discardableResult
  public func take(_ request: Request) throws -> Checkpoint {
    try takeReporting(request).checkpoint
  }

  /// ``take(_:)``, also returning what the snapshot left out (a file it could not read never fails the
  /// checkpoint: it is left out and said here).
  @discardableResult
  public func takeReporting(_ request: Request) throws -> Taken {
    PhaseTimings.start()
    let snapshot = try SnapshotBuilder.snapshot(repository, includeIgnored: request.includeIgnored)
    var warnings = snapshot.warnings
    let checkpoint = try take(request, snapshot: snapshot, warnings: &warnings)
    // The checkpoint is written: pruning older ones failing (a ref locked by git meanwhile) is said, not fatal.
    do {
      let keep =
        try repository.config().int("octo.checkpoint.keep") ?? Int(
          DefaultSettings.value(of: "octo.checkpoint.keep") ?? "200") ?? 200
      let schedule = PruneSchedule(path: repository.gitDirectory + "/octo/checkpoint-prune")
      if keep > 0 {
        if schedule.isDue(keep: keep) {
          try prune(keep: keep, olderThan: nil, warnings: &warnings)
          schedule.pruned(keep: keep)
        }
      } else {
        // Counted again from nothing when a limit returns.
        schedule.forget()
        if keep < 0 {
          warnings.append("octo.checkpoint.keep is \(keep): nothing was pruned (0 keeps every checkpoint)")
        }
      }
    } catch {
      warnings.append("older checkpoints were not pruned (\(error)); octo-git checkpoints prune tries again")
    }
    PhaseTimings.mark("prune")
    PhaseTimings.report()
    return Taken(checkpoint: checkpoint, warnings: warnings, leftOut: snapshot.leftOut)
  }

  /// Takes a checkpoint of a snapshot made already (a restore compares it with its target first, so the
  /// undo checkpoint holds exactly the state the restore changed). `octo.checkpoint.keep` is left to the
  /// caller (``takeReporting(_:)`` prunes; a restore's undo checkpoint leaves it to the checkpoints after it:
  /// the restore is waited for).
  ///
  /// A note that cannot be written (the notes ref damaged, as a bad fetch can leave it) is said in
  /// `warnings`: the checkpoint is its commit and ref, and is listed and restored without its note.
  @discardableResult
  func take(_ request: Request, snapshot: SnapshotBuilder.Snapshot, warnings: inout [String]) throws -> Checkpoint {
    let head = try repository.head()
    let headCommit = head.commit
    let headDetails = try headCommit.map { try repository.commit($0) }
    let headTree = headDetails?.tree
    let signature = repository.signatureOrOctoGit()
    var stamp = signature
    stamp.time = request.now

    // The index commit carries HEAD's time (the epoch on an unborn branch), not the checkpoint's: the same
    // staged state over the same HEAD is then the same commit, stored already, rather than one more object
    // written on every checkpoint.
    var indexStamp = signature
    indexStamp.time = headDetails?.committer.time ?? Date(timeIntervalSince1970: 0)
    let indexCommit = try repository.createCommit(
      tree: try snapshot.indexTree ?? headTree ?? repository.createTree([]), parents: headCommit.map { [$0] } ?? [],
      message: "index at checkpoint\n", author: indexStamp)
    let subject = request.message.isEmpty ? "checkpoint" : request.message
    // The random trailer makes every checkpoint its own commit: two taken in the same second of the same
    // state would otherwise be one commit, and their ids one id.
    let commit = try repository.createCommit(
      tree: snapshot.tree, parents: (headCommit.map { [$0] } ?? []) + [indexCommit],
      message: "\(Self.subjectPrefix)\(subject)\n\n\(Self.nonceTrailer): \(Self.nonce())\n", author: stamp)

    let counts = try changeCounts(headTree: headTree, snapshot: snapshot)
    let (changed, untracked) = (counts.changed, counts.untracked)

    PhaseTimings.mark("commits")
    let milliseconds = Int64((request.now.timeIntervalSince1970 * 1000).rounded(.down))
    // 13 characters, zero-padded, as printf's %013lld writes them (a clock before 1970 gives a sign first).
    let digits = String(milliseconds.magnitude)
    let width = milliseconds < 0 ? 12 : 13
    let ref =
      refFolder + (milliseconds < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
      + "-" + commit.abbreviated(12)
      + (request.isRestoreUndo ? Self.undoRefSuffix : "")
    let checkpoint = Checkpoint(
      id: commit, ref: ref, at: request.now, message: request.message, agent: request.agent, session: request.session,
      head: headCommit, branch: head.branch, worktree: location.key, changed: changed, untracked: untracked,
      index: snapshot.indexTree == nil ? nil : indexCommit)
    // The note before the ref: a checkpoint another process prunes as soon as its ref is there (its name's
    // time is when it began, and others may have finished since) then loses its note with it. Written after,
    // the note outlived the ref, and no prune would ever remove it.
    var noted = false
    do {
      try repository.updateNote(on: commit, ref: Checkpoint.notesRef, author: signature) { _ in checkpoint.line + "\n" }
      noted = true
    } catch let error as GitError {
      warnings.append(
        "the checkpoint's note could not be written to \(Checkpoint.notesRef) (\(error.message)); the checkpoint "
          + "is taken; octo-git doctor says whether the ref is damaged")
    }
    do {
      try repository.updateReference(ref, to: commit, expecting: nil, message: "octo-git checkpoint")
    } catch {
      if noted { _ = try? repository.removeNotes(on: [commit], ref: Checkpoint.notesRef, author: signature) }
      throw error
    }
    PhaseTimings.mark("refs")
    return checkpoint
  }

  /// Files on disk that differ from HEAD, and among them those git does not track (added since HEAD and
  /// absent from the staged state); kept for the next checkpoint of the same trees (``ChangeCounts``).
  private func changeCounts(headTree: Oid?, snapshot: SnapshotBuilder.Snapshot) throws -> ChangeCounts {
    let path = repository.gitDirectory + "/octo/checkpoint-counts"
    let key = snapshot.indexTree.map { ChangeCounts.Key(head: headTree, tree: snapshot.tree, index: $0) }
    if let key, let kept = ChangeCounts.load(path, for: key) { return kept }
    let fromHead = try repository.changedPaths(from: headTree, to: snapshot.tree)
    let added = fromHead.filter { $0.oldID == nil }
    var untracked = 0
    if !added.isEmpty, let indexTree = snapshot.indexTree {
      let unstaged = Set(
        try repository.changedPaths(from: indexTree, to: snapshot.tree).lazy.filter { $0.oldID == nil }.map(\.path))
      untracked = added.count { unstaged.contains($0.path) }
    } else if !added.isEmpty {
      let index = try snapshot.realIndex.get()
      untracked = added.count { index.entry(at: $0.path) == nil }
    }
    let counts = ChangeCounts(changed: fromHead.count - untracked, untracked: untracked)
    if let key { counts.save(path, for: key) }
    return counts
  }

  /// Ends the ref name of the checkpoint a restore takes of what it replaces. `latest` passes over these: a
  /// restore of `latest` run twice (an agent retrying) would otherwise bring back what the first one undid.
  static let undoRefSuffix = "-undo"

  /// The first line of a checkpoint commit's message begins with this, then the checkpoint's message.
  static let subjectPrefix = "octo-git checkpoint: "
  /// The trailer of a checkpoint commit's message holding a random value.
  static let nonceTrailer = "Octo-Checkpoint"

  /// 32 random hex digits (128 bits from the system's secure generator).
  static func nonce() -> String {
    let digits = Array("0123456789abcdef")
    var text = ""
    text.reserveCapacity(32)
    for _ in 0..<32 { text.append(digits[Int.random(in: 0..<16)]) }
    return text
  }

  // MARK: - Listing and finding

  /// This work tree's checkpoints (every worktree's with `allWorktrees`), newest first.
  public func list(allWorktrees: Bool = false) throws -> [Checkpoint] {
    let refs = try repository.references(matching: (allWorktrees ? Checkpoint.refPrefix : refFolder) + "*")
    // One walk over the notes gives every metadata blob; then only those blobs are read.
    var blobs: [Oid: Oid] = [:]
    // A damaged notes ref (doctor reports it) leaves every checkpoint to what its commit and ref tell.
    for note in (try? repository.notes(ref: Checkpoint.notesRef)) ?? [] { blobs[note.annotated] = note.blob }
    var checkpoints: [Checkpoint] = []
    for reference in refs {
      if let blob = blobs[reference.target],
        let checkpoint = try? Checkpoint(
          id: reference.target, ref: reference.name,
          note: String(decoding: try repository.blobContent(blob), as: UTF8.self))
      {
        checkpoints.append(checkpoint)
      } else if let checkpoint = try? fallback(reference) {
        // A ref that names no commit (written by hand, or fetched) is no checkpoint: left out, not fatal.
        checkpoints.append(checkpoint)
      }
    }
    return checkpoints.sorted { ($0.at, $0.ref) > ($1.at, $1.ref) }
  }

  /// The time a checkpoint ref's name begins with (milliseconds since 1970, as octo-git names them), as
  /// text of fixed width for ordering; `nil` for a name octo-git did not write.
  static func stamp(of name: String) -> String? {
    let bytes = name.utf8
    let start = bytes.lastIndex(of: UInt8(ascii: "/")).map { bytes.index(after: $0) } ?? bytes.startIndex
    var end = start
    while end < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) {
      end = bytes.index(after: end)
    }
    let count = bytes.distance(from: start, to: end)
    guard count > 0, count <= 19, end == bytes.endIndex || bytes[end] == UInt8(ascii: "-") else { return nil }
    return String(repeating: "0", count: 19 - count) + String(decoding: bytes[start..<end], as: UTF8.self)
  }

  /// Checkpoint refs newest first by the time their names begin with; refs octo-git did not name come last.
  static func newestFirst(_ refs: [ReferenceValue]) -> [ReferenceValue] {
    refs.map { (stamp: stamp(of: $0.name) ?? "", ref: $0) }
      .sorted { ($0.stamp, $0.ref.name) > ($1.stamp, $1.ref.name) }.map(\.ref)
  }

  /// A checkpoint whose note is missing (deleted, or not fetched): what its commit and ref tell.
  func fallback(_ reference: ReferenceValue) throws -> Checkpoint {
    let commit = try repository.commit(reference.target)
    let name = reference.name.dropFirst(Checkpoint.refPrefix.count)
    let worktree = name.split(separator: "/").dropLast().joined(separator: "/")
    // The subject line only: the trailer below it is no message.
    let summary = commit.summary
    let message = summary.hasPrefix(Self.subjectPrefix) ? String(summary.dropFirst(Self.subjectPrefix.count)) : summary
    return Checkpoint(
      id: reference.target, ref: reference.name, at: commit.committer.time,
      message: message, agent: nil, session: nil,
      head: commit.parents.count > 1 ? commit.parents.first : nil, branch: nil, worktree: worktree, changed: 0,
      untracked: 0, index: commit.parents.last)
  }

  /// Finds a checkpoint by `latest`, `latest~N` (this work tree's, not counting the checkpoints restores
  /// took of what they replaced), or a unique prefix of its id (any work tree's).
  ///
  /// - Throws: ``OctoError`` (bad input) for an unknown id, listing the most recent ones, or an ambiguous
  ///   one, listing the candidates.
  public func find(_ id: String) throws -> Checkpoint {
    let text = id.trimmingCharacters(in: .whitespaces).lowercased()
    // Only the refs are listed (their names begin with the time in milliseconds): the one checkpoint found
    // is the only one whose note is read.
    let newestFirst = Self.newestFirst
    if text == "latest" || text.hasPrefix("latest~") {
      let back = text == "latest" ? 0 : Int(text.dropFirst("latest~".count))
      guard let back, back >= 0 else {
        throw OctoError.badInput("'\(id)' is not a checkpoint id", hint: "use latest, latest~N or an id prefix")
      }
      // A ref that names no commit is no checkpoint: passed over.
      var found = 0
      var undos = 0
      for reference in newestFirst(try repository.references(matching: refFolder + "*")) {
        if reference.name.hasSuffix(Self.undoRefSuffix) {
          undos += 1
          continue
        }
        guard let checkpoint = try? checkpoint(of: reference) else { continue }
        if found == back { return checkpoint }
        found += 1
      }
      if found == 0 && undos > 0 {
        throw OctoError.badInput(
          "this work tree has only the checkpoints restores took of what they replaced",
          hint: "name one by its id (octo-git checkpoints list)")
      }
      throw OctoError.badInput(
        found == 0
          ? "this work tree has no checkpoints"
          : "there \(found == 1 ? "is only 1 checkpoint" : "are only \(found) checkpoints") here",
        hint: found == 0 ? "take one with octo-git checkpoint" : "latest~\(found - 1) is the oldest")
    }
    guard text.count >= 4, text.allSatisfy(\.isHexDigit) else {
      throw OctoError.badInput(
        "'\(id)' is not a checkpoint id", hint: "use latest, latest~N, or at least 4 digits of an id")
    }
    let all = newestFirst(try repository.references(matching: Checkpoint.refPrefix + "*"))
    let matches = all.filter { $0.target.hex.hasPrefix(text) }
    // Several refs on one commit (two checkpoints of one state in one second, before checkpoint commits
    // got a random trailer) are one checkpoint: the newest ref stands for it.
    if let newest = matches.first, matches.allSatisfy({ $0.target == newest.target }) {
      return try checkpoint(of: newest)
    }
    if matches.isEmpty {
      let recent = try all.prefix(5).map { try checkpoint(of: $0) }.map { "\($0.id.abbreviated()) \($0.message)" }
        .joined(separator: "; ")
      throw OctoError.badInput(
        "no checkpoint matches '\(id)'", hint: recent.isEmpty ? "there are no checkpoints yet" : "recent: \(recent)")
    }
    let distinct = matches.reduce(into: [Oid]()) { if !$0.contains($1.target) { $0.append($1.target) } }
    throw OctoError.badInput(
      "'\(id)' matches \(distinct.count) checkpoints",
      hint: "give more digits: " + distinct.map { $0.abbreviated() }.joined(separator: ", "))
  }

  /// The checkpoint `reference` names, from its note (or, without one, from its commit and ref).
  func checkpoint(of reference: ReferenceValue) throws -> Checkpoint {
    if let note = try? repository.note(on: reference.target, ref: Checkpoint.notesRef),
      let checkpoint = try? Checkpoint(id: reference.target, ref: reference.name, note: note)
    {
      return checkpoint
    }
    return try fallback(reference)
  }

  // MARK: - Pruning

  /// Deletes this work tree's checkpoints beyond the newest `keep` and older than `olderThan` (by one rule
  /// when only one is given); returns the ids deleted. Works from the refs alone (their names begin with the
  /// time in milliseconds), so it stays cheap however many checkpoints there are. Refs are deleted with
  /// compare-and-swap; a commit's note is removed once no checkpoint ref (of any work tree) points at the
  /// commit; when the notes cannot be changed (a damaged notes ref), the checkpoints are deleted all the
  /// same and `warnings` says so.
  @discardableResult
  public func prune(keep: Int?, olderThan: TimeInterval?, now: Date = Date(), warnings: inout [String]) throws
    -> [Oid]
  {
    // Every work tree's checkpoints, listed once: this work tree's are pruned, and a deleted checkpoint's note
    // stays while another ref still points at its commit.
    let all = try repository.references(matching: Checkpoint.refPrefix + "*")
    // Refs octo-git did not name are never pruned, nor counted among those kept; the others' names begin
    // with 13 digits of milliseconds, so their names sort as their times. (Whether each names a commit is
    // not asked: 200 object reads would cost every checkpoint ~2 ms.)
    let refs = all.filter { $0.name.hasPrefix(refFolder) && Self.stamp(of: $0.name) != nil }.sorted {
      $0.name > $1.name
    }
    // `keep` counts the checkpoints `latest` counts; a restore's undo checkpoint goes with the checkpoints
    // older than it, so the newest `latest` reaches is never pruned for one.
    var doomed: [ReferenceValue] = []
    var kept = 0
    // With both rules, the newest `keep` stay whatever their age: a checkpoint goes past both.
    for reference in refs {
      let stamp = reference.name.dropFirst(refFolder.count).prefix { $0 != "-" }
      let taken = Double(stamp).map { Date(timeIntervalSince1970: $0 / 1000) }
      let beyond = keep.map { kept >= $0 }
      let older = olderThan.map { limit in taken.map { now.timeIntervalSince($0) > limit } ?? false }
      if beyond ?? true, older ?? true, beyond != nil || older != nil {
        doomed.append(reference)
      } else if !reference.name.hasSuffix(Self.undoRefSuffix) {
        kept += 1
      }
    }
    let signature = repository.signatureOrOctoGit()
    var deleted: [Oid] = []
    var deletedNames: Set<String> = []
    for reference in doomed {
      do {
        try repository.deleteReference(reference.name, expecting: reference.target)
      } catch let error as GitError where error.isNotFound || error.isConcurrentUpdate {
        continue  // another prune got there first
      }
      deleted.append(reference.target)
      deletedNames.insert(reference.name)
    }
    if !deleted.isEmpty {
      let remaining = Set(all.lazy.filter { !deletedNames.contains($0.name) }.map(\.target))
      do {
        try repository.removeNotes(
          on: deleted.filter { !remaining.contains($0) }, ref: Checkpoint.notesRef, author: signature)
      } catch {
        // The notes are metadata: the checkpoints are gone whatever they say.
        warnings.append(
          "the notes of the pruned checkpoints were left in \(Checkpoint.notesRef) (\(error)); octo-git doctor says "
            + "what to do with that ref")
      }
    }
    return deleted
  }
}

@available(*, unavailable)
extension Checkpoints: Sendable {}
