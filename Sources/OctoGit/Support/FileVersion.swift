import Foundation

/// Which version of a file this is: device, inode, size and modification time. A file saved by writing a
/// new file and renaming it over the old one (the snapshot state) is a new version after every save.
struct FileVersion: Equatable, Sendable {
  var device: UInt64
  var inode: UInt64
  var size: Int64
  var seconds: Int64
  var nanoseconds: Int64

  init(device: UInt64, inode: UInt64, size: Int64, seconds: Int64, nanoseconds: Int64) {
    self.device = device
    self.inode = inode
    self.size = size
    self.seconds = seconds
    self.nanoseconds = nanoseconds
  }

  init(_ status: stat) {
    self.init(
      device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
      seconds: Int64(status.st_mtim.tv_sec), nanoseconds: Int64(status.st_mtim.tv_nsec))
  }

  /// The version of the file at `path` now (a symlink is not followed); `nil` when there is none.
  init?(path: String) {
    var status = stat()
    guard lstat(path, &status) == 0 else { return nil }
    self.init(status)
  }

  /// A version no file has (no inode is 0): matches nothing found on disk.
  static let unknown = FileVersion(device: 0, inode: 0, size: 0, seconds: 0, nanoseconds: 0)
}
