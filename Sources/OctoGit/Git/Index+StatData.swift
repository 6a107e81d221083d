import CGit2
import Foundation

/// What an index records of one file beside its id: the stat data git compares to tell whether the file
/// may have changed since it was hashed.
struct RecordedStat: Equatable {
  var size: UInt64
  var inode: UInt64
  var mtimeSeconds: Int64
  var mtimeNanoseconds: Int64
  var ctimeSeconds: Int64
  var ctimeNanoseconds: Int64

  /// No stat data (a gitlink's: only its commit is compared).
  static let none = RecordedStat(
    size: 0, inode: 0, mtimeSeconds: 0, mtimeNanoseconds: 0, ctimeSeconds: 0, ctimeNanoseconds: 0)
}

extension Index {
  /// Calls `body` with every stage-0 entry: its path (a C string valid during the call), mode, id, stat
  /// data, and whether it is marked skip-worktree (outside a sparse checkout's cone).
  func forEachEntry(_ body: (UnsafePointer<CChar>, UInt32, Oid, RecordedStat, Bool) throws -> Void) rethrows {
    for position in 0..<git_index_entrycount(pointer) {
      guard let raw = git_index_get_byindex(pointer, position), git_index_entry_stage(raw) == 0 else { continue }
      let entry = raw.pointee
      let stat = RecordedStat(
        size: UInt64(entry.file_size), inode: UInt64(entry.ino), mtimeSeconds: Int64(entry.mtime.seconds),
        mtimeNanoseconds: Int64(entry.mtime.nanoseconds), ctimeSeconds: Int64(entry.ctime.seconds),
        ctimeNanoseconds: Int64(entry.ctime.nanoseconds))
      let skip = entry.flags_extended & UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue) != 0
      try body(entry.path, entry.mode, Oid(entry.id), stat, skip)
    }
  }
}
