import ArgumentParser
import Foundation
import OctoGit

struct InstallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "install",
    abstract: "Install octo-git's hooks and notes configuration in this repository.",
    discussion: """
      Writes post-commit, pre-push and post-rewrite stubs into the hooks folder git really uses (core.hooksPath,
      linked worktrees). A hook already there is kept as <hook>.octo-orig and runs first, with the same arguments
      and input. With husky or lefthook, prints the lines to add to their configuration instead (--force installs
      anyway). Sets notes.rewriteRef and the notes merge strategy; never adds a push refspec. Registers the repository
      for the rollup (octo-git repos). --agent claude-code|codex|all also merges a checkpoint hook and a usage-import
      hook into .claude/settings.json or .codex/hooks.json. Running it again changes nothing.
      """
  )

  @ParentCommand var root: OctoGitCommand
  @Flag(help: "Install even where a hook manager is in charge (its hooks are chained).") var force = false
  @Option(help: "Wire an agent's own hooks too: claude-code, codex, all or none.") var agent: String = "none"
  @Flag(help: "Print what was done as JSON.") var json = false

  func run() throws {
    let repository = try root.openRepository()
    guard let agents = AgentSetup.agents(named: agent) else {
      throw OctoError("unknown agent '\(agent)'", hint: "use claude-code, codex, all or none", status: .usage)
    }
    var report = try HookInstaller.install(repository, binary: OctoGitCommand.executablePath, force: force)
    for agent in agents {
      report.changes += try AgentSetup.install(agent, in: repository, binary: OctoGitCommand.executablePath)
    }
    if json {
      print(CanonicalJSON.string(.object([
        "changes": .array(report.changes.map(JSONValue.string)),
        "instructions": .array(report.instructions.map(JSONValue.string)),
      ])))
      return
    }
    for line in report.changes { print(line) }
    for line in report.instructions { print(line) }
  }
}

struct UninstallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "uninstall",
    abstract: "Remove octo-git's hooks (putting back the hooks they replaced) and the configuration install added.",
    discussion: "The notes and checkpoints stay: they are your data.")

  @ParentCommand var root: OctoGitCommand

  func run() throws {
    let repository = try root.openRepository()
    for line in try HookInstaller.uninstall(repository).changes { print(line) }
    for line in try AgentSetup.uninstallAll(repository) { print(line) }
  }
}

struct NotesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "notes",
    abstract: "Share the octo notes with a remote.",
    subcommands: [Sync.self]
  )

  struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sync",
      abstract: "Fetch the remote's octo notes, merge them (cat_sort_uniq) and push the result.",
      discussion: "The pre-push hook runs this. Checkpoint metadata is pushed only with octo.checkpoint.push=true.")

    @ParentCommand var root: OctoGitCommand
    @Option(help: "The remote (default origin).") var remote: String = "origin"
    @Flag(help: "Print what was done as JSON.") var json = false

    func run() throws {
      let outcome = try NotesSync.sync(try root.openRepository(), remote: remote)
      if json {
        print(CanonicalJSON.string(.object([
          "merged": .array(outcome.merged.map(JSONValue.string)), "pushed": .array(outcome.pushed.map(JSONValue.string)),
          "attempts": .int(outcome.attempts),
        ])))
      }
    }
  }
}
