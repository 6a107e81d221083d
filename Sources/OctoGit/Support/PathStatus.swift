import CShims
import Foundation

/// `lstat` (or `stat`) of many paths below one folder, spread over the cores (see CShims' stat_paths.c).
enum PathStatus {
  /// What `lstat` says of each of `paths` (C strings relative to `root`), in order; `stat` when
  /// `following` symlinks.
  ///
  /// Without `following` nothing is followed, in any component: a path whose leading components are not
  /// all real folders (one is a symlink, a file, or missing) fails with `ENOTDIR` (`ENOENT` when missing),
  /// as a path that is not there. A tracked folder replaced by a symlink to somewhere else therefore never
  /// shows that place's files as its own. Each thread remembers the last folder prefix it verified, so on
  /// sorted paths the check costs one `lstat` per new folder, not per path.
  static func of(_ paths: [UnsafePointer<CChar>], under root: String, following: Bool = false) -> [octo_path_stat] {
    statuses(of: paths) { pathBuffer, resultBuffer in
      if following {
        octo_stat_paths(root, pathBuffer, paths.count, resultBuffer, Int32(WorkerPool.width), 1)
      } else {
        octo_lstat_paths_beneath(root, pathBuffer, paths.count, resultBuffer, Int32(WorkerPool.width))
      }
    }
  }

  /// ``of(_:under:following:)`` without following, also describing the folders the paths are in, taken
  /// from the descriptors opened to look at the paths (so at no lookup of their own), each with the position
  /// of a path in it; in no order. Where the system refuses the way folders are opened (see CShims'
  /// stat_paths.c) some or all are missing.
  static func withFolders(_ paths: [UnsafePointer<CChar>], under root: String) -> (
    paths: [octo_path_stat], folders: [octo_folder_stamp]
  ) {
    var folders: [octo_folder_stamp] = []
    let results = statuses(of: paths) { pathBuffer, resultBuffer in
      folders = [octo_folder_stamp](unsafeUninitializedCapacity: paths.count) { folderBuffer, folderCount in
        var found = 0
        octo_lstat_paths_and_folders_beneath(
          root, pathBuffer, paths.count, resultBuffer, Int32(WorkerPool.width), folderBuffer.baseAddress,
          paths.count, &found)
        folderCount = min(found, paths.count)
      }
    }
    return (results, folders)
  }

  /// One result per path, written by `call` (the C side writes every one of them: the array is not filled
  /// beforehand, and pages past what it writes are never touched).
  private static func statuses(
    of paths: [UnsafePointer<CChar>],
    _ call: (UnsafeMutablePointer<UnsafePointer<CChar>?>?, UnsafeMutablePointer<octo_path_stat>?) -> Void
  ) -> [octo_path_stat] {
    var pointers = paths.map { Optional($0) }
    return [octo_path_stat](unsafeUninitializedCapacity: paths.count) { resultBuffer, resultCount in
      pointers.withUnsafeMutableBufferPointer { call($0.baseAddress, resultBuffer.baseAddress) }
      resultCount = paths.count
    }
  }

  /// The same for paths held as strings (their UTF-8 bytes).
  static func of(_ paths: [String], under root: String, following: Bool = false) -> [octo_path_stat] {
    let copies = paths.map { UnsafePointer(strdup($0)!) }
    defer { copies.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
    return of(copies, under: root, following: following)
  }

  /// The same for work-tree paths in ``RawPath`` form (names of any bytes), never following a symlink.
  static func of(rawPaths paths: [String], under root: String) -> [octo_path_stat] {
    let copies = paths.map { UnsafePointer(RawPath.duplicate($0)!) }
    defer { copies.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
    return of(copies, under: root, following: false)
  }
}

/// A path as the file system holds it (any bytes but NUL) carried in a `String` without loss.
///
/// Swift strings hold Unicode only, and `String(cString:)` replaces the bytes that are not UTF-8 with
/// U+FFFD: the name then names no file. Git takes names of any bytes, and a name git accepts must survive
/// the trip from `readdir` to `lstat`, the blob and the tree. In this form a name that is valid UTF-8 is
/// itself, and each byte that is not part of valid UTF-8 is the code point U+10FF00 + byte (the last 256
/// code points of the last private-use plane). A name that really holds one of those code points has the
/// UTF-8 bytes of it written the same way, byte by byte, so the mapping is one-to-one both ways.
///
/// Plain UTF-8 paths (all but the rarest) cost one scan of their bytes to convert; `withCString` on them
/// is `String.withCString`. Paths in this form go to C only through ``withCString(_:_:)`` or
/// ``duplicate(_:)``, and to people only through ``shown(_:)``.
enum RawPath {
  /// The code point standing for byte 0.
  static let escapeBase: UInt32 = 0x10FF00

  /// The path whose bytes are `bytes`.
  static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    if !bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
    return decode(bytes)
  }

  /// The path whose bytes are `bytes`.
  static func string(_ bytes: [UInt8]) -> String {
    bytes.withUnsafeBufferPointer { string($0) }
  }

  /// The path whose bytes are the C string `cString`.
  static func string(cString: UnsafePointer<CChar>) -> String {
    let length = strlen(cString)
    return string(
      UnsafeBufferPointer(start: UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self), count: length))
  }

  /// Whether `path` holds no escaped byte (and so is its own UTF-8): every escape code point's UTF-8
  /// begins with 0xF4.
  static func isPlain(_ path: String) -> Bool {
    !path.utf8.contains(0xF4)
  }

  /// The bytes `path` stands for (no NUL added).
  static func bytes(_ path: String) -> [UInt8] {
    if isPlain(path) { return Array(path.utf8) }
    var out: [UInt8] = []
    out.reserveCapacity(path.utf8.count)
    for scalar in path.unicodeScalars {
      if scalar.value >= escapeBase {
        out.append(UInt8(truncatingIfNeeded: scalar.value - escapeBase))
      } else {
        out.append(contentsOf: String(scalar).utf8)
      }
    }
    return out
  }

  /// Calls `body` with the bytes of `path` as a C string.
  static func withCString<R>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
    if isPlain(path) { return try path.withCString(body) }
    var bytes = bytes(path)
    bytes.append(0)
    return try bytes.withUnsafeBufferPointer { buffer in
      try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
    }
  }

  /// The bytes of `path` as a C string the caller frees with `free`.
  static func duplicate(_ path: String) -> UnsafeMutablePointer<CChar>? {
    withCString(path) { strdup($0) }
  }

  /// `path` for a message on one line: each byte that is not UTF-8 as `\xFF`, control characters as
  /// escapes (see ``SafeText/terminal(_:)``).
  static func shown(_ path: String) -> String {
    if isPlain(path) { return SafeText.terminal(path) }
    var text = ""
    for scalar in path.unicodeScalars {
      if scalar.value >= escapeBase {
        let byte = scalar.value - escapeBase
        let digits = Array("0123456789ABCDEF")
        text += "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
      } else {
        text.unicodeScalars.append(scalar)
      }
    }
    return SafeText.terminal(text)
  }

  /// Bytes that are not all ASCII: each maximal valid UTF-8 sequence is its code point (unless that falls
  /// among the escapes), any other byte its escape.
  private static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    var scalars = String.UnicodeScalarView()
    var index = 0
    let count = bytes.count
    while index < count {
      let lead = bytes[index]
      var length = 0
      var value: UInt32 = 0
      switch lead {
      case 0x00...0x7F:
        length = 1
        value = UInt32(lead)
      case 0xC2...0xDF:
        length = 2
        value = UInt32(lead & 0x1F)
      case 0xE0...0xEF:
        length = 3
        value = UInt32(lead & 0x0F)
      case 0xF0...0xF4:
        length = 4
        value = UInt32(lead & 0x07)
      default:
        length = 0
      }
      var valid = length > 0 && index + length <= count
      if valid && length > 1 {
        for offset in 1..<length {
          let byte = bytes[index + offset]
          guard byte & 0xC0 == 0x80 else {
            valid = false
            break
          }
          value = value << 6 | UInt32(byte & 0x3F)
        }
        // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
        if valid && length == 3 { valid = value >= 0x800 && !(0xD800...0xDFFF).contains(value) }
        if valid && length == 4 { valid = value >= 0x10000 && value <= 0x10FFFF }
      }
      if valid, value < escapeBase, let scalar = Unicode.Scalar(value) {
        scalars.append(scalar)
        index += length
      } else {
        scalars.append(Unicode.Scalar(escapeBase + UInt32(lead))!)
        index += 1
      }
    }
    return String(scalars)
  }
}
