import Foundation

/// Whole files read straight into memory the caller owns (no `Data` in between): for the caches a
/// checkpoint reads on every run, where the copy `FileManager` makes shows.
enum FileBuffer {
  /// The bytes of the regular file at `path`, or `nil` when it cannot be read whole. The caller deallocates.
  static func read(_ path: String) -> UnsafeMutableRawBufferPointer? {
    guard let (descriptor, size) = try? RegularFile.open(path) else { return nil }
    defer { close(descriptor) }
    // A large buffer (the snapshot state of a big tree: 11 MB at 100,000 files) is asked for in huge pages:
    // its first touch is a handful of page faults instead of thousands.
    let huge = size >= 2 << 20
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: huge ? 2 << 20 : 8)
    if huge { madvise(storage.baseAddress, size, MADV_HUGEPAGE) }
    var filled = 0
    while filled < size {
      let count = Foundation.read(descriptor, storage.baseAddress! + filled, size - filled)
      if count <= 0 { break }
      filled += count
    }
    guard filled == size else {
      storage.deallocate()
      return nil
    }
    return UnsafeMutableRawBufferPointer(rebasing: storage[0..<filled])
  }
}
