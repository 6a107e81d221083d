import GRDB

/// Versions of octo-git and of the C libraries this process runs with.
public enum Version {
  /// octo-git's own version.
  public static let octoGit = "0.1.0"

  /// libgit2, e.g. `1.5.1`.
  public static var libgit2: String { LibGit2.version }

  /// SQLite, e.g. `3.40.1`.
  public static var sqlite: String {
    let number = Int(Database.sqliteLibVersionNumber)
    return "\(number / 1_000_000).\(number / 1_000 % 1_000).\(number % 1_000)"
  }

  /// libcurl, e.g. `7.88.1` (`not installed` when it is missing).
  public static var libcurl: String { CurlLibrary.version ?? "not installed" }
}
