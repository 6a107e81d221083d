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
    return try checked(descriptor, path: path)
  }

  /// ``open(_:)`` for a file of a work tree that someone else wrote (a pull request's template): `relative`
  /// is followed from `root` one name at a time and no symbolic link is followed, so a link to
  /// `.git/config` or to a file outside the tree is refused instead of read.
  public static func open(inside root: String, at relative: String) throws -> (descriptor: Int32, size: Int) {
    let path = root + "/" + relative
    let names = relative.split(separator: "/").map(String.init)
    guard !names.isEmpty, !names.contains(where: { $0 == "." || $0 == ".." }) else {
      throw Refusal(path: path, reason: "not a path inside the work tree")
    }
    var folder = Foundation.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard folder >= 0 else { throw Refusal(path: path, reason: String(cString: strerror(errno))) }
    for name in names.dropLast() {
      let next = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      let failure = errno
      close(folder)
      guard next >= 0 else { throw Refusal(path: path, reason: refusal(failure)) }
      folder = next
    }
    let descriptor = openat(folder, names[names.count - 1], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    let failure = errno
    close(folder)
    guard descriptor >= 0 else { throw Refusal(path: path, reason: refusal(failure)) }
    return try checked(descriptor, path: path)
  }

  /// The reason for an `openat` that refused: a link met where `O_NOFOLLOW` was asked says so.
  private static func refusal(_ code: Int32) -> String {
    code == ELOOP || code == ENOTDIR
      ? "a symbolic link or not a folder (links are not followed here)"
      : String(cString: strerror(code))
  }

  /// `descriptor` (of `path`) and its size when it is a regular file; closed and refused otherwise.
  private static func checked(_ descriptor: Int32, path: String) throws -> (descriptor: Int32, size: Int) {
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
    try contents(of: try open(path), path: path, limit: limit)
  }

  /// ``contents(_:limit:)`` of `relative` in the work tree `root`, no symbolic link followed (see
  /// ``open(inside:at:)``).
  public static func contents(inside root: String, at relative: String, limit: Int) throws -> Data {
    try contents(of: try open(inside: root, at: relative), path: root + "/" + relative, limit: limit)
  }

  private static func contents(of file: (descriptor: Int32, size: Int), path: String, limit: Int) throws -> Data {
    let (descriptor, size) = file
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
