import Foundation

/// The usage ledger of one work tree: records usage as pending, attaches it to commits as notes, and
/// keeps the cache of the notes current.
public final class Ledger {
  public let repository: Repository
  public let store: LedgerStore
  public let location: WorktreeLocation

  /// `busySeconds`: how long to wait for another process writing the ledger.
  public init(repository: Repository, busySeconds: TimeInterval = 10) throws {
    self.repository = repository
    self.location = WorktreeLocation(repository)
    self.store = try LedgerStore.open(commonDirectory: repository.commonDirectory, busySeconds: busySeconds)
  }

  // MARK: - Recording

  /// The context octo-git fills into events that do not say otherwise: a fresh id, now, this work tree's
  /// branch, the git user, this machine.
  public func defaults(now: Date = Date()) throws -> UsageEvent {
    let config = try repository.config()
    let user =
      try config.string("user.email") ?? config.string("user.name") ?? ProcessInfo.processInfo.environment["USER"]
    // During a rebase HEAD is detached on the commits it replays: the work is the rebased branch's.
    let branch = try repository.head().branch ?? location.rebasedBranch
    return UsageEvent(
      id: "r-" + UUID().uuidString.lowercased(), at: now, model: "", tokens: TokenCounts(), user: user,
      machine: ProcessInfo.processInfo.hostName, branch: branch,
      feature: try Features(repository: repository).slug(ofBranch: branch))
  }

  /// Prices `events` and stores them as pending for this work tree, all or none. An event whose id is
  /// already recorded (pending, or in a commit's usage note) is left as it was and reported in
  /// ``PendingAddition/alreadyRecorded``: recording the same id again changes nothing.
  @discardableResult
  public func record(_ events: [UsageEvent], prices: PriceTable) throws -> PendingAddition {
    // Ids already in a note are found through the cache: bring it up to date first (one ref read when the
    // notes did not move). A cache that cannot be refreshed must not stop usage from being recorded.
    _ = try? store.refreshCache(from: repository)
    let priced = events.map { $0.priced(with: prices) }
    let addition = try store.addPending(priced, worktree: location.key)
    if !addition.added.isEmpty { location.markPending() }
    return addition
  }

  /// Removes pending events recorded by mistake (exact ids, or unique starts of ids), all or none, and
  /// returns them. Committed usage is never dropped: an id already in a usage note is refused by name (the
  /// cache is brought up to date first, so it knows every note).
  @discardableResult
  public func dropPending(_ ids: [String]) throws -> DroppedPending {
    _ = try? store.refreshCache(from: repository)
    let dropped = try store.dropPending(ids: ids)
    try settleMarker()
    return dropped
  }

  // MARK: - Attaching

  /// What ``attachPending(to:)`` did.
  public struct Attachment: Equatable, Sendable {
    /// Events written into notes, by commit.
    public var attached: [String: Int] = [:]
    public var total: Int { attached.values.reduce(0, +) }
  }

  /// Attaches this work tree's pending events to `commit` as lines of its usage note, then forgets them.
  ///
  /// Crash-safe in three steps: the events are first claimed for `commit` in the database; the note is
  /// then written (adding only ids it does not hold yet, with compare-and-swap on the notes ref); only
  /// then are they removed. A run interrupted anywhere is finished by the next one, which attaches
  /// earlier claims to the commit they were claimed for: no event is lost or attached twice.
  @discardableResult
  public func attachPending(to commit: Oid, author: Signature? = nil) throws -> Attachment {
    let claims = try store.claimPending(
      worktree: location.key, for: commit.hex, recordedSince: location.createdMilliseconds)
    return try attach(claims, fallback: commit, author: author)
  }

  /// Attaches the events recorded in each window (milliseconds, from `since` up to but not including
  /// `before`) to that window's commit, the way ``attachPending(to:author:)`` attaches (crash-safe, claims
  /// first); events recorded outside every window stay pending.
  @discardableResult
  public func attachPending(windows: [(commit: Oid, since: Int64, before: Int64)], author: Signature? = nil) throws
    -> Attachment
  {
    guard let last = windows.last else { return Attachment() }
    let created = location.createdMilliseconds ?? 0
    let claims = try store.claimPending(
      worktree: location.key, windows: windows.map { ($0.commit.hex, max($0.since, created), $0.before) })
    return try attach(claims, fallback: last.commit, author: author)
  }

  /// Writes `claims` (events by the commit they were claimed for) into notes, then forgets them; a claim
  /// whose commit is gone goes to `fallback`.
  private func attach(_ claims: [String: [UsageEvent]], fallback commit: Oid, author: Signature?) throws -> Attachment {
    var result = Attachment()
    var remaining = 0
    let signature = author ?? noteSignature()
    for (target, events) in claims.sorted(by: { $0.key < $1.key }) {
      guard let targetID = Oid(hex: target), repository.objectExists(targetID) else {
        // The commit it was claimed for is gone (e.g. the repository was rewritten): attach to `commit`.
        try repository.updateNote(on: commit, ref: UsageNote.ref, author: signature) {
          UsageNote.merging($0, adding: events)
        }
        remaining = try store.removePending(ids: events.map(\.id), worktree: location.key)
        result.attached[commit.hex, default: 0] += events.count
        continue
      }
      try repository.updateNote(on: targetID, ref: UsageNote.ref, author: signature) {
        UsageNote.merging($0, adding: events)
      }
      remaining = try store.removePending(ids: events.map(\.id), worktree: location.key)
      result.attached[target, default: 0] += events.count
    }
    // In a linked worktree what remains may be a removed one's, which keeps no marker.
    if remaining == 0 || location.createdMilliseconds != nil { try settleMarker() }
    return result
  }

  /// Removes the pending marker when nothing is pending any more. A recorder that stored an event
  /// meanwhile re-creates the marker after storing, and the count is checked again after removal, so
  /// the marker is never missing while something is pending.
  ///
  /// Events a removed worktree of the same name left (recorded before this one was added) attach nowhere:
  /// they keep no marker, or every commit here would open the ledger for nothing.
  func settleMarker() throws {
    let claimable = (location.createdMilliseconds ?? 0)..<Int64.max
    guard try store.pendingCount(worktree: location.key, recorded: claimable) == 0 else { return }
    location.clearPendingMark()
    if try store.pendingCount(worktree: location.key, recorded: claimable) > 0 { location.markPending() }
  }

  /// The identity notes commits are written with: the git user, else octo-git itself.
  func noteSignature() -> Signature {
    repository.signatureOrOctoGit()
  }
}

@available(*, unavailable)
extension Ledger: Sendable {}
