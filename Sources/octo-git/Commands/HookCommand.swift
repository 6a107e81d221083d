import ArgumentParser
import Foundation
import OctoGit

struct HookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hook",
    abstract: "Run octo-git's part of a git hook (what the installed hook stubs call).",
    discussion: "Hooks never fail the git command because of octo-git: problems are one line on stderr.",
    subcommands: [PostCommit.self]
  )

  struct PostCommit: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "post-commit", abstract: "Attach this work tree's pending usage to the new commit.")

    func run() {
      for line in PostCommitHook.run(directory: FileManager.default.currentDirectoryPath) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
      }
    }
  }
}
