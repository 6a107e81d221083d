import Foundation

/// A word written for a POSIX shell to read back unchanged (a command octo-git prints or writes for the
/// user to run).
public enum ShellWord {
  /// `word` in single quotes (each `'` in it closed, escaped and reopened); left bare when `always` is
  /// false and it holds only characters no shell treats specially.
  public static func quoted(_ word: String, always: Bool = true) -> String {
    let plain = word.utf8.allSatisfy { byte in
      (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        || "-_./,:+=@%".utf8.contains(byte)
    }
    if !always && plain && !word.isEmpty { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// `word` for a command printed for the user to type: as ``quoted(_:always:)``, except that a word holding
  /// a control character (a line break, an escape), which single quotes would hold but a terminal must not
  /// be sent, is written `$'…'` (bash, zsh and ksh read it; dash does not), each such character as `\xHH`.
  public static func shown(_ word: String, always: Bool = true) -> String {
    word.unicodeScalars.contains(where: isControl) ? ansiQuoted(word) : quoted(word, always: always)
  }

  /// `$'…'`: each control character as `\xHH`, `\` and `'` escaped.
  private static func ansiQuoted(_ word: String) -> String {
    var out = "$'"
    for scalar in word.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case "'": out += "\\'"
      case _ where isControl(scalar):
        for byte in String(scalar).utf8 { out += "\\x" + String(byte, radix: 16, uppercase: false).leftPadded(to: 2) }
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "'"
  }

  /// What ``SafeText/terminal(_:)`` escapes: C0 and C1 controls, and what reorders or breaks a line.
  private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) || SafeText.reordersOrBreaksLine(scalar)
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: max(0, width - count)) + self
  }
}
