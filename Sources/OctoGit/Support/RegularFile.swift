import Foundation

/// Opens and reads only regular files, within a size limit: a FIFO, socket or device where a file was
/// expected (a transcript, a hook's input, a template, a price table) would block the read or never end it.
public enum RegularFile {
  /// Why a path could not be read as a regular file.
  public struct Refusal: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
  }

  /// An open, read-only descriptor of the regular file at `path` and its size. The caller closes it.
  ///
  /// Opened without blocking (a FIFO would wait for a writer), then checked with `fstat`.
  public static func open(_ path: String) throws -> (descriptor: Int32, size: Int) {
    let descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard descriptor >= 0 else { throw Refusal(path: path, reason: String(cString: strerror(errno))) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      let reason = String(cString: strerror(errno))
      close(descriptor)
      throw Refusal(path: path, reason: reason)
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      close(descriptor)
      throw Refusal(path: path, reason: "not a regular file")
    }
    // Back to blocking reads: a regular file never blocks, and a short read then means the end.
    _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
    return (descriptor, Int(status.st_size))
  }

  /// Whether `path` names a regular file (symlinks followed).
  public static func exists(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
  }

  /// The whole file, when it is a regular file of at most `limit` bytes.
  public static func contents(_ path: String, limit: Int) throws -> Data {
    let (descriptor, size) = try open(path)
    defer { close(descriptor) }
    guard size <= limit else { throw Refusal(path: path, reason: "larger than \(limit / 1024) KiB") }
    var data = Data(count: size)
    let filled = data.withUnsafeMutableBytes { raw -> Int in
      var filled = 0
      while filled < size {
        let count = read(descriptor, raw.baseAddress! + filled, size - filled)
        if count <= 0 { break }
        filled += count
      }
      return filled
    }
    return data.prefix(filled)
  }

  /// At most `limit` bytes of standard input (what a hook's caller pipes in); `nil` when there are more.
  public static func standardInput(limit: Int) -> Data? {
    var data = Data()
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
      if count < 0, errno == EINTR { continue }
      if count <= 0 { break }
      data.append(contentsOf: chunk[0..<count])
      if data.count > limit { return nil }
    }
    return data
  }
}
