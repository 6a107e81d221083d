import ArgumentParser
import Foundation
import OctoGit

/// `octo-git statusline`: Claude Code's status line command.
struct StatusLineCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "statusline",
    abstract: "One line for Claude Code's status line: branch cost, this session's cost, pending usage, budget left.",
    discussion: """
      Reads the JSON Claude Code hands a status line command on stdin (session_id, workspace.current_dir or cwd, \
      model.display_name or model.id, cost.total_cost_usd) and prints one line of at most 120 characters: the \
      model, the branch and what its usage cost (committed and pending), this session's cost (Claude Code's own \
      figure when it is ahead of what octo-git has imported), what is pending in this work tree, and what is left \
      of octo.budget.branch or octo.budget, whichever is tighter.

      It runs on every prompt, so it reads only octo-git's cache of the notes and the pending store, as they are: \
      no notes are read and nothing touches the network (a report or a commit brings the cache up to date). It \
      always exits 0. octo-git install --agent claude-code --statusline sets it up in .claude/settings.local.json.
      """)

  @ParentCommand var root: OctoGitCommand

  func run() throws {
    Self.printLine(directory: (try? root.workingDirectory()) ?? FileManager.default.currentDirectoryPath)
  }

  /// Reads stdin (bounded; nothing when it is a terminal) and prints the line for `directory` (used when
  /// the input names no directory).
  static func printLine(directory: String) {
    let data = isatty(STDIN_FILENO) == 1 ? Data() : RegularFile.standardInput(limit: StatusLine.sizeLimit) ?? Data()
    let line = StatusLine.line(for: StatusLine.Input(json: data), currentDirectory: directory)
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
  }
}
