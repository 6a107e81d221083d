import Foundation

extension AgentSetup {
  // MARK: - Claude Code's status line

  /// Whether a status line command is octo-git's (`'/path/to/octo-git' statusline`).
  static func isOurStatusLine(_ command: String) -> Bool {
    command.hasSuffix(" statusline") && command.contains("octo-git")
  }

  /// The command of the status line a Claude Code settings file sets, if it sets one (`""` when its
  /// `statusLine` is not a command).
  static func statusLineCommand(in data: Data) -> String? {
    guard let document = try? JSONText(Array(data)), document.root.kind == .object,
      let statusLine = document.root.child("statusLine")
    else { return nil }
    return statusLine.child("command")?.string ?? ""
  }

  /// Claude Code's user settings file: `$CLAUDE_CONFIG_DIR/settings.json` (its first folder), else
  /// `~/.claude/settings.json`.
  static func userSettingsPath(environment: [String: String]) -> String {
    if let folders = environment["CLAUDE_CONFIG_DIR"], let first = folders.split(separator: ",").first, !first.isEmpty {
      return String(first) + "/settings.json"
    }
    return (environment["HOME"] ?? NSHomeDirectory()) + "/.claude/settings.json"
  }

  /// Sets Claude Code's status line to `octo-git statusline` in the personal settings file
  /// (`.claude/settings.local.json`), spliced in as the hooks are and undone by uninstall.
  ///
  /// A status line the user already has (in their user settings, the team's settings or the personal file)
  /// is never replaced, nor hidden by one added in a file Claude Code reads after it: the report says so
  /// instead. Running it again changes nothing; octo-git's own status line with another binary path is
  /// updated.
  /// Refuses, before anything is installed, a personal settings file the status line could not be added to
  /// (a symbolic link, not plain JSON): `install --statusline` would otherwise stop halfway.
  public static func checkStatusLineInstallable(in repository: Repository) throws {
    let relative = Agent.claudeCode.personalFile
    let path = repository.workDirectory + "/" + relative
    if Paths.isSymbolicLink(path) {
      throw OctoError.badInput(
        "\(relative) is a symbolic link: octo-git does not write through it",
        hint: "add the status line to that file yourself, or install without --statusline")
    }
    if let existing = FileManager.default.contents(atPath: path), !existing.allSatisfy(JSONText.isWhitespace) {
      _ = try JSONText.document(existing, path: relative)
    }
  }

  public static func installStatusLine(
    in repository: Repository, binary: String,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> HookInstaller.Report {
    let agent = Agent.claudeCode
    let relative = agent.personalFile
    let path = repository.workDirectory + "/" + relative
    let command = "\(quoted(binary)) statusline"
    var report = HookInstaller.Report()
    let places = [
      (
        userSettingsPath(environment: environment),
        "your Claude Code settings (\(userSettingsPath(environment: environment)))"
      ),
      (repository.workDirectory + "/" + agent.sharedFile, agent.sharedFile), (path, relative),
    ]
    for (file, label) in places {
      guard let data = FileManager.default.contents(atPath: file), let existing = statusLineCommand(in: data),
        !isOurStatusLine(existing)
      else { continue }
      let theirs = SafeText.terminal(existing.count > 60 ? String(existing.prefix(59)) + "…" : existing)
      let shown = existing.isEmpty ? "" : " (\(theirs))"
      report.instructions.append(
        "Claude Code: \(label) sets a status line already\(shown); left as it is, "
          + "add octo-git statusline to it yourself if you like")
      return report
    }
    if try isTracked(relative, in: repository) {
      report.instructions.append(
        "Claude Code: \(relative) is tracked by git, so octo-git leaves it alone; no status line added")
      return report
    }
    let existing = FileManager.default.contents(atPath: path)
    let bytes: [UInt8]
    var before: [String] = []
    if let existing, !existing.allSatisfy(JSONText.isWhitespace) {
      var document = try JSONText.document(existing, path: relative)
      before = containers(in: document)
      if let index = document.root.index(of: "statusLine") {
        // octo-git's own, with another binary: replaced.
        guard document.root.children[index].child("command")?.string != command else { return report }
        try document.remove(item: index, at: [])
      }
      try document.append(statusLineValue(command), key: "statusLine", to: [])
      bytes = document.bytes
    } else {
      let value = JSONText.Value.object([("statusLine", statusLineValue(command))])
      bytes = Array((JSONText.render(value, indent: "", style: .standard) + "\n").utf8)
    }
    report.changes += try save(
      bytes, existing: existing, containers: before, to: relative, agent: agent, shared: false, in: repository,
      changes: ["\(agent.displayName): status line (octo-git statusline) in \(relative)"])
    return report
  }

  static func statusLineValue(_ command: String) -> JSONText.Value {
    .object([("type", .string("command")), ("command", .string(command))])
  }

  /// Takes octo-git's status line out of a Claude Code settings document; returns whether it did.
  static func removeStatusLine(from document: inout JSONText) throws -> Bool {
    guard let index = document.root.index(of: "statusLine"),
      let command = document.root.children[index].child("command")?.string, isOurStatusLine(command)
    else { return false }
    try document.remove(item: index, at: [])
    return true
  }
}
