import Foundation

/// The hook managers octo-git knows (husky, lefthook, pre-commit): which one a repository uses, whether it is
/// in charge of the hooks, whether it runs octo-git, and the lines to add to its configuration.
extension HookInstaller {
  /// A tool that manages a repository's hooks.
  public enum Manager: String, Sendable {
    case husky, lefthook, preCommit = "pre-commit"
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
    // pre-commit installed over a hook keeps it as <hook>.legacy and runs it first (its migration mode).
    let legacyPath = directory + "/" + hook + ".legacy"
    if hookText.contains("pre-commit"), FileManager.default.isExecutableFile(atPath: legacyPath),
      let legacy = FileManager.default.contents(atPath: legacyPath)
    {
      let text = String(decoding: legacy.prefix(65536), as: UTF8.self)
      if text.contains(hookFingerprint) || mentions(text, hook) { return true }
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

  /// The line that runs octo-git's part of `hook` from another hook script: nothing, and no failure, on a
  /// machine without octo-git (the script is usually tracked, shared with the whole team).
  static func hookLine(_ hook: String) -> String {
    let call = hook == "post-commit" ? "octo-git hook post-commit" : "octo-git hook \(hook) \"$@\""
    return "if command -v octo-git >/dev/null 2>&1; then \(call) || :; fi"
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
        "lefthook runs this repository's hooks and would replace octo-git's: "
          + "add to lefthook.yml (or lefthook-local.yml):",
        "  post-commit:",
        "    jobs:",
        "      - name: octo-git",
        "        run: command -v octo-git >/dev/null 2>&1 && octo-git hook post-commit || true",
        "  pre-push:",
        "    jobs:",
        "      - name: octo-git",
        "        run: command -v octo-git >/dev/null 2>&1 && octo-git hook pre-push {1} {2} || true",
        "        use_stdin: true",
        "  post-rewrite:",
        "    jobs:",
        "      - name: octo-git",
        "        run: command -v octo-git >/dev/null 2>&1 && octo-git hook post-rewrite {1} || true",
        "        use_stdin: true",
        "then run lefthook install (or octo-git install --force to chain lefthook's hooks instead)",
      ]
    case .preCommit:
      return []
    }
  }
}
