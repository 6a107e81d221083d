import Foundation

/// Whole files read straight into memory the caller owns (no `Data` in between): for the caches a
/// checkpoint reads on every run, where the copy `FileManager` makes shows.
enum FileBuffer {
  /// The largest cache file read or mapped (1 GiB: the snapshot state of 8 million files). A file past it
  /// is no cache octo-git wrote; reading it would take as much memory: it is treated as damaged.
  static let largestCache = 1 << 30

  /// The bytes of the regular file at `path`, or `nil` when it cannot be read whole or is larger than
  /// ``largestCache``. The caller deallocates.
  static func read(_ path: String) -> UnsafeMutableRawBufferPointer? {
    guard let (descriptor, size) = try? RegularFile.open(path) else { return nil }
    defer { close(descriptor) }
    guard size <= largestCache else { return nil }
    // A large buffer (a folder cache of a huge tree, or a snapshot state where files cannot be mapped: 11 MB
    // at 100,000 files) is asked for in huge pages: its first touch is a handful of page faults instead of
    // thousands (though gathering them can stall the first touch; ``MappedFile`` has neither cost).
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

/// A whole regular file mapped into memory, read only, as git maps its index: no copy, and no fresh memory
/// to clear (an 11 MB snapshot state took 1.6 to 5.6 ms read into memory, 20 ms and more when the kernel
/// first had to gather huge pages, against 1 ms mapped). Unmapped when released.
///
/// Only for files octo-git replaces by renaming a new file over them: a reader keeps the file it mapped. A
/// file cut short in place while mapped would fault its reader, as it would git's.
final class MappedFile {
  let bytes: UnsafeRawBufferPointer

  /// The file at `path` mapped, or `nil` when it is no regular file, empty, larger than
  /// ``FileBuffer/largestCache``, or cannot be mapped.
  init?(_ path: String) {
    guard let (descriptor, size) = try? RegularFile.open(path) else { return nil }
    defer { close(descriptor) }
    guard size > 0, size <= FileBuffer.largestCache,
      let address = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor, 0),
      address != UnsafeMutableRawPointer(bitPattern: -1)
    else { return nil }
    bytes = UnsafeRawBufferPointer(start: address, count: size)
  }

  deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}
