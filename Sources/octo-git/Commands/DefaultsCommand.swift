import ArgumentParser
import Foundation
import OctoGit

struct DefaultsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "defaults",
    abstract: "List or print the default files compiled into octo-git (hooks, templates, settings).",
    discussion: """
      Without a path, lists the embedded files. With one, prints it exactly, e.g. to start an override:
        octo-git defaults config/settings.gitconfig
      """
  )

  @Argument(help: "An embedded file's path, as listed (e.g. hooks/post-commit).")
  var path: String?

  func run() throws {
    guard let path else {
      print(DefaultFiles.paths.joined(separator: "\n"))
      return
    }
    guard let content = DefaultFiles.content(of: path) else {
      throw OctoError.badInput(
        "no default file named '\(path)'", hint: "run octo-git defaults to list them")
    }
    FileHandle.standardOutput.write(Data(content.utf8))
  }
}
