import Foundation

extension DoctorReport {
  /// The report as aligned text for a person, coloured when `style` says so.
  public func text(style: OutputStyle) -> String {
    var lines: [String] = []
    func heading(_ title: String) {
      if !lines.isEmpty { lines.append("") }
      lines.append(style.paint(title, .bold))
    }
    func row(_ label: String, _ value: String) {
      lines.append("  " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + value)
    }

    heading("repository")
    row("work tree", SafeText.terminal(repository.workTree) + (repository.linkedWorktree ? "  (linked worktree)" : ""))
    row("git dir", repository.gitDir)
    row("common dir", repository.commonDir)
    switch repository.headState {
    case "branch":
      row("HEAD", "branch \(repository.branch ?? "?") at \(repository.commit.map { String($0.prefix(12)) } ?? "?")")
    case "detached": row("HEAD", "detached at \(repository.commit.map { String($0.prefix(12)) } ?? "?")")
    default: row("HEAD", "unborn branch \(repository.branch ?? "?") (no commit yet)")
    }
    if let operation = repository.operation { row("in progress", style.paint(operation, .yellow)) }

    heading("hooks")
    row("directory", hooks.directory + (hooks.hooksPath.map { "  (core.hooksPath = \($0))" } ?? ""))
    for hook in hooks.hooks {
      let state: String
      switch hook.state {
      case "octo-git":
        state = style.paint("octo-git", .green) + (hook.chainsOriginal ? " (chains the previous hook)" : "")
      case "manager": state = style.paint("octo-git", .green) + " (through another tool's hook)"
      case "other": state = style.paint("another tool's hook", .yellow)
      default: state = style.paint("not installed", .dim)
      }
      row(hook.name, state)
    }

    heading("notes")
    for ref in notes {
      let count = ref.exists ? "\(ref.notes) note\(ref.notes == 1 ? "" : "s")" : style.paint("none yet", .dim)
      lines.append("  " + ref.ref.padding(toLength: 30, withPad: " ", startingAt: 0) + count)
    }

    heading("settings")
    // As wide as the longest key and two spaces: every value starts in one column.
    let keyWidth = max(28, (settings.map(\.key.count).max() ?? 0) + 2)
    for setting in settings {
      let value = setting.value.map(SafeText.terminal) ?? style.paint("(unset)", .dim)
      let source = setting.source == "default" ? style.paint("default", .dim) : SafeText.terminal(setting.source)
      let key = setting.key + String(repeating: " ", count: keyWidth - setting.key.count)
      lines.append("  " + key + value + "  [" + source + "]")
    }

    if let monitor = fileSystemMonitor {
      heading("file-system monitor")
      let modes = [
        "off": style.paint("none (core.fsmonitor unset)", .dim),
        "hook": "hook (core.fsmonitor)",
        "daemon": style.paint(
          "git's daemon (core.fsmonitor=true): not supported, checkpoints stat every file", .yellow),
        "hook-version-1": style.paint("a version 1 hook: not asked, checkpoints stat every file", .yellow),
      ]
      row("mode", modes[monitor.mode] ?? SafeText.terminal(monitor.mode))
      if let command = monitor.command { row("command", SafeText.terminal(command)) }
      row("in use", monitor.inUse ? style.paint("yes", .green) : style.paint("no", .dim))
      if let last = monitor.lastQuery {
        let shown = SafeText.terminal(last) + (monitor.lastQueryAt.map { "  (\($0))" } ?? "")
        row("last query", last.hasPrefix("failed") ? style.paint(shown, .yellow) : shown)
        if monitor.tokenKept == false { row("next", "every file looked at (no token kept)") }
      } else if monitor.inUse {
        row("last query", style.paint("none yet", .dim))
      }
    }

    heading("agents")
    for agent in agents {
      let state = agent.wired ? style.paint("wired", .green) + "  (\(agent.file))" : style.paint("not wired", .dim)
      row(agent.agent, state)
    }

    heading("rollup")
    row(
      "registered",
      rollup.project.map { style.paint("as \(SafeText.terminal($0))", .green) } ?? style.paint("no", .yellow))
    row("database", rollup.database)

    heading("runtime")
    row("octo-git", runtime.octoGit)
    row("libgit2", runtime.libgit2)
    row("SQLite", runtime.sqlite)
    row("libcurl", runtime.libcurl)

    if !problems.isEmpty {
      heading(style.paint("problems", .yellow))
      for problem in problems { lines.append("  - " + SafeText.terminal(problem)) }
    }
    return lines.joined(separator: "\n")
  }
}
