import CGit2
import Foundation

/// Which configuration file a setting is read from or written to.
public enum ConfigLevel: String, Sendable, CaseIterable {
  case system, global, local
  /// `config.worktree` of the current worktree when `extensions.worktreeConfig` is on; otherwise, as with
  /// `git config --worktree`, the repository's own config.
  case worktree

  init?(_ raw: git_config_level_t) {
    switch raw {
    case GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_PROGRAMDATA: self = .system
    case GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_XDG: self = .global
    case GIT_CONFIG_LEVEL_LOCAL: self = .local
    case GIT_CONFIG_LEVEL_APP: self = .worktree
    default: return nil
    }
  }
}

/// One setting as found in a configuration file.
public struct ConfigEntry: Equatable, Sendable {
  /// The normalised name (section and key lowercased), e.g. `octo.pushnotes`.
  public let name: String
  public let value: String
  public let level: ConfigLevel?
}

/// A view of git configuration: either every level merged (for reading) or one file (for writing).
/// Owns its `git_config` handle.
public final class Config {
  let pointer: OpaquePointer

  init(owning pointer: OpaquePointer) { self.pointer = pointer }

  deinit { git_config_free(pointer) }

  /// The user's configuration outside any repository (system, XDG and global files merged), as `git
  /// config` reads it when run outside a repository.
  public static func outsideRepository() throws -> Config {
    LibGit2.ensureInitialised()
    return Config(owning: try makeHandle("read the user's git config") { git_config_open_default(&$0) })
  }

  /// The user's configuration with a repository's own file (`<common-dir>/config`) added, read without
  /// opening the repository: what a command run on every prompt (the status line) can afford.
  static func outsideRepository(addingLocalFile path: String) throws -> Config {
    let config = try outsideRepository()
    let result = git_config_add_file_ondisk(config.pointer, path, GIT_CONFIG_LEVEL_LOCAL, nil, 0)
    if result < 0, result != GIT_ENOTFOUND.rawValue { try GitError.check(result, "read \(path)") }
    return config
  }

  /// The value of `key` as a string; `nil` when it is not set.
  public func string(_ key: String) throws -> String? {
    var buffer = octo_git_buf()
    defer { git_buf_dispose(&buffer) }
    let result = git_config_get_string_buf(&buffer, pointer, key)
    if result == GIT_ENOTFOUND.rawValue { return nil }
    try GitError.check(result, "read \(key) from git config")
    return buffer.ptr.map { String(cString: $0) } ?? ""
  }

  /// The value of `key` read as git reads a boolean (`true`, `yes`, `on`, `1`…).
  public func bool(_ key: String) throws -> Bool? {
    var value: Int32 = 0
    let result = git_config_get_bool(&value, pointer, key)
    if result == GIT_ENOTFOUND.rawValue { return nil }
    if result < 0 {
      throw OctoError.badInput(
        "git config \(key) is not a boolean", hint: "set it to true or false with git config \(key) true")
    }
    return value != 0
  }

  /// The value of `key` read as git reads an integer (`k`, `m`, `g` suffixes allowed).
  public func int(_ key: String) throws -> Int? {
    var value: Int64 = 0
    let result = git_config_get_int64(&value, pointer, key)
    if result == GIT_ENOTFOUND.rawValue { return nil }
    if result < 0 {
      throw OctoError.badInput("git config \(key) is not an integer", hint: "set it with git config \(key) <number>")
    }
    return Int(value)
  }

  /// Every value of a multi-valued key, in file order.
  public func strings(_ key: String) throws -> [String] {
    try entries(exactly: key).map(\.value)
  }

  /// Every setting whose name matches the regular expression `pattern` (e.g. `^octo\.`), in file order.
  public func entries(matching pattern: String) throws -> [ConfigEntry] {
    var raw: OpaquePointer?
    try GitError.check(git_config_iterator_glob_new(&raw, pointer, pattern), "list git config \(pattern)")
    return try collect(raw!, operation: "list git config \(pattern)")
  }

  func entries(exactly key: String) throws -> [ConfigEntry] {
    var raw: OpaquePointer?
    let result = git_config_multivar_iterator_new(&raw, pointer, key, nil)
    if result == GIT_ENOTFOUND.rawValue { return [] }
    try GitError.check(result, "read \(key) from git config")
    return try collect(raw!, operation: "read \(key) from git config")
  }

  private func collect(_ iterator: OpaquePointer, operation: String) throws -> [ConfigEntry] {
    defer { git_config_iterator_free(iterator) }
    var entries: [ConfigEntry] = []
    while true {
      var entry: UnsafeMutablePointer<git_config_entry>?
      let result = git_config_next(&entry, iterator)
      if result == GIT_ITEROVER.rawValue { break }
      try GitError.check(result, operation)
      guard let entry else { continue }
      entries.append(
        ConfigEntry(
          name: String(cString: entry.pointee.name), value: entry.pointee.value.map { String(cString: $0) } ?? "",
          level: ConfigLevel(entry.pointee.level)))
    }
    return entries
  }

  /// Sets `key` to `value`, replacing a single existing value.
  public func set(_ key: String, to value: String) throws {
    try GitError.check(git_config_set_string(pointer, key, value), "set \(key) in git config")
  }

  /// Sets `key` to a boolean (`true`/`false`).
  public func set(_ key: String, to value: Bool) throws {
    try GitError.check(git_config_set_bool(pointer, key, value ? 1 : 0), "set \(key) in git config")
  }

  /// Adds one more value to a multi-valued key, unless that exact value is there already.
  public func add(_ key: String, value: String) throws {
    if try entries(exactly: key).contains(where: { $0.value == value }) { return }
    // No existing value matches this pattern (checked above), so libgit2 appends instead of replacing.
    try GitError.check(
      git_config_set_multivar(pointer, key, Self.exactPattern(value), value), "add \(key) in git config")
  }

  /// Removes `key` (every value of it); nothing happens when it is not set.
  public func remove(_ key: String) throws {
    let result = git_config_delete_multivar(pointer, key, ".*")
    if result == GIT_ENOTFOUND.rawValue { return }
    try GitError.check(result, "remove \(key) from git config")
  }

  /// Removes the one value of a multi-valued key equal to `value`.
  public func remove(_ key: String, value: String) throws {
    let result = git_config_delete_multivar(pointer, key, Self.exactPattern(value))
    if result == GIT_ENOTFOUND.rawValue { return }
    try GitError.check(result, "remove \(key)=\(value) from git config")
  }

  /// A POSIX extended regular expression matching exactly `value`.
  static func exactPattern(_ value: String) -> String {
    let special = Set("\\^$.|?*+()[]{}")
    return "^" + value.map { special.contains($0) ? "\\\($0)" : String($0) }.joined() + "$"
  }
}

@available(*, unavailable)
extension Config: Sendable {}

extension Repository {
  /// The configuration of this repository with every level merged (system, global, local and, when
  /// `extensions.worktreeConfig` is on, this worktree's `config.worktree`), for reading settings.
  public func config() throws -> Config {
    let merged = Config(owning: try makeHandle("read the git config") { git_repository_config(&$0, pointer) })
    if !worktreeConfigAttached, try merged.bool("extensions.worktreeConfig") == true {
      let path = gitDirectory + "/config.worktree"
      let result = git_config_add_file_ondisk(merged.pointer, path, GIT_CONFIG_LEVEL_APP, pointer, 0)
      if result < 0, result != GIT_EEXISTS.rawValue { try GitError.check(result, "read \(path)") }
      worktreeConfigAttached = true
    }
    return merged
  }

  /// The one configuration file of `level`, for writing. A global file that does not exist yet is created
  /// where git would look for it.
  public func config(at level: ConfigLevel) throws -> Config {
    let merged = try config()
    switch level {
    case .local:
      return Config(
        owning: try makeHandle("open the repository config") {
          git_config_open_level(&$0, merged.pointer, GIT_CONFIG_LEVEL_LOCAL)
        })
    case .worktree:
      guard try merged.bool("extensions.worktreeConfig") == true else { return try config(at: .local) }
      let path = gitDirectory + "/config.worktree"
      return Config(owning: try makeHandle("open \(path)") { git_config_open_ondisk(&$0, path) })
    case .system:
      return Config(
        owning: try makeHandle("open the system git config") {
          git_config_open_level(&$0, merged.pointer, GIT_CONFIG_LEVEL_SYSTEM)
        })
    case .global:
      var raw: OpaquePointer?
      if git_config_open_level(&raw, merged.pointer, GIT_CONFIG_LEVEL_GLOBAL) == 0, let raw {
        return Config(owning: raw)
      }
      let path = Self.globalConfigPath()
      return Config(owning: try makeHandle("open \(path)") { git_config_open_ondisk(&$0, path) })
    }
  }

  /// Where a new global config file goes: the first global search directory libgit2 uses (normally
  /// `$HOME`), then `.gitconfig`.
  static func globalConfigPath() -> String {
    var buffer = octo_git_buf()
    defer { git_buf_dispose(&buffer) }
    var directory = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
    if octo_git_get_search_path(GIT_CONFIG_LEVEL_GLOBAL, &buffer) == 0, let text = buffer.ptr {
      if let first = String(cString: text).split(separator: ":").first, !first.isEmpty {
        directory = String(first)
      }
    }
    return directory + "/.gitconfig"
  }
}
