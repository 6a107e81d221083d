import Foundation

/// Whole files read straight into memory the caller owns (no `Data` in between): for the caches a
/// checkpoint reads on every run, where the copy `FileManager` makes shows.
enum FileBuffer {
  /// The bytes of the file at `path`, or `nil` when it cannot be read whole. The caller deallocates.
  static func read(_ path: String) -> UnsafeMutableRawBufferPointer? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(Int(status.st_size), 1), alignment: 8)
    var filled = 0
    while filled < Int(status.st_size) {
      let count = Foundation.read(descriptor, storage.baseAddress! + filled, Int(status.st_size) - filled)
      if count <= 0 { break }
      filled += count
    }
    guard filled == Int(status.st_size) else {
      storage.deallocate()
      return nil
    }
    return UnsafeMutableRawBufferPointer(rebasing: storage[0..<filled])
  }
}
