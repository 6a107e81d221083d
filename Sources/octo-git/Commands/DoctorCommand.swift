import ArgumentParser
import Foundation
import OctoGit

struct DoctorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Show what octo-git sees in this repository and what needs fixing.",
    discussion: """
      Reports the work tree, git and common directories, HEAD, the hooks directory git really uses, the \
      octo notes refs and how many notes each holds, the octo.* settings with where each comes from, and \
      the versions of libgit2, SQLite and libcurl in use.
      """
  )

  @ParentCommand var root: OctoGitCommand

  @Flag(help: "Print the report as JSON.")
  var json = false

  func run() throws {
    // A bare mirror too: doctor only reads.
    let repository = try Repository.openForReading(at: try root.workingDirectory())
    let report = try Doctor.report(for: repository)
    if json {
      print(try JSONOutput.encode(report))
    } else {
      print(report.text(style: .forDescriptor(STDOUT_FILENO)))
    }
  }
}
