import Foundation

/// Where octo-git keeps files outside a repository (XDG base directories) and path spelling helpers.
public enum Paths {
  static func home(_ environment: [String: String]) -> String {
    environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
  }

  /// `$XDG_CONFIG_HOME`, else `~/.config`.
  public static func configHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    xdg("XDG_CONFIG_HOME", fallback: ".config", environment)
  }

  /// `$XDG_DATA_HOME`, else `~/.local/share`.
  public static func dataHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    xdg("XDG_DATA_HOME", fallback: ".local/share", environment)
  }

  /// `$XDG_CACHE_HOME`, else `~/.cache`.
  public static func cacheHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    xdg("XDG_CACHE_HOME", fallback: ".cache", environment)
  }

  private static func xdg(_ variable: String, fallback: String, _ environment: [String: String]) -> String {
    if let value = environment[variable], value.hasPrefix("/") { return value }
    return home(environment) + "/" + fallback
  }

  /// The folders named by `variable` (a comma-separated list), else `fallback`.
  public static func folders(listedIn variable: String, otherwise fallback: [String], environment: [String: String])
    -> [String]
  {
    guard let configured = environment[variable], !configured.isEmpty else { return fallback }
    return configured.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  /// Whether `path` is an existing folder.
  public static func isFolder(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
  }

  /// Whether anything is at `path`: a symbolic link counts, whatever it points to.
  static func entryExists(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0
  }

  /// Whether `path` itself is a symbolic link (not followed).
  static func isSymbolicLink(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
  }

  /// `~/x` made absolute from `HOME`; a relative path made absolute from `base`.
  public static func expandingHome(_ path: String, environment: [String: String], relativeTo base: String) -> String {
    if path == "~" { return home(environment) }
    if path.hasPrefix("~/") { return home(environment) + path.dropFirst(1) }
    if path.hasPrefix("/") { return path }
    return base + "/" + path
  }
}
