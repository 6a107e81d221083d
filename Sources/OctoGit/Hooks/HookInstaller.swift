import Foundation

/// `octo-git install` and `uninstall`: octo-git's hook stubs in the hooks directory git really uses, the
/// git configuration its notes need, and the record of both so that uninstall removes exactly that.
/// Install also registers the repository for the rollup; uninstall leaves it registered (its notes are
/// still the record of what was spent: `octo-git repos remove` drops it).
///
/// A hook already there is kept as `<hook>.octo-orig` and run by octo-git's stub with the same arguments
/// and input. Hook managers that rewrite hooks (husky, lefthook) are joined through their own
/// configuration instead while they are in charge: octo-git prints the lines to add rather than fight them.
/// A manager whose configuration is in the work tree but which is not installed (no `lefthook`, no husky
/// `core.hooksPath`) runs nothing, so octo-git's hooks are written as usual, and the lines are printed for
/// later. When the hooks folder is inside the work tree, each file octo-git adds there is listed in
/// `info/exclude`, and a tracked hook is never replaced.
public enum HookInstaller {
  /// The hooks octo-git installs.
  public static let hookNames = ["post-commit", "pre-push", "post-rewrite"]
  /// The line that marks a hook file as octo-git's stub.
  public static let hookFingerprint = "# octo-git hook v1"
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

  /// lefthook's configuration files (the shared ones, then the personal ones).
  static let lefthookConfigs = [
    "lefthook.yml", ".lefthook.yml", "lefthook.yaml", ".lefthook.yaml", ".config/lefthook.yml", ".config/lefthook.yaml",
    "lefthook-local.yml", ".lefthook-local.yml", "lefthook-local.yaml", ".lefthook-local.yaml",
  ]

  /// Whether `core.hooksPath` is husky's.
  static func isHuskyPath(_ hooksPath: String) -> Bool {
    hooksPath.hasSuffix(".husky/_") || hooksPath.hasSuffix(".husky/_/") || hooksPath.hasSuffix(".husky")
      || hooksPath.hasSuffix(".husky/")
  }

  /// The hook manager configured in `repository` (in charge of its hooks or not), if any.
  public static func manager(of repository: Repository) throws -> Manager? {
    let hooksPath = try repository.config().string("core.hooksPath") ?? ""
    if isHuskyPath(hooksPath) { return .husky }
    let root = repository.workDirectory
    let manager = FileManager.default
    if lefthookConfigs.prefix(6).contains(where: { manager.fileExists(atPath: root + "/" + $0) }) { return .lefthook }
    var isDirectory: ObjCBool = false
    if manager.fileExists(atPath: root + "/.husky", isDirectory: &isDirectory), isDirectory.boolValue { return .husky }
    if manager.fileExists(atPath: root + "/.pre-commit-config.yaml") { return .preCommit }
    return nil
  }

  /// Whether `manager` is installed and runs the repository's hooks: husky through `core.hooksPath`;
  /// lefthook when its hooks are in the hooks folder or its binary is on `PATH` (or in `node_modules`).
  public static func isActive(_ manager: Manager, in repository: Repository) throws -> Bool {
    switch manager {
    case .husky:
      return isHuskyPath(try repository.config().string("core.hooksPath") ?? "")
    case .lefthook:
      let directory = try repository.hooksDirectory()
      for hook in [
        "pre-commit", "post-commit", "pre-push", "commit-msg", "post-checkout", "post-merge", "prepare-commit-msg",
      ] {
        if let data = FileManager.default.contents(atPath: directory + "/" + hook),
          String(decoding: data.prefix(4096), as: UTF8.self).lowercased().contains("lefthook")
        {
          return true
        }
      }
      if FileManager.default.isExecutableFile(atPath: repository.workDirectory + "/node_modules/.bin/lefthook") {
        return true
      }
      return onPath("lefthook")
    case .preCommit:
      return false
    }
  }

  /// Whether an executable named `name` is on `PATH`.
  static func onPath(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
    (environment["PATH"] ?? "").split(separator: ":").contains { directory in
      FileManager.default.isExecutableFile(atPath: String(directory) + "/" + name)
    }
  }

  /// Whether git's `hook` would run octo-git: octo-git's stub, a hand-written hook calling
  /// `octo-git hook <hook>`, or a manager's hook whose configuration does.
  public static func runsOctoGit(_ hook: String, in repository: Repository) throws -> Bool {
    let directory = try repository.hooksDirectory()
    let path = directory + "/" + hook
    guard FileManager.default.isExecutableFile(atPath: path), let data = FileManager.default.contents(atPath: path)
    else {
      return false
    }
    let text = String(decoding: data.prefix(65536), as: UTF8.self)
    if text.contains(hookFingerprint) || mentions(text, hook) { return true }
    return runsThroughManager(hook, hookText: text, directory: directory, in: repository)
  }

  /// Whether a manager's hook file (`hookText`) runs octo-git for `hook` through the manager's configuration.
  static func runsThroughManager(_ hook: String, hookText: String, directory: String, in repository: Repository) -> Bool
  {
    if hookText.lowercased().contains("lefthook") {
      return lefthookConfigs.contains { name in
        FileManager.default.contents(atPath: repository.workDirectory + "/" + name)
          .map { mentions(String(decoding: $0, as: UTF8.self), hook) } ?? false
      }
    }
    // husky 9: core.hooksPath is .husky/_, whose scripts run .husky/<hook>.
    if (directory as NSString).lastPathComponent == "_" {
      let script = (directory as NSString).deletingLastPathComponent + "/" + hook
      return FileManager.default.contents(atPath: script).map { mentions(String(decoding: $0, as: UTF8.self), hook) }
        ?? false
    }
    return false
  }

  /// Whether a script or configuration calls `octo-git hook <hook>`.
  static func mentions(_ text: String, _ hook: String) -> Bool {
    text.contains("octo-git") && text.contains("hook \(hook)")
  }

  /// The line that runs octo-git's part of `hook` from another hook script.
  static func hookLine(_ hook: String) -> String {
    hook == "post-commit" ? "octo-git hook post-commit" : "octo-git hook \(hook) \"$@\""
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

  /// Installs the stubs (unless a hook manager in charge must be joined through its configuration; `force`
  /// installs anyway, chaining the manager's hooks) and the notes configuration. Running it again changes
  /// nothing.
  public static func install(_ repository: Repository, binary: String, force: Bool = false) throws -> Report {
    var report = Report()
    var state = try InstallState.load(repository)
    let detected = try manager(of: repository).flatMap { $0 == .preCommit ? nil : $0 }
    let active = try detected.map { try isActive($0, in: repository) } ?? false
    if let manager = detected, active, !force {
      report.instructions = instructions(for: manager)
      report.instructions.append(
        "until then octo-git's hooks do not run (octo-git doctor says so while usage is pending)")
    } else {
      let directory = try repository.hooksDirectory()
      do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      } catch {
        throw OctoError("cannot create the hooks folder \(directory): \(error.localizedDescription)")
      }
      for hook in hookNames {
        let outcome = try installHook(hook, in: directory, binary: binary, repository: repository)
        if let change = outcome.change { report.changes.append(change) }
        if let instruction = outcome.instruction { report.instructions.append(instruction) }
      }
      state.hooksDirectory = directory
      if let manager = detected, !active {
        let note =
          manager == .husky
          ? ".husky/ is here but husky is not set up (core.hooksPath is not .husky/_): octo-git's hooks are in \(directory); "
            + "once husky is set up, it runs its own hooks instead, so then:"
          : "\(lefthookConfigs.prefix(6).first { FileManager.default.fileExists(atPath: repository.workDirectory + "/" + $0) } ?? "lefthook.yml") "
            + "is here but lefthook is not installed: octo-git's hooks are in \(directory); "
            + "once lefthook install runs, it replaces them, so then:"
        report.instructions = [note] + instructions(for: manager) + report.instructions
      }
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

  /// `path` relative to the work tree's top, when it is inside the work tree.
  static func workTreeRelative(_ path: String, in repository: Repository) -> String? {
    let root = repository.workDirectory
    guard !root.isEmpty, path.hasPrefix(root + "/") else { return nil }
    let relative = String(path.dropFirst(root.count + 1))
    return relative.hasPrefix(".git/") ? nil : relative
  }

  static func installHook(_ hook: String, in directory: String, binary: String, repository: Repository) throws
    -> (change: String?, instruction: String?)
  {
    let path = directory + "/" + hook
    let original = path + ".octo-orig"
    let wanted = stub(hook, binary: binary)
    let manager = FileManager.default
    let relative = workTreeRelative(path, in: repository)
    var created = true
    if let existing = manager.contents(atPath: path) {
      let text = String(decoding: existing, as: UTF8.self)
      if text == wanted { return (nil, nil) }
      if let relative, try AgentSetup.isTracked(relative, in: repository) {
        // A tracked hook is the team's: octo-git never replaces it.
        return (
          nil, "\(relative) is tracked by git, so octo-git leaves it alone: add the line  \(hookLine(hook))  to it"
        )
      }
      if !text.contains(hookFingerprint) {
        guard !manager.fileExists(atPath: original) else {
          throw OctoError(
            "\(path) is not octo-git's, and \(original) exists already",
            hint: "move one of them aside, then run octo-git install again")
        }
        guard rename(path, original) == 0 else {
          throw OctoError("cannot keep the existing hook \(path): \(String(cString: strerror(errno)))")
        }
        if let relative { try InfoExclude.add(relative + ".octo-orig", owner: InfoExclude.hooksOwner, in: repository) }
      }
      created = false
    }
    try write(wanted, to: path)
    if created, let relative { try InfoExclude.add(relative, owner: InfoExclude.hooksOwner, in: repository) }
    let change =
      manager.fileExists(atPath: original)
      ? "\(hook): installed, running the previous hook first" : "\(hook): installed"
    return (change, nil)
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
          String(decoding: data.prefix(512), as: UTF8.self).contains(hookFingerprint)
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
    try InfoExclude.remove(owner: InfoExclude.hooksOwner, in: repository)
    let local = try repository.config(at: .local)
    var keys: [String] = []
    for change in state.configChanges {
      if let range = change.range(of: " += ") {
        let key = String(change[..<range.lowerBound])
        try local.remove(key, value: String(change[range.upperBound...]))
        keys.append(key)
      } else if let range = change.range(of: " = ") {
        let key = String(change[..<range.lowerBound])
        try local.remove(key)
        keys.append(key)
      }
      report.changes.append("git config: removed " + change)
    }
    // libgit2 leaves a section's header behind when its last key goes: take out those octo-git emptied.
    for section in try repository.removeEmptyConfigSections(containing: keys) {
      report.changes.append("git config: removed the empty [\(section)] section")
    }
    try InstallState.remove(repository)
    return report
  }

  /// The files octo-git keeps inside this work tree that `feature pass` must never commit: its agent wiring
  /// and, when the hooks folder is inside the work tree, its stubs. Relative to the work tree's top.
  public static func ownWorkTreeFiles(_ repository: Repository) -> [String] {
    var files = AgentSetup.ownFiles(repository)
    if let directory = try? repository.hooksDirectory() {
      for hook in hookNames {
        let path = directory + "/" + hook
        guard let relative = workTreeRelative(path, in: repository), !files.contains(relative),
          let data = FileManager.default.contents(atPath: path),
          String(decoding: data.prefix(512), as: UTF8.self).contains(hookFingerprint)
        else { continue }
        files.append(relative)
      }
    }
    return files
  }

  /// The lines to add to a hook manager's own configuration. They name `octo-git` through `PATH`: the
  /// files are usually tracked, and an absolute path has no place in them.
  static func instructions(for manager: Manager) -> [String] {
    switch manager {
    case .husky:
      return [
        "husky runs this repository's hooks (core.hooksPath): add octo-git to its hook files, which are tracked:",
        "  .husky/post-commit:   \(hookLine("post-commit"))",
        "  .husky/pre-push:      \(hookLine("pre-push"))",
        "  .husky/post-rewrite:  \(hookLine("post-rewrite"))",
        "(or run octo-git install --force to install into husky's folder anyway)",
      ]
    case .lefthook:
      return [
        "lefthook runs this repository's hooks and would replace octo-git's: add to lefthook.yml (or lefthook-local.yml):",
        "  post-commit:",
        "    jobs:",
        "      - name: octo-git",
        "        run: octo-git hook post-commit",
        "  pre-push:",
        "    jobs:",
        "      - name: octo-git",
        "        run: octo-git hook pre-push {1} {2}",
        "        use_stdin: true",
        "  post-rewrite:",
        "    jobs:",
        "      - name: octo-git",
        "        run: octo-git hook post-rewrite {1}",
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
    try? FileManager.default.createDirectory(
      atPath: repository.commonDirectory + "/octo", withIntermediateDirectories: true)
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

/// The lines octo-git adds to `<common-dir>/info/exclude` (git's own, never committed, ignore file) for the
/// files it creates inside a work tree, so that `git status` stays as it was. What was added, and the file's
/// bytes before, are kept in `<common-dir>/octo/exclude.json`: taking out the last line puts back those
/// bytes exactly.
enum InfoExclude {
  static let agentsOwner = "agents"
  static let hooksOwner = "hooks"

  struct State: Codable {
    struct Line: Codable, Equatable {
      var pattern: String
      var owner: String
    }

    /// The file's bytes before octo-git's first line; nil when there was no file.
    var original: Data?
    var lines: [Line] = []
  }

  static func filePath(_ repository: Repository) -> String { repository.commonDirectory + "/info/exclude" }
  static func statePath(_ repository: Repository) -> String { repository.commonDirectory + "/octo/exclude.json" }

  /// The pattern matching exactly `relativePath` from the work tree's top.
  static func pattern(_ relativePath: String) -> String {
    var out = "/"
    for character in relativePath {
      if "\\*?[".contains(character) { out.append("\\") }
      out.append(character)
    }
    if out.hasSuffix(" ") { out.insert("\\", at: out.index(before: out.endIndex)) }
    return out
  }

  static func load(_ repository: Repository) -> State? {
    guard let data = FileManager.default.contents(atPath: statePath(repository)) else { return nil }
    return try? JSONDecoder().decode(State.self, from: data)
  }

  static func save(_ state: State, _ repository: Repository) throws {
    let path = statePath(repository)
    if state.lines.isEmpty {
      unlink(path)
      return
    }
    do {
      try FileManager.default.createDirectory(
        atPath: repository.commonDirectory + "/octo", withIntermediateDirectories: true)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
      try encoder.encode(state).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw OctoError("cannot write \(path): \(error.localizedDescription)")
    }
  }

  static func write(_ bytes: [UInt8], _ repository: Repository) throws {
    let path = filePath(repository)
    do {
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw OctoError("cannot write \(path): \(error.localizedDescription)", hint: "check the folder's permissions")
    }
  }

  /// Lists `relativePath` in `info/exclude`. Returns whether a line was added (not when git ignores the
  /// path already).
  @discardableResult
  static func add(_ relativePath: String, owner: String, in repository: Repository) throws -> Bool {
    if (try? repository.isIgnored(relativePath)) == true { return false }
    let line = pattern(relativePath)
    let current = FileManager.default.contents(atPath: filePath(repository))
    var bytes = current.map { Array($0) } ?? []
    if bytes.split(separator: 0x0A, omittingEmptySubsequences: false).contains(where: { Array($0) == Array(line.utf8) })
    {
      return false
    }
    var state = load(repository) ?? State(original: current, lines: [])
    if let last = bytes.last, last != 0x0A { bytes.append(0x0A) }
    bytes += Array((line + "\n").utf8)
    try write(bytes, repository)
    state.lines.append(.init(pattern: line, owner: owner))
    try save(state, repository)
    return true
  }

  /// Takes out the lines `owner` added (only the one for `relativePath` when given). With `keepLine` the
  /// line stays in the file and is simply no longer octo-git's.
  static func remove(_ relativePath: String? = nil, owner: String, keepLine: Bool = false, in repository: Repository)
    throws
  {
    guard var state = load(repository) else { return }
    let wanted = relativePath.map(pattern)
    let mine = state.lines.filter { $0.owner == owner && (wanted == nil || $0.pattern == wanted) }
    if mine.isEmpty { return }
    state.lines.removeAll { mine.contains($0) }
    let path = filePath(repository)
    if !keepLine, let current = FileManager.default.contents(atPath: path) {
      var lines = Array(current).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
      for line in mine {
        if let index = lines.lastIndex(of: Array(line.pattern.utf8)) { lines.remove(at: index) }
      }
      var result = Array(lines.joined(separator: [0x0A]))
      if state.lines.isEmpty {
        if let original = state.original {
          if result == Array(original) || result == Array(original) + [0x0A] { result = Array(original) }
        } else if result.allSatisfy({ $0 == 0x0A || $0 == 0x20 }) {
          unlink(path)
          try save(state, repository)
          return
        }
      }
      if result != Array(current) { try write(result, repository) }
    }
    try save(state, repository)
  }
}
