import ArgumentParser
import Foundation
import OctoGit

struct CacheCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cache",
    abstract: "Manage the local cache of the notes.",
    subcommands: [Rebuild.self]
  )

  struct Rebuild: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rebuild",
      abstract: "Recreate the cache from the notes alone (reports are then identical).")

    @ParentCommand var root: OctoGitCommand
    @Flag(help: "Print what was read as JSON.") var json = false
    @Flag(name: .shortAndLong, help: "Print nothing (problems still go to stderr).") var quiet = false

    func run() throws {
      let ledger = try Ledger(repository: try root.openRepository())
      let refresh = try ledger.store.refreshCache(from: ledger.repository, rebuild: true)
      if json {
        print(CanonicalJSON.string(refresh.json))
        return
      }
      if refresh.malformedLines > 0 {
        FileHandle.standardError.write(
          Data("octo-git: \(refresh.malformedLines) note line(s) could not be read and were skipped\n".utf8))
      }
      if !quiet {
        let commits = refresh.commitsRead
        print("rebuilt the cache from the usage notes of \(commits) commit\(commits == 1 ? "" : "s")")
      }
    }
  }
}
