import Foundation

/// Which paths may be written into (or deleted from) a work tree: the rules of git's `verify_path`, which
/// `git checkout` applies to every path of a tree, whatever file system the work tree is on.
///
/// A path is slash-separated and relative to the top of the work tree. It is unsafe when it is empty,
/// absolute or ends with a slash; holds a NUL; or has a component that is empty, `.`, `..`, or `.git` as
/// some file system would read it: in any case, with trailing dots or spaces or a `:stream` suffix (NTFS),
/// as the short name `git~1` (NTFS), with code points HFS+ ignores (zero-width joiners, direction marks, the
/// byte order mark), or after a backslash (`x\.git`, a folder to NTFS). A backslash is otherwise an
/// ordinary character, as to git on this system (a checkpoint captures such names; its undo must restore
/// them).
enum GitPathRules {
  /// Whether `path` is safe to write or delete in a work tree.
  static func isSafe(_ path: String) -> Bool {
    if path.isEmpty || path.hasPrefix("/") { return false }
    if path.utf8.contains(0) { return false }
    return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { isSafeName($0) }
  }

  /// Whether one component of a path (a file or folder name) is safe.
  static func isSafeName(_ name: Substring) -> Bool {
    if name.isEmpty || name == "." || name == ".." { return false }
    if name.utf8.contains(where: { $0 == 0 || $0 == UInt8(ascii: "/") }) { return false }
    // NTFS reads a backslash as a folder separator: no piece may be `.git` to it (git's is_ntfs_dotgit).
    return !name.split(separator: "\\", omittingEmptySubsequences: false).contains { isGitFolderName($0) }
  }

  /// Whether a file name is `.git` to some file system: case-insensitively, after dropping the code points
  /// HFS+ ignores, and with NTFS's trailing dots and spaces, `:stream` suffix and `git~1` short name.
  static func isGitFolderName(_ name: Substring) -> Bool {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(name.utf8.count)
    for scalar in name.unicodeScalars where !isIgnorableByHFS(scalar) {
      if scalar.isASCII {
        let byte = UInt8(scalar.value)
        bytes.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte)
      } else {
        bytes.append(contentsOf: String(scalar).utf8)
      }
    }
    for spelling in [Array(".git".utf8), Array("git~1".utf8)] where bytes.starts(with: spelling) {
      var rest = bytes.dropFirst(spelling.count)
      while let first = rest.first, first == UInt8(ascii: " ") || first == UInt8(ascii: ".") { rest = rest.dropFirst() }
      if rest.isEmpty || rest.first == UInt8(ascii: ":") { return true }
    }
    return false
  }

  /// The code points HFS+ leaves out when it compares names (git's `next_hfs_char`).
  static func isIgnorableByHFS(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x200C...0x200F, 0x202A...0x202E, 0x206A...0x206F, 0xFEFF: true
    default: false
    }
  }

  /// A path as it can be shown on one line of a terminal, quoted: control characters and the invisible code
  /// points HFS+ ignores are written as escapes.
  static func shown(_ path: String) -> String {
    var out = ""
    for scalar in SafeText.terminal(path).unicodeScalars {
      if isIgnorableByHFS(scalar) {
        out += "\\u{" + String(scalar.value, radix: 16) + "}"
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return "'" + out + "'"
  }
}
