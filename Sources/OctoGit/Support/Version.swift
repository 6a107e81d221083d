import GRDB

/// Versions of octo-git and of the C libraries this process runs with. `libgit2` and `libcurl` are added
/// next to their libraries (Git/LibGit2.swift, Network/CurlLibrary.swift), so Support/ names neither.
public enum Version {
  /// octo-git's own version.
  public static let octoGit = "0.1.0"

  /// SQLite, e.g. `3.40.1`.
  public static var sqlite: String {
    let number = Int(Database.sqliteLibVersionNumber)
    return "\(number / 1_000_000).\(number / 1_000 % 1_000).\(number % 1_000)"
  }
}
