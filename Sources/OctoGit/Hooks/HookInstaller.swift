import Foundation

/// `octo-git install` and `uninstall`: octo-git's hook stubs in the hooks directory git really uses, the
/// git configuration its notes need, and the record of both so that uninstall removes exactly that.
/// Install also registers the repository for the rollup; uninstall leaves it registered (its notes are
/// still the record of what was spent: `octo-git repos remove` drops it).
///
/// A hook already there is kept as `<hook>.octo-orig` and run by octo-git's stub with the same arguments
/// and input. Hook managers that rewrite hooks (husky, lefthook) are joined through their own
/// configuration instead: octo-git prints the lines to add rather than fight them.
public enum HookInstaller {
  /// The hooks octo-git installs.
  public static let hookNames = ["post-commit", "pre-push", "post-rewrite"]
  static let placeholder = "@OCTO_GIT_BIN@"

  /// A tool that manages a repository's hooks.
  public enum Manager: String, Sendable {
    case husky, lefthook, preCommit = "pre-commit"
  }

  /// What install or uninstall did, and what the user must do by hand.
  public struct Report: Sendable {
    public var changes: [String] = []
    public var instructions: [String] = []
  }

  /// The hook manager in charge of `repository`'s hooks, if any.
  public static func manager(of repository: Repository) throws -> Manager? {
    let hooksPath = try repository.config().string("core.hooksPath") ?? ""
    if hooksPath.hasSuffix(".husky/_") || hooksPath.hasSuffix(".husky") || hooksPath.hasSuffix(".husky/") { return .husky }
    let root = repository.workDirectory
    for name in ["lefthook.yml", ".lefthook.yml", "lefthook.yaml", ".lefthook.yaml", ".config/lefthook.yml"]
    where FileManager.default.fileExists(atPath: root + "/" + name) {
      return .lefthook
    }
    if FileManager.default.fileExists(atPath: root + "/.pre-commit-config.yaml") { return .preCommit }
    return nil
  }

  /// The stub for `hook`, calling `binary`.
  public static func stub(_ hook: String, binary: String) -> String {
    // The path goes inside a double-quoted shell word: escape what the shell would interpret there.
    var escaped = ""
    for character in binary {
      if "\\\"$`".contains(character) { escaped.append("\\") }
      escaped.append(character)
    }
    return (DefaultFiles.content(of: "hooks/\(hook)") ?? "").replacingOccurrences(of: placeholder, with: escaped)
  }

  /// Installs the stubs (unless a hook manager must be joined through its configuration; `force` installs
  /// anyway, chaining the manager's hooks) and the notes configuration. Running it again changes nothing.
  public static func install(_ repository: Repository, binary: String, force: Bool = false) throws -> Report {
    var report = Report()
    var state = try InstallState.load(repository)
    let manager = try manager(of: repository)
    if let manager, manager != .preCommit, !force {
      report.instructions = instructions(for: manager, binary: binary)
    } else {
      let directory = try repository.hooksDirectory()
      do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      } catch {
        throw OctoError("cannot create the hooks folder \(directory): \(error.localizedDescription)")
      }
      for hook in hookNames {
        if let change = try installHook(hook, in: directory, binary: binary) { report.changes.append(change) }
      }
      state.hooksDirectory = directory
    }
    for change in try NotesSetup.configure(repository) {
      report.changes.append("git config " + change)
      state.configChanges.append(change)
    }
    try state.save(repository)
    do {
      let outcome = try RepositoryRegistry(store: try RollupStore()).add(repository)
      if outcome.changed { report.changes.append("registered for the rollup as \(outcome.entry.project)") }
    } catch {
      report.instructions.append("not registered for the rollup (\(error)); run octo-git repos add later")
    }
    return report
  }

  static func installHook(_ hook: String, in directory: String, binary: String) throws -> String? {
    let path = directory + "/" + hook
    let original = path + ".octo-orig"
    let wanted = stub(hook, binary: binary)
    let manager = FileManager.default
    if let existing = manager.contents(atPath: path) {
      let text = String(decoding: existing, as: UTF8.self)
      if text == wanted { return nil }
      if !text.contains(Doctor.hookFingerprint) {
        guard !manager.fileExists(atPath: original) else {
          throw OctoError(
            "\(path) is not octo-git's, and \(original) exists already",
            hint: "move one of them aside, then run octo-git install again")
        }
        guard rename(path, original) == 0 else {
          throw OctoError("cannot keep the existing hook \(path): \(String(cString: strerror(errno)))")
        }
      }
    }
    try write(wanted, to: path)
    return manager.fileExists(atPath: original) ? "\(hook): installed, running the previous hook first" : "\(hook): installed"
  }

  static func write(_ text: String, to path: String) throws {
    let temporary = path + ".octo-tmp"
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary)
    } catch {
      throw OctoError("cannot write \(path): \(error.localizedDescription)", hint: "check the folder's permissions")
    }
    guard rename(temporary, path) == 0 else {
      unlink(temporary)
      throw OctoError("cannot write \(path): \(String(cString: strerror(errno)))")
    }
  }

  /// Removes octo-git's stubs (putting back, byte for byte, any hook they replaced) and the configuration
  /// install added.
  public static func uninstall(_ repository: Repository) throws -> Report {
    var report = Report()
    let state = try InstallState.load(repository)
    var directories = [try repository.hooksDirectory()]
    if let recorded = state.hooksDirectory, !directories.contains(recorded) { directories.append(recorded) }
    for directory in directories {
      for hook in hookNames {
        let path = directory + "/" + hook
        guard let data = FileManager.default.contents(atPath: path),
          String(decoding: data.prefix(512), as: UTF8.self).contains(Doctor.hookFingerprint)
        else { continue }
        if FileManager.default.fileExists(atPath: path + ".octo-orig") {
          guard rename(path + ".octo-orig", path) == 0 else {
            throw OctoError("cannot put back \(path).octo-orig: \(String(cString: strerror(errno)))")
          }
          report.changes.append("\(hook): removed, previous hook put back")
        } else {
          unlink(path)
          report.changes.append("\(hook): removed")
        }
      }
    }
    let local = try repository.config(at: .local)
    for change in state.configChanges {
      if let range = change.range(of: " += ") {
        try local.remove(String(change[..<range.lowerBound]), value: String(change[range.upperBound...]))
      } else if let range = change.range(of: " = ") {
        try local.remove(String(change[..<range.lowerBound]))
      }
      report.changes.append("git config: removed " + change)
    }
    try InstallState.remove(repository)
    return report
  }

  /// The lines to add to a hook manager's own configuration.
  static func instructions(for manager: Manager, binary: String) -> [String] {
    switch manager {
    case .husky:
      return [
        "husky manages this repository's hooks (core.hooksPath): add octo-git to its hook files, which are tracked:",
        "  .husky/post-commit:   \(binary) hook post-commit",
        "  .husky/pre-push:      \(binary) hook pre-push \"$@\"",
        "  .husky/post-rewrite:  \(binary) hook post-rewrite \"$@\"",
        "(or run octo-git install --force to install into husky's folder anyway)",
      ]
    case .lefthook:
      return [
        "lefthook manages this repository's hooks and would replace octo-git's: add to lefthook.yml (or lefthook-local.yml):",
        "  post-commit:",
        "    jobs:",
        "      - name: octo-git",
        "        run: \(binary) hook post-commit",
        "  pre-push:",
        "    jobs:",
        "      - name: octo-git",
        "        run: \(binary) hook pre-push {1} {2}",
        "        use_stdin: true",
        "  post-rewrite:",
        "    jobs:",
        "      - name: octo-git",
        "        run: \(binary) hook post-rewrite {1}",
        "        use_stdin: true",
        "then run lefthook install (or octo-git install --force to chain lefthook's hooks instead)",
      ]
    case .preCommit:
      return []
    }
  }
}

/// What install changed, kept in `<common-dir>/octo/install.json` so uninstall undoes exactly that.
struct InstallState: Codable {
  var hooksDirectory: String?
  var configChanges: [String] = []

  static func path(_ repository: Repository) -> String { repository.commonDirectory + "/octo/install.json" }

  static func load(_ repository: Repository) throws -> InstallState {
    guard let data = FileManager.default.contents(atPath: path(repository)) else { return InstallState() }
    return (try? JSONDecoder().decode(InstallState.self, from: data)) ?? InstallState()
  }

  func save(_ repository: Repository) throws {
    try? FileManager.default.createDirectory(atPath: repository.commonDirectory + "/octo", withIntermediateDirectories: true)
    var merged = try InstallState.load(repository)
    merged.hooksDirectory = hooksDirectory ?? merged.hooksDirectory
    for change in configChanges where !merged.configChanges.contains(change) { merged.configChanges.append(change) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    try encoder.encode(merged).write(to: URL(fileURLWithPath: InstallState.path(repository)), options: .atomic)
  }

  static func remove(_ repository: Repository) throws {
    unlink(path(repository))
  }
}
