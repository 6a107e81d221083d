import Foundation

/// Reads a JSON-lines file from a byte offset in bounded memory, line by line: CRLF and LF endings,
/// empty lines skipped, a byte order mark before the first line left out. A last line without its newline is handed
/// over only when `takePartialLastLine` (a writer may still be appending to it); ``offset`` then says where the next
/// read should start.
public struct JSONLinesReader {
  public let path: String
  /// Where the first line not yet handed over starts.
  public private(set) var offset: UInt64
  let chunkSize: Int
  /// Lines dropped for being longer than ``longestLine``.
  public private(set) var longLinesDropped = 0
  /// The longest line handed over (64 MiB).
  static let longestLine = 64 << 20

  public init(path: String, offset: UInt64 = 0, chunkSize: Int = 1 << 20) {
    self.path = path
    self.offset = offset
    self.chunkSize = chunkSize
  }

  /// Calls `body` with each line's bytes (without its line ending) from ``offset`` on.
  public mutating func forEachLine(takePartialLastLine: Bool, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void)
    throws
  {
    let descriptor: Int32
    let size: Int
    do {
      (descriptor, size) = try RegularFile.open(path)
    } catch {
      throw OctoError("cannot read \(error)", hint: "only regular files are read", status: .badInput)
    }
    defer { close(descriptor) }
    // One buffer for the whole file (as large as what is left of it, up to a chunk): the unfinished line
    // is moved to its front, the next chunk read after it.
    let left = max(size - Int(clamping: offset), 0)
    var buffer = [UInt8](repeating: 0, count: max(min(chunkSize, left + 1), 4096))
    var filled = 0
    var fileOffset = off_t(clamping: offset)
    // A line longer than this is nobody's record: its bytes are dropped up to its end (the caller never
    // sees it), so one endless line cannot take all memory.
    let longestLine = Self.longestLine
    var droppingLongLine = false
    while true {
      if filled == buffer.count {
        if buffer.count >= longestLine {
          droppingLongLine = true
          longLinesDropped += 1
          offset += UInt64(filled)
          filled = 0
        } else {
          buffer.append(contentsOf: repeatElement(0, count: buffer.count))
        }
      }
      let count = buffer.withUnsafeMutableBytes { raw in
        pread(descriptor, raw.baseAddress! + filled, raw.count - filled, fileOffset)
      }
      if count < 0 { throw OctoError("cannot read \(path): \(String(cString: strerror(errno)))", status: .badInput) }
      if count == 0 { break }
      fileOffset += off_t(count)
      let end = filled + count
      var start = 0
      try buffer.withUnsafeBufferPointer { bytes in
        guard let base = bytes.baseAddress else { return }
        var position = filled
        while position < end {
          guard let found = memchr(base + position, 0x0A, end - position) else { break }
          let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
          var lineEnd = newline
          if lineEnd > start, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
          if droppingLongLine {
            droppingLongLine = false
          } else if lineEnd > start {
            let first = offset == 0 && start == 0 ? Self.afterByteOrderMark(bytes, end: lineEnd) : start
            if lineEnd > first { try body(UnsafeBufferPointer(rebasing: bytes[first..<lineEnd])) }
          }
          start = newline + 1
          position = start
        }
      }
      offset += UInt64(start)
      if start > 0 {
        buffer.withUnsafeMutableBytes { raw in
          _ = memmove(raw.baseAddress!, raw.baseAddress! + start, end - start)
        }
      }
      filled = end - start
    }
    let carry = buffer[0..<filled]
    if takePartialLastLine, !carry.isEmpty, !droppingLongLine {
      var end = carry.count
      if carry[end - 1] == 0x0D { end -= 1 }
      try buffer.withUnsafeBufferPointer { bytes in
        let first = offset == 0 ? Self.afterByteOrderMark(bytes, end: end) : 0
        if end > first { try body(UnsafeBufferPointer(rebasing: bytes[first..<end])) }
      }
      offset += UInt64(carry.count)
    }
  }

  /// Where the file's first line starts: after a UTF-8 byte order mark (an editor on Windows writes one),
  /// which no JSON parser takes.
  private static func afterByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>, end: Int) -> Int {
    end >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
  }
}
