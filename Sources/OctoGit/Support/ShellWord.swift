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
}
