import ArgumentParser
import Foundation
import OctoGit

struct HookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hook",
    abstract: "Run octo-git's part of a git hook (what the installed hook stubs call).",
    discussion: "Hooks never fail the git command because of octo-git: problems are one line on stderr.",
    subcommands: [PostCommit.self, PrePush.self, PostRewrite.self]
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

  struct PrePush: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pre-push", abstract: "Push the octo notes with the user's push (never fails it).")
    @Argument(help: "The remote's name, as git passes it.") var remote: String = "origin"
    @Argument(help: "The remote's URL, as git passes it.") var url: String = ""

    func run() {
      // git gives the refs being pushed on stdin; the notes go with any push (a few megabytes read at most).
      let pushed = String(decoding: RegularFile.standardInput(limit: 4 << 20) ?? Data(), as: UTF8.self)
      let name = remote.isEmpty ? "origin" : remote
      for line in PrePushHook.run(
        directory: FileManager.default.currentDirectoryPath, remote: name, pushedRefs: pushed)
      {
        FileHandle.standardError.write(Data((line + "\n").utf8))
      }
    }
  }

  struct PostRewrite: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "post-rewrite", abstract: "Make rewritten commits carry the usage of the commits they replace.")
    @Argument(help: "amend or rebase, as git passes it.") var kind: String = "amend"

    func run() {
      let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
      for line in PostRewriteHook.run(directory: FileManager.default.currentDirectoryPath, input: input, kind: kind) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
      }
    }
  }
}
