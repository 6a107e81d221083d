import CGit2
import Foundation

/// One note of a notes ref: the object it annotates and the blob holding its text.
public struct NoteEntry: Equatable, Sendable {
  public let annotated: Oid
  public let blob: Oid
  /// When the notes tree names the object more than once (flat and fanned out, as a tool other than git can
  /// write it): the blobs of the other entries, to read after `blob` (the last entry's), last first, as git
  /// reads them one after the other.
  public var otherBlobs: [Oid] = []
}

/// What ``Repository/updateNote(on:ref:author:maxAttempts:_:)`` did.
public struct NoteUpdate: Equatable, Sendable {
  /// The notes commit the ref points at afterwards (unchanged when nothing was written).
  public let notesCommit: Oid?
  /// Whether a new notes commit was published.
  public let changed: Bool
  /// How many compare-and-swap attempts it took (1 when nobody raced).
  public let attempts: Int
}

extension Repository {
  /// The text of the note on `target` in the notes ref `ref` (e.g. `refs/notes/octo/usage`); `nil` when
  /// there is none. Read as every report reads notes trees (``note(on:inNotesTree:)``, not libgit2's note
  /// reader, which takes links for notes and one of two entries naming the object).
  public func note(on target: Oid, ref: String) throws -> String? {
    guard let tip = try reference(ref)?.target,
      let entry = try note(on: target, inNotesTree: try commit(tip).tree)
    else { return nil }
    return try text(of: entry)
  }

  /// A note's text, as ``ObjectDatabase/appendText(of:to:)`` assembles it.
  ///
  /// - Throws: ``OctoError`` naming the note when a blob is not in this clone (a notes tree pushed without
  ///   its blobs).
  func text(of entry: NoteEntry) throws -> String {
    var bytes: [UInt8] = []
    guard try objectDatabase().appendText(of: entry, to: &bytes) == 0 else {
      throw OctoError(
        "the note on \(entry.annotated.abbreviated()) names a blob which this clone does not have",
        hint: "fetch the notes again (octo-git notes sync); reports count it as a line they cannot read")
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The notes in `ref` on each of `commits` that has one. Many commits are served from one walk of the
  /// notes tree (looking each up would resolve the notes ref again every time).
  public func notes(on commits: [Oid], ref: String) throws -> [Oid: String] {
    var texts: [Oid: String] = [:]
    if commits.count <= 16 {
      for commit in commits { texts[commit] = try note(on: commit, ref: ref) }
      return texts
    }
    let wanted = Set(commits)
    for entry in try notes(ref: ref) where wanted.contains(entry.annotated) {
      texts[entry.annotated] = try text(of: entry)
    }
    return texts
  }

  /// Every note in `ref`; empty when the ref does not exist. Read straight from the notes trees
  /// (``notes(inNotesCommit:)``): libgit2's note iterator took 8 ms for 200 notes, the trees 0.2 ms.
  public func notes(ref: String) throws -> [NoteEntry] {
    guard let tip = try reference(ref)?.target else { return [] }
    return try notes(inNotesCommit: tip)
  }

  /// Rewrites the note on `target` in `ref` as `transform` says, given its current text (`nil`: no note).
  /// Returning `nil` removes the note; returning the text unchanged writes nothing.
  ///
  /// The new notes commit is published with compare-and-swap on `ref`; when another writer moved the ref
  /// meanwhile, the note is read again and `transform` runs again, up to `maxAttempts` times. Nothing
  /// written by others is ever overwritten.
  @discardableResult
  public func updateNote(
    on target: Oid, ref: String, author: Signature, maxAttempts: Int = 50,
    _ transform: (String?) throws -> String?
  ) throws -> NoteUpdate {
    let signature = try author.makeHandle()
    var oid = target.raw
    var attempt = 0
    while true {
      attempt += 1
      let tip = try reference(ref)?.target
      let parent = try tip.map { try commitHandle($0) }
      var existing: String?
      if let parent {
        var raw: OpaquePointer?
        let result = git_note_commit_read(&raw, pointer, parent.pointer, &oid)
        if result != GIT_ENOTFOUND.rawValue {
          try GitError.check(result, "read the \(ref) note on \(target.abbreviated())")
          let note = NoteHandle(raw!)
          existing = git_note_message(note.pointer).map { String(cString: $0) } ?? ""
        }
      }
      let wanted = try transform(existing)
      if wanted == existing {
        return NoteUpdate(notesCommit: tip, changed: false, attempts: attempt)
      }
      var commit = git_oid()
      if let wanted {
        var blob = git_oid()
        try GitError.check(
          git_note_commit_create(
            &commit, &blob, pointer, parent?.pointer, signature.pointer, signature.pointer, &oid, wanted, 1),
          "write the \(ref) note on \(target.abbreviated())")
      } else if let parent {
        try GitError.check(
          git_note_commit_remove(&commit, pointer, parent.pointer, signature.pointer, signature.pointer, &oid),
          "remove the \(ref) note on \(target.abbreviated())")
      }
      if try publishNotes(
        ref, at: Oid(commit), expecting: tip, message: "octo-git: note on \(target.abbreviated())", attempt: attempt,
        of: maxAttempts)
      {
        return NoteUpdate(notesCommit: Oid(commit), changed: true, attempts: attempt)
      }
    }
  }

  /// Moves the notes ref `ref` from `tip` to `commit` (compare-and-swap). `false` when another writer moved it
  /// first and attempts remain: the caller reads the ref again and retries, after a randomised wait (and
  /// with a lock file its dead writer left removed). Past `maxAttempts`, the conflict is thrown.
  func publishNotes(
    _ ref: String, at commit: Oid, expecting tip: Oid?, message: String, attempt: Int, of maxAttempts: Int
  ) throws -> Bool {
    do {
      try updateReference(ref, to: commit, expecting: tip, message: message)
      return true
    } catch let error as GitError where error.isConcurrentUpdate && attempt < maxAttempts {
      if error.code == GIT_ELOCKED.rawValue { removeStaleLock(of: ref) }
      Self.backOff(attempt: attempt)
      return false
    }
  }

  /// How old a reference's lock file must be before it is taken for the leftover of a killed process.
  /// Updating a ref holds its lock for well under a millisecond.
  static let staleLockAge: TimeInterval = 5

  /// Removes `<ref>.lock` when it is older than ``staleLockAge``: its writer died (killed, or the machine
  /// went down) and git would refuse every update of the ref until someone deleted it by hand.
  func removeStaleLock(of ref: String) {
    let lock = commonDirectory + "/" + ref + ".lock"
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: lock),
      let modified = attributes[.modificationDate] as? Date, Date().timeIntervalSince(modified) > Self.staleLockAge
    else { return }
    unlink(lock)
  }

  /// Waits a short, growing, randomised time before a compare-and-swap retry, so racing writers spread out.
  static func backOff(attempt: Int) {
    let ceiling = min(50_000, 500 << min(attempt, 7))
    usleep(UInt32(Int.random(in: ceiling / 2...ceiling)))
  }
}
