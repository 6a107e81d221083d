import Foundation

/// Folders as a scan last saw them, kept in a file so that the next scan reads only the folders that
/// changed: each folder's stat data (``Stamp``) and, for scans that need them, the names found in it.
///
/// A folder's modification time moves whenever a name in it is added, removed or renamed, so a folder
/// whose time and inode are what the cache recorded still holds the same names. A folder changed within a
/// second of the scan that recorded it may have changed again in the same clock tick: it is not trusted.
/// This is the idea of git's untracked cache.
struct FolderCache {
  /// A folder's stat data as recorded by a scan.
  struct Stamp: Equatable {
    var seconds: Int64
    var nanoseconds: Int64
    var inode: UInt64

    init(seconds: Int64, nanoseconds: Int64, inode: UInt64) {
      self.seconds = seconds
      self.nanoseconds = nanoseconds
      self.inode = inode
    }

    init(_ status: stat) {
      self.init(
        seconds: Int64(status.st_mtim.tv_sec), nanoseconds: Int64(status.st_mtim.tv_nsec), inode: UInt64(status.st_ino))
    }

    /// A stamp no folder on disk has (no inode is 0): a folder recorded with it is known to the cache
    /// (its parent need not be read to find it) but never current, so the next scan reads it again. For
    /// folders holding something a scan had to leave out, which must be looked at again next time.
    static let unknown = Stamp(seconds: 0, nanoseconds: 0, inode: 0)
  }

  struct Folder {
    var stamp: Stamp
    /// What the scan kept of the folder's entries (empty for scans that keep none).
    var names: [String] = []
  }

  var folders: [String: Folder] = [:]
  /// When the scan that made the cache started (seconds since 1970).
  var scannedAt: TimeInterval

  init(scannedAt: TimeInterval) { self.scannedAt = scannedAt }

  /// Whether `folder`, whose stat data is now `stamp`, still holds what the cache recorded of it.
  func isCurrent(_ folder: String, _ stamp: Stamp) -> Bool {
    guard let recorded = folders[folder]?.stamp, recorded == stamp, recorded != .unknown else { return false }
    return stamp.seconds < Int64(scannedAt.rounded(.down)) - 1
  }

  // File: a header line "octo-git folders 2\t<scannedAt>\t<tag>" ending in NUL, then per folder
  // "<seconds> <nanoseconds> <inode> <name count> <path>" and each name, every one ending in NUL (paths and
  // names may hold any byte but NUL). Paths are written as the UTF-8 of their strings and read back the
  // same way, so a path in ``RawPath`` form (a name that is not UTF-8) comes back exactly.

  /// The cache at `path`, when it was written with the same `tag` (what the scan depends on besides the
  /// folders: ignore rules, a file suffix).
  static func load(_ path: String, tag: String) -> FolderCache? {
    guard let storage = FileBuffer.read(path) else { return nil }
    defer { storage.deallocate() }
    let bytes = UnsafeBufferPointer(storage.bindMemory(to: UInt8.self))
    var position = 0
    func field() -> String? {
      var end = position
      while end < bytes.count, bytes[end] != 0 { end += 1 }
      guard end < bytes.count else { return nil }
      defer { position = end + 1 }
      return String(decoding: bytes[position..<end], as: UTF8.self)
    }
    /// The decimal number at `position`, which must end with a space.
    func number() -> Int64? {
      var value: Int64 = 0
      var digits = 0
      while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
        value = value &* 10 &+ Int64(bytes[position] - 48)
        position += 1
        digits += 1
      }
      // Nineteen digits always fit in 63 bits only up to 9.2e18: longer is damage, not a number.
      guard digits > 0, digits <= 18, position < bytes.count, bytes[position] == 32 else { return nil }
      position += 1
      return value
    }
    guard let header = field()?.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false),
      header.count == 3, header[0] == "octo-git folders 2", let scannedAt = TimeInterval(header[1]), header[2] == tag,
      scannedAt.isFinite, abs(scannedAt) < 1e11
    else { return nil }
    var cache = FolderCache(scannedAt: scannedAt)
    cache.folders.reserveCapacity(bytes.count / 128)
    while position < bytes.count {
      guard let seconds = number(), let nanoseconds = number(), let inode = number(), let count = number(),
        let folder = field()
      else { return nil }
      // Each name takes at least its NUL: a count past the bytes left is damage.
      guard count <= bytes.count - position else { return nil }
      var names: [String] = []
      names.reserveCapacity(Int(count))
      for _ in 0..<count {
        guard let name = field() else { return nil }
        names.append(name)
      }
      cache.folders[folder] = Folder(
        stamp: Stamp(seconds: seconds, nanoseconds: nanoseconds, inode: UInt64(bitPattern: inode)), names: names)
    }
    return cache
  }

  /// Writes the cache to a temporary file renamed over `path`: a failure only costs the next scan a full
  /// read.
  func save(_ path: String, tag: String) {
    var bytes: [UInt8] = Array("octo-git folders 2\t\(scannedAt)\t\(tag)".utf8)
    bytes.reserveCapacity(folders.count * 160)
    bytes.append(0)
    func number(_ value: UInt64) {
      let start = bytes.count
      var rest = value
      repeat {
        bytes.append(UInt8(48 + rest % 10))
        rest /= 10
      } while rest > 0
      bytes[start...].reverse()
      bytes.append(32)
    }
    for (folder, entry) in folders {
      number(UInt64(bitPattern: entry.stamp.seconds))
      number(UInt64(bitPattern: entry.stamp.nanoseconds))
      number(entry.stamp.inode)
      number(UInt64(entry.names.count))
      bytes.append(contentsOf: folder.utf8)
      bytes.append(0)
      for name in entry.names {
        bytes.append(contentsOf: name.utf8)
        bytes.append(0)
      }
    }
    _ = try? FileReplacement.write(bytes, to: path)
  }
}
