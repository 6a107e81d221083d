import Foundation

/// Wires coding agents to octo-git through the agents' own hook configuration.
///
/// Each agent gets a hook before it edits files or runs shell commands that takes a checkpoint
/// (`octo-git checkpoint --quiet --agent NAME --hook-input -`), and a hook when a turn or session ends that
/// imports the session's usage (`octo-git usage import NAME --hook-input -`). Both always exit 0, print
/// nothing on stdout, and are given 30 seconds.
/// - Claude Code: `.claude/settings.local.json` (personal: Claude Code keeps it out of git), `PreToolUse` on
///   Edit, MultiEdit, Write, NotebookEdit and Bash; `Stop` and `SessionEnd`.
/// - Codex CLI: `.codex/hooks.json` (same shape) while git does not track it, `PreToolUse` on Bash and
///   apply_patch; `Stop`.
/// - Gemini CLI: `.gemini/settings.json` (same shape, timeout in milliseconds) while git does not track it,
///   `BeforeTool` on write_file, replace and run_shell_command; `AfterAgent` and `SessionEnd`.
/// - Qwen Code: `.qwen/settings.json` (likewise), `PreToolUse` on edit, write_file and run_shell_command;
///   `Stop` and `SessionEnd`.
/// - GitHub Copilot CLI: `.github/hooks/octo-git.json` (a hook file of its own, `{"version": 1, "hooks": …}`,
///   flat entries) while git does not track it, `preToolUse` on bash, create, edit and apply_patch;
///   `sessionEnd`.
///
/// A file octo-git creates inside the work tree is listed in `<common-dir>/info/exclude`, so `git status`
/// does not change. A tracked file is left alone unless `--shared` asks for the team's file
/// (`.claude/settings.json`, or the same file for the others); there octo-git is named through `PATH`, never
/// by an absolute path.
///
/// A file is edited as text: the entries are spliced in and everything else keeps its bytes (key order,
/// indentation, spacing). The original bytes are kept in `<common-dir>/octo/agents/` first; uninstall puts
/// them back when the file still holds just what octo-git left, and otherwise takes out only octo-git's
/// entries.
public enum AgentSetup {
  /// Parses `--agent`: one agent, `all` or `none`.
  public static func agents(named name: String) -> [Agent]? {
    switch name {
    case "none": return []
    case "all": return Agent.allCases
    default: return Agent(rawValue: name).map { [$0] }
    }
  }

  /// The personal file of `agent` in this work tree.
  static func settingsPath(_ repository: Repository, _ agent: Agent) -> String {
    repository.workDirectory + "/" + agent.personalFile
  }

  static func quoted(_ binary: String) -> String { ShellWord.quoted(binary) }

  /// One hook octo-git adds.
  struct Entry {
    let event: String
    let matcher: String?
    let command: String
    /// What identifies this hook of octo-git's whatever the binary's path.
    let marker: String
    /// How the agent's file lays it out.
    let layout: Agent.HookLayout

    /// The block as the agent's hook file holds it.
    var block: JSONText.Value {
      var members: [(String, JSONText.Value)] = []
      switch layout {
      case .grouped(let timeout):
        if let matcher { members.append(("matcher", .string(matcher))) }
        let hook = JSONText.Value.object([
          ("type", .string("command")), ("command", .string(command)), ("timeout", .int(timeout)),
        ])
        members.append(("hooks", .array([hook])))
      case .flat(let timeoutSeconds):
        members = [("type", .string("command")), ("bash", .string(command))]
        if let matcher { members.append(("matcher", .string(matcher))) }
        members.append(("timeoutSec", .int(timeoutSeconds)))
      }
      return .object(members)
    }
  }

  /// octo-git's hook entries for `agent`: the personal file calls `binary` by its absolute path; the team's
  /// file (`binary` nil) finds `octo-git` through `PATH`, and does nothing where it is not installed.
  static func entries(_ agent: Agent, binary: String?) -> [Entry] {
    // Run by the agent's shell. The team's file finds octo-git on PATH; the personal one runs this binary,
    // else (moved by an upgrade, say) the one on PATH, else nothing: a hook of octo-git's never fails the
    // agent's step.
    // (The team's command is as it always was: a committed file is not rewritten by a newer octo-git.)
    let fromPath = "command -v octo-git >/dev/null 2>&1 || exit 0; octo-git "
    func command(_ marker: String) -> String {
      guard let binary else { return fromPath + marker }
      return "[ -x \(quoted(binary)) ] && exec \(quoted(binary)) \(marker); " + fromPath + marker
    }
    let checkpoint = Entry(
      event: agent.checkpointEvent, matcher: agent.editingTools, command: command(agent.markers[0]),
      marker: agent.markers[0], layout: agent.layout)
    return [checkpoint]
      + agent.endEvents.map {
        Entry(
          event: $0, matcher: nil, command: command(agent.markers[1]), marker: agent.markers[1], layout: agent.layout)
      }
  }

  // MARK: - Install

  /// Adds octo-git's hooks to the agent's personal file (or, with `shared`, to the team's file). Returns
  /// what changed (nothing when all is there already) and what the user has to do.
  public static func install(_ agent: Agent, in repository: Repository, binary: String, shared: Bool = false) throws
    -> HookInstaller.Report
  {
    var report = HookInstaller.Report()
    let relative = shared ? agent.sharedFile : agent.personalFile
    if let reason = try reasonToLeaveAlone(agent, in: repository, shared: shared) {
      report.instructions.append(reason)
      return report
    }
    let sharedPath = repository.workDirectory + "/" + agent.sharedFile
    if !shared, agent.sharedFile != agent.personalFile, holdsOurs(sharedPath, agent) {
      // An older octo-git put its hooks, with this machine's path, in the team's file: they move.
      report.changes += try removeUnrecorded(agent.sharedFile, agent: agent, in: repository)
    }
    let changes = try write(
      entries(agent, binary: shared ? nil : binary), to: relative, agent: agent, shared: shared, in: repository)
    report.changes += changes
    if shared, agent.sharedFile != agent.personalFile {
      // The personal wiring would run every hook a second time.
      // (Its status line, personal by nature, stays.)
      report.changes += try uninstallRecorded(in: repository, shared: true, keepingStatusLine: true) {
        $0.workTree == repository.workDirectory && $0.relativePath == agent.personalFile
      }.changes
      report.changes += try removeUnrecorded(
        agent.personalFile, agent: agent, keepingStatusLine: true, in: repository)
    }
    return report
  }

  /// Why install leaves the agent's file alone, as the line it prints (`nil`: it writes the file): the
  /// team's file runs octo-git already, the personal file is wired for the team, or git tracks it.
  static func reasonToLeaveAlone(_ agent: Agent, in repository: Repository, shared: Bool) throws -> String? {
    guard !shared else { return nil }
    let relative = agent.personalFile
    let state = AgentFilesState.load(repository)
    let sharedPath = repository.workDirectory + "/" + agent.sharedFile
    if agent.sharedFile != agent.personalFile, holdsOurs(sharedPath, agent),
      try state.files.contains(where: { $0.path == sharedPath && $0.shared })
        || isTracked(agent.sharedFile, in: repository)
    {
      return "\(agent.displayName): \(agent.sharedFile) runs octo-git already (the team's wiring); "
        + "nothing added to \(relative)"
    }
    let path = repository.workDirectory + "/" + relative
    if state.files.contains(where: { $0.path == path && $0.shared }) {
      return "\(agent.displayName): \(relative) is wired for the team (--shared); nothing personal added"
    }
    if try isTracked(relative, in: repository) {
      return "\(agent.displayName): \(relative) is tracked by git, so octo-git leaves it alone; "
        + "octo-git install --agent \(agent.rawValue) --shared adds octo-git to it for the whole team (through PATH)"
    }
    return nil
  }
}
