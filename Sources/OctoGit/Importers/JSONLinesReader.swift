import Foundation

/// Reads a JSON-lines file from a byte offset in bounded memory, line by line: CRLF and LF endings,
/// empty lines skipped. A last line without its newline is handed over only when `takePartialLastLine`
/// (a writer may still be appending to it); ``offset`` then says where the next read should start.
public struct JSONLinesReader {
  public let path: String
  /// Where the first line not yet handed over starts.
  public private(set) var offset: UInt64
  let chunkSize: Int

  public init(path: String, offset: UInt64 = 0, chunkSize: Int = 1 << 20) {
    self.path = path
    self.offset = offset
    self.chunkSize = chunkSize
  }

  /// Calls `body` with each line's bytes (without its line ending) from ``offset`` on.
  public mutating func forEachLine(takePartialLastLine: Bool, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw OctoError("cannot read \(path)", hint: "check the file's permissions", status: .badInput)
    }
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    var carry: [UInt8] = []
    while true {
      let chunk = try handle.read(upToCount: chunkSize) ?? Data()
      if chunk.isEmpty { break }
      var buffer = carry
      buffer.append(contentsOf: chunk)
      var start = 0
      try buffer.withUnsafeBufferPointer { bytes in
        var position = 0
        guard let base = bytes.baseAddress else { return }
        while position < bytes.count {
          guard let found = memchr(base + position, 0x0A, bytes.count - position) else { break }
          let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
          var end = newline
          if end > start, bytes[end - 1] == 0x0D { end -= 1 }
          if end > start { try body(UnsafeBufferPointer(rebasing: bytes[start..<end])) }
          start = newline + 1
          position = start
        }
      }
      offset += UInt64(start)
      carry = Array(buffer[start...])
    }
    if takePartialLastLine, !carry.isEmpty {
      var end = carry.count
      if carry[end - 1] == 0x0D { end -= 1 }
      if end > 0 { try carry.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<end])) } }
      offset += UInt64(carry.count)
    }
  }
}
