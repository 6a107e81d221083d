import CShims
import Foundation

/// The names git refuses as a component of a path it adds: `verify_path` in git's read-cache.c, which
/// `git add` applies to every path (and the reason "invalid path" stops a whole `git add -A`), with the
/// defaults of Linux (`core.protectNTFS` on, `core.protectHFS` off) unless configured otherwise. libgit2
/// refuses the same names when it writes a tree (`invalid name for a tree entry`).
///
/// Refused: `.` and `..`; `.git` in any case; with `core.protectNTFS`, `.git` followed by dots and spaces
/// or a `:stream` or a backslash, the short name `git~1`, and any of those after a backslash in the name;
/// with `core.protectHFS`, `.git` with code points HFS+ ignores. For a symlink, also `.gitmodules` (and
/// its NTFS and HFS+ spellings).
final class GitNames {
  private let handle: Repository
  private lazy var protectNTFS: Bool = (try? handle.config().bool("core.protectNTFS")) ?? true
  private lazy var protectHFS: Bool = (try? handle.config().bool("core.protectHFS")) ?? false

  init(_ handle: Repository) { self.handle = handle }

  private static let dot = UInt8(ascii: "."), space = UInt8(ascii: " "), colon = UInt8(ascii: ":")
  private static let backslash = UInt8(ascii: "\\"), tilde = UInt8(ascii: "~")

  /// Whether git refuses `name` (one component, in ``RawPath`` form).
  func refuses(_ name: String, isSymlink: Bool) -> Bool {
    guard let first = name.utf8.first else { return true }
    let hasBackslash = name.utf8.contains(Self.backslash)
    // Every refused name begins with ".", "g" or "G" (or, for HFS+, an ignorable code point), or holds a
    // backslash: the common name is decided by its first byte.
    guard first == Self.dot || first == UInt8(ascii: "g") || first == UInt8(ascii: "G") || first >= 0x80 || hasBackslash
    else { return false }
    let bytes = Array(name.utf8)
    if bytes == [Self.dot] || bytes == [Self.dot, Self.dot] { return true }
    if Self.isDotGit(bytes) { return true }
    if isSymlink && bytes.count == 11 && bytes[0] == Self.dot && Self.matches(bytes, at: 1, "gitmodules") {
      return true
    }
    if first == Self.dot || first == UInt8(ascii: "g") || first == UInt8(ascii: "G") || hasBackslash, protectNTFS {
      var starts = [0]
      for (index, byte) in bytes.enumerated() where byte == Self.backslash { starts.append(index + 1) }
      for start in starts {
        if Self.isNTFSDotGit(bytes, from: start) { return true }
        if isSymlink && Self.isNTFSDotGeneric(bytes, from: start, "gitmodules", shortPrefix: "gi7eba") { return true }
      }
    }
    if first == Self.dot || first >= 0x80, protectHFS {
      if Self.isHFSDot(name, "git") || (isSymlink && Self.isHFSDot(name, "gitmodules")) { return true }
    }
    return false
  }

  private static func lower(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
  }

  /// The byte at `index`, or 0 past the end (as C reads a string).
  private static func at(_ bytes: [UInt8], _ index: Int) -> UInt8 {
    index < bytes.count ? bytes[index] : 0
  }

  /// Whether `bytes` from `start` begin with the lowercase ASCII `word`, in any case.
  private static func matches(_ bytes: [UInt8], at start: Int, _ word: String) -> Bool {
    var index = start
    for expected in word.utf8 {
      guard lower(at(bytes, index)) == expected else { return false }
      index += 1
    }
    return true
  }

  /// `.git` in any case (git's `verify_dotfile`).
  static func isDotGit(_ bytes: [UInt8]) -> Bool {
    bytes.count == 4 && bytes[0] == dot && matches(bytes, at: 1, "git")
  }

  /// Dots and spaces up to the end or a colon (NTFS drops trailing dots and spaces; `:` starts a stream).
  private static func onlySpacesAndPeriods(_ bytes: [UInt8], from start: Int) -> Bool {
    var index = start
    while true {
      let byte = at(bytes, index)
      index += 1
      if byte == 0 || byte == colon { return true }
      if byte != space && byte != dot { return false }
    }
  }

  /// git's `is_ntfs_dotgit` on the name from `start`.
  static func isNTFSDotGit(_ bytes: [UInt8], from start: Int) -> Bool {
    var index = start
    let first = at(bytes, index)
    index += 1
    if first == dot {
      guard matches(bytes, at: index, "git") else { return false }
      index += 3
    } else if lower(first) == UInt8(ascii: "g") {
      guard matches(bytes, at: index, "it~1") else { return false }
      index += 4
    } else {
      return false
    }
    while true {
      let byte = at(bytes, index)
      index += 1
      if byte == 0 || byte == UInt8(ascii: "/") || byte == backslash || byte == colon { return true }
      if byte != dot && byte != space { return false }
    }
  }

  /// git's `is_ntfs_dot_generic`: `.name`, its short name `namepr~1`…`~4`, or the fall-back short name
  /// (`shortPrefix` then `~` and digits) on NTFS.
  static func isNTFSDotGeneric(_ bytes: [UInt8], from start: Int, _ dotName: String, shortPrefix: String) -> Bool {
    let name = Array(dotName.utf8)
    let prefix = Array(shortPrefix.utf8)
    if at(bytes, start) == dot && matches(bytes, at: start + 1, dotName) {
      return onlySpacesAndPeriods(bytes, from: start + 1 + name.count)
    }
    if matches(bytes, at: start, String(decoding: name.prefix(6), as: UTF8.self)), at(bytes, start + 6) == tilde,
      at(bytes, start + 7) >= UInt8(ascii: "1"), at(bytes, start + 7) <= UInt8(ascii: "4")
    {
      return onlySpacesAndPeriods(bytes, from: start + 8)
    }
    var index = 0
    var sawTilde = false
    while index < 8 {
      let byte = at(bytes, start + index)
      if byte == 0 { return false }
      if sawTilde {
        if byte < UInt8(ascii: "0") || byte > UInt8(ascii: "9") { return false }
      } else if byte == tilde {
        index += 1
        let digit = at(bytes, start + index)
        if digit < UInt8(ascii: "1") || digit > UInt8(ascii: "9") { return false }
        sawTilde = true
      } else if index >= 6 {
        return false
      } else if byte & 0x80 != 0 {
        return false
      } else if lower(byte) != prefix[index] {
        return false
      }
      index += 1
    }
    return onlySpacesAndPeriods(bytes, from: start + index)
  }

  /// git's `is_hfs_dot_generic`: `.` and `needle` once the code points HFS+ ignores are dropped, in any
  /// case, then the end. A byte that is not UTF-8 reads as the end, as in git.
  static func isHFSDot(_ name: String, _ needle: String) -> Bool {
    var scalars = name.unicodeScalars.makeIterator()
    func next() -> UInt32? {
      while let scalar = scalars.next() {
        if scalar.value >= RawPath.escapeBase { return nil }
        if GitPathRules.isIgnorableByHFS(scalar) { continue }
        return scalar.value
      }
      return nil
    }
    guard next() == UInt32(dot) else { return false }
    for expected in needle.utf8 {
      guard let value = next(), value <= 127, lower(UInt8(value)) == expected else { return false }
    }
    return next() == nil
  }
}

@available(*, unavailable)
extension GitNames: Sendable {}
