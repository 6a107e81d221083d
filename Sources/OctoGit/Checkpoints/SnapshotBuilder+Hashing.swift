import CShims
import Foundation

/// Hashing what a snapshot finds changed, and telling from stat data whether a file may have changed.
extension SnapshotBuilder {
  /// Hashes the work-tree file at `path` (``RawPath`` form) as git would and returns what to record, or
  /// `nil` when it is gone (or no longer a file git records: a folder, a pipe, a socket, a device). Throws
  /// when the file is there but cannot be read (or a filter refuses it).
  static func hash(
    _ path: String, _ now: octo_path_stat, previousMode: UInt32?, in repository: Repository, trustFileMode: Bool,
    unfiltered: Bool
  ) throws -> SnapshotState.Record? {
    let mode: UInt32
    switch now.mode & UInt32(S_IFMT) {
    case UInt32(S_IFLNK):
      mode = EntryMode.symlink.rawValue
    case UInt32(S_IFREG):
      if trustFileMode || previousMode == nil || previousMode == EntryMode.symlink.rawValue
        || previousMode == EntryMode.gitlink.rawValue
      {
        mode = now.mode & 0o100 != 0 ? EntryMode.executable.rawValue : EntryMode.blob.rawValue
      } else {
        mode = previousMode!
      }
    default:
      return nil
    }
    let id: Oid
    do {
      let bytes =
        unfiltered && mode != EntryMode.symlink.rawValue
        ? try repository.createBlob(fromBytesOf: path, limit: largestRawFile) : nil
      id = try bytes ?? repository.createBlob(fromWorkTree: path)
    } catch let error as GitError where error.isNotFound {
      return nil
    }
    let stat = RecordedStat(
      size: now.size, inode: now.inode, mtimeSeconds: now.mtime_seconds, mtimeNanoseconds: now.mtime_nanoseconds,
      ctimeSeconds: now.ctime_seconds, ctimeNanoseconds: now.ctime_nanoseconds)
    return SnapshotState.Record(path: path, mode: mode, skipWorktree: false, id: id, stat: stat)
  }

  /// Whether `found` (lstat now) may describe different content than what was `recorded` with `mode`.
  /// Sizes and inodes are compared in the 32 bits git's index keeps, nanoseconds only when recorded.
  static func statMoved(
    recorded: RecordedStat, mode: UInt32, found: octo_path_stat, racyAfter: (Int64, Int64), trustFileMode: Bool
  )
    -> Bool
  {
    let type = found.mode & UInt32(S_IFMT)
    switch mode {
    case EntryMode.symlink.rawValue:
      if type != UInt32(S_IFLNK) { return true }
    case EntryMode.blob.rawValue, EntryMode.executable.rawValue:
      if type != UInt32(S_IFREG) { return true }
      if trustFileMode && (mode == EntryMode.executable.rawValue) != (found.mode & 0o100 != 0) { return true }
    default:
      return true
    }
    if UInt32(truncatingIfNeeded: recorded.size) != UInt32(truncatingIfNeeded: found.size) { return true }
    if recorded.inode != 0 && UInt32(truncatingIfNeeded: recorded.inode) != UInt32(truncatingIfNeeded: found.inode) {
      return true
    }
    if recorded.mtimeSeconds != found.mtime_seconds { return true }
    if recorded.mtimeNanoseconds != 0 && recorded.mtimeNanoseconds != found.mtime_nanoseconds { return true }
    if recorded.ctimeSeconds != found.ctime_seconds { return true }
    if recorded.ctimeNanoseconds != 0 && recorded.ctimeNanoseconds != found.ctime_nanoseconds { return true }
    // Modified in the same clock tick as the data was written: it may have changed again unseen.
    return (found.mtime_seconds, found.mtime_nanoseconds) >= racyAfter
  }

  /// A file's modification time (seconds, nanoseconds), or `nil` when it does not exist.
  static func modificationTime(_ path: String) -> (Int64, Int64)? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    return (Int64(status.st_mtim.tv_sec), Int64(status.st_mtim.tv_nsec))
  }
}
