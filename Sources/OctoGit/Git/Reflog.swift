import CGit2
import Foundation

/// One entry of a reference's reflog: the reference moved from `old` to `new`, by `committer`, with git's
/// message saying what moved it (`commit: <subject>`, `merge origin/main: Fast-forward`, `clone: from …`).
public struct ReflogEntry: Equatable, Sendable {
  public let old: Oid
  public let new: Oid
  /// What git wrote; empty when it wrote nothing.
  public let message: String
  public let committer: Signature
}

/// A reference's reflog as libgit2 read it. Owns its `git_reflog` handle, freed in `deinit`; callers only
/// ever see ``ReflogEntry`` values (see ``Repository/reflog(of:)``).
final class Reflog {
  let pointer: OpaquePointer

  /// Reads the reflog of `reference` (a full name such as `refs/heads/main`, or `HEAD`). A reference with
  /// no reflog gives an empty one (libgit2 does not tell the two apart).
  init(_ repository: Repository, reference: String) throws {
    pointer = try makeHandle("read the reflog of \(reference)") { git_reflog_read(&$0, repository.pointer, reference) }
  }

  deinit { git_reflog_free(pointer) }

  var count: Int { Int(git_reflog_entrycount(pointer)) }

  /// The entries, newest first (as `git reflog` lists them); at most `limit`.
  func entries(limit: Int = .max) -> [ReflogEntry] {
    var result: [ReflogEntry] = []
    let wanted = min(count, limit)
    result.reserveCapacity(wanted)
    for index in 0..<wanted {
      guard let entry = git_reflog_entry_byindex(pointer, index) else { continue }
      result.append(
        ReflogEntry(
          old: Oid(git_reflog_entry_id_old(entry)!), new: Oid(git_reflog_entry_id_new(entry)!),
          message: git_reflog_entry_message(entry).map { String(cString: $0) } ?? "",
          committer: Signature(git_reflog_entry_committer(entry)!)))
    }
    return result
  }
}

@available(*, unavailable)
extension Reflog: Sendable {}

extension Repository {
  /// The reflog of `reference` (e.g. `refs/heads/main`), newest first; empty when it has none (never
  /// written, expired, `core.logAllRefUpdates` off).
  public func reflog(of reference: String, limit: Int = .max) throws -> [ReflogEntry] {
    try Reflog(self, reference: reference).entries(limit: limit)
  }
}
