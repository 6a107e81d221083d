import ArgumentParser
import Foundation
import OctoGit

struct InstallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "install",
    abstract: "Install octo-git's hooks and notes configuration in this repository.",
    discussion: """
      Writes post-commit, pre-push and post-rewrite stubs into the hooks folder git really uses (core.hooksPath, \
      linked worktrees). A hook already there is kept as <hook>.octo-orig and runs first, with the same arguments \
      and input. With husky or lefthook in charge, prints the lines to add to their configuration instead (--force \
      installs anyway); when their configuration is here but they are not installed, writes the hooks and prints \
      the lines for later. Sets notes.rewriteRef and the notes merge strategy; never adds a push refspec. Registers \
      the repository for the rollup (octo-git repos). --agent claude-code|codex|gemini|copilot|qwen|all also merges a \
      checkpoint hook (before edits and shell commands) and a usage-import hook (when a turn or session ends) into \
      the agent's personal, untracked file: .claude/settings.local.json; or, while git does not track it, \
      .codex/hooks.json, .gemini/settings.json, .github/hooks/octo-git.json (GitHub Copilot CLI), \
      .qwen/settings.json. The hooks never stop the agent. OpenCode, Kilo CLI, Cline, Roo Code and Kilo Code have \
      no such hooks: octo-git usage import reads them. Files octo-git creates in the work tree are listed in \
      .git/info/exclude, so git status does not change; a tracked file is never edited. --shared writes the team's \
      file instead (.claude/settings.json, or the same file for the others), naming octo-git through PATH, for you \
      to commit. Edited files keep their formatting; uninstall puts back their exact bytes. Running it again \
      changes nothing. \
      --statusline (with --agent claude-code or all) also sets Claude Code's status line to octo-git statusline in \
      .claude/settings.local.json; a status line you already have (in your user settings, the team's or the \
      personal file) is left as it is, and install says so.
      """
  )

  @ParentCommand var root: OctoGitCommand
  @OptionGroup var output: QuietOption
  @Flag(help: "Install even where a hook manager is in charge (its hooks are chained).") var force = false
  @Option(help: "Wire an agent's own hooks too: claude-code, codex, gemini, copilot, qwen, all or none.")
  var agent: String = "none"
  @Flag(help: "Wire the agents in the team's tracked files (octo-git found through PATH), not your personal ones.")
  var shared = false
  @Flag(help: "Print what was done as JSON.") var json = false
  @Option(
    help: "Also write a CI workflow for pull request cost and merged usage: github (.github/workflows/octo-git.yml).")
  var ci: String?
  @Flag(
    help: "Also show cost in Claude Code's status line (octo-git statusline), unless you have a status line already.")
  var statusline = false

  func validate() throws {
    guard AgentSetup.agents(named: agent) != nil else {
      let names = AgentSetup.Agent.allCases.map(\.rawValue) + ["all", "none"]
      let near = EditDistance.nearest(to: agent, among: names).map { " (did you mean '\($0)'?)" } ?? ""
      throw ValidationError("unknown agent '\(agent)'\(near): use \(names.joined(separator: ", "))")
    }
    guard statusline else { return }
    guard let agents = AgentSetup.agents(named: agent), agents.contains(.claudeCode) else {
      throw ValidationError("--statusline is Claude Code's: give it with --agent claude-code (or all)")
    }
    if shared {
      throw ValidationError(
        "--statusline goes in your personal settings (.claude/settings.local.json), not with --shared")
    }
  }

  func run() throws {
    output.silenceStandardOutput()
    let repository = try root.openRepository()
    let agents = AgentSetup.agents(named: agent) ?? []
    let workflow = try ci.map(CIWorkflow.Provider.named)
    for agent in agents { try AgentSetup.checkInstallable(agent, in: repository, shared: shared) }
    if statusline { try AgentSetup.checkStatusLineInstallable(in: repository) }
    var report = try HookInstaller.install(repository, binary: OctoGitCommand.executablePath, force: force)
    for agent in agents {
      let wired = try AgentSetup.install(agent, in: repository, binary: OctoGitCommand.executablePath, shared: shared)
      report.changes += wired.changes
      report.instructions += wired.instructions
    }
    if statusline {
      let shown = try AgentSetup.installStatusLine(in: repository, binary: OctoGitCommand.executablePath)
      report.changes += shown.changes
      report.instructions += shown.instructions
    }
    if let workflow {
      let written = try CIWorkflow.install(workflow, in: repository, force: force)
      report.changes += written.changes
      report.instructions += written.instructions
    }
    if json {
      print(CanonicalJSON.string(report.json))
      return
    }
    // Lines name paths, remotes and projects from the repository's config: escaped for the terminal.
    for line in report.changes { print(SafeText.terminal(line)) }
    for line in report.instructions { output.instruct(SafeText.terminal(line)) }
  }
}

struct UninstallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "uninstall",
    abstract: "Remove octo-git's hooks (putting back the hooks they replaced) and the configuration install added.",
    discussion: """
      The agent files octo-git edited get their original bytes back (or lose only octo-git's entries when you \
      changed them since); the files it created, their info/exclude lines and the config sections it emptied go. \
      A tracked file committed with octo-git's hooks (the team's) is left alone unless --shared. The notes and \
      checkpoints stay: they are your data.
      """)

  @ParentCommand var root: OctoGitCommand
  @OptionGroup var output: QuietOption
  @Flag(help: "Also take octo-git's hooks out of the team's tracked agent files.") var shared = false

  func run() throws {
    output.silenceStandardOutput()
    let repository = try root.openRepository()
    let hooks = try HookInstaller.uninstall(repository)
    for line in hooks.changes { print(SafeText.terminal(line)) }
    for line in hooks.instructions { output.instruct(SafeText.terminal(line)) }
    let agents = try AgentSetup.uninstallAll(repository, shared: shared)
    for line in agents.changes { print(line) }
    for line in agents.instructions { output.instruct(line) }
  }
}

struct NotesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "notes",
    abstract: "Share the octo notes with a remote.",
    subcommands: [Sync.self, Carry.self]
  )

  struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sync",
      abstract: "Fetch the remote's octo notes, merge them (cat_sort_uniq) and push the result.",
      discussion: "The pre-push hook runs this. Checkpoint metadata is pushed only with octo.checkpoint.push=true.")

    @ParentCommand var root: OctoGitCommand
    @OptionGroup var output: QuietOption
    @Option(help: "The remote.") var remote: String = "origin"
    @Flag(help: "Print what was done as JSON.") var json = false

    func run() throws {
      output.silenceStandardOutput()
      let outcome = try NotesSync.sync(try root.openRepository(), remote: remote)
      print(json ? CanonicalJSON.string(outcome.json) : SafeText.terminal(outcome.summary(remote: remote)))
    }
  }
}
