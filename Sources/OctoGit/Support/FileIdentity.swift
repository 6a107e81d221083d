import Foundation

/// Which file a transcript path named when it was read: device, inode and a hash of its first bytes. A
/// transcript replaced by another file (a new inode, or other first bytes) is read again from the start
/// instead of from the old file's offset, which would land mid-line and lose requests.
public struct FileIdentity: Equatable, Sendable {
  public var device: UInt64
  public var inode: UInt64
  /// How many first bytes ``headHash`` covers (at most ``headLimit``; fewer for a shorter file).
  public var headLength: Int
  public var headHash: UInt64

  public init(device: UInt64, inode: UInt64, headLength: Int, headHash: UInt64) {
    self.device = device
    self.inode = inode
    self.headLength = headLength
    self.headHash = headHash
  }

  /// The most first bytes hashed.
  static let headLimit = 4096

  /// The identity of the regular file at `path`, hashing its first `length` bytes (at most ``headLimit``);
  /// `nil` when it cannot be read.
  public static func of(_ path: String, length: Int) -> FileIdentity? {
    guard let (descriptor, size) = try? RegularFile.open(path) else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    let wanted = max(0, min(length, headLimit, size))
    var head = [UInt8](repeating: 0, count: wanted)
    let count = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, 0) }
    guard count == wanted else { return nil }
    return FileIdentity(
      device: UInt64(status.st_dev), inode: UInt64(status.st_ino), headLength: wanted, headHash: StableHash.of(head))
  }

  /// Whether the file at `path` is still the one this identity was taken of.
  public func matches(_ path: String) -> Bool {
    FileIdentity.of(path, length: headLength) == self
  }
}
