import ArgumentParser
import Foundation
import OctoGit

/// The `octo-git` command line: parses arguments and hands the work to the OctoGit library.
@main
struct OctoGitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "octo-git",
    abstract: "Records what AI coding agents cost in git notes, checkpoints their work, and keeps git tidy.",
    discussion: """
      Run it inside a git work tree, or name one with -C. Data commands take --json.

      Exit codes:
      \(ExitStatus.table)
      """,
    version: "octo-git \(Version.octoGit)",
    subcommands: [
      InstallCommand.self, UninstallCommand.self, DoctorCommand.self, CheckpointCommand.self, CheckpointsCommand.self, RestoreCommand.self, UsageCommand.self, PricingCommand.self, CacheCommand.self, HookCommand.self,
      NotesCommand.self, FeatureCommand.self, PullRequestCommand.self, ReposCommand.self, RollupCommand.self, TeamCommand.self, DefaultsCommand.self,
    ]
  )

  @Option(
    name: [.customShort("C"), .customLong("repo")],
    help: ArgumentHelp("Run as if octo-git was started in <path> (repeatable, as git's -C).", valueName: "path"))
  var directories: [String] = []

  /// The directory the command works in: the current one, changed by each -C in turn.
  func workingDirectory() throws -> String {
    var directory = FileManager.default.currentDirectoryPath
    for path in directories where !path.isEmpty {
      let next = path.hasPrefix("/") ? path : directory + "/" + path
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: next, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw OctoError("cannot change to '\(path)': no such directory", hint: "check the path given to -C", status: .usage)
      }
      directory = URL(fileURLWithPath: next).standardizedFileURL.path
    }
    return directory
  }

  /// The absolute path of this executable (baked into the hook stubs).
  static var executablePath: String {
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
    return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
  }

  /// `path` (relative to where octo-git was started, after -C) as a path inside the work tree.
  ///
  /// - Throws: ``OctoError`` when it points outside the repository.
  func repositoryPath(_ path: String, in repository: Repository) throws -> String {
    let base = try workingDirectory()
    let absolute = URL(fileURLWithPath: path.hasPrefix("/") ? path : base + "/" + path).standardizedFileURL.path
    let root = URL(fileURLWithPath: repository.workDirectory).standardizedFileURL.path
    if absolute == root { return "" }
    guard absolute.hasPrefix(root + "/") else {
      throw OctoError.badInput("\(path) is outside the repository (\(root))", hint: "name a path inside the work tree")
    }
    return String(absolute.dropFirst(root.count + 1))
  }

  /// The repository the command works on, opened once for the whole process.
  func openRepository() throws -> Repository {
    try Repository.discover(from: try workingDirectory())
  }

  static func main() {
    // Git runs this on every commit: skip building the whole command tree (reflection over every
    // command costs milliseconds) for the exact argument list the hook stub passes.
    if CommandLine.arguments.dropFirst().elementsEqual(["hook", "post-commit"]) {
      HookCommand.PostCommit().run()
      Foundation.exit(0)
    }
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let error as OctoError {
      fail(error.description, status: error.status)
    } catch let error as GitError {
      fail(error.description, status: error.exitStatus)
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        if !message.isEmpty { print(message) }
        Foundation.exit(0)
      }
      if code == .validationFailure {
        fail(oneLine(usageMessage: message), status: .usage)
      }
      FileHandle.standardError.write(Data((message + "\n").utf8))
      Foundation.exit(code.rawValue)
    }
  }

  /// ArgumentParser's usage error (error, usage, "See …" lines) folded into one line: what was wrong and
  /// where help is.
  static func oneLine(usageMessage: String) -> String {
    let lines = usageMessage.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    var problem = lines.first ?? "bad command line"
    if problem.hasPrefix("Error: ") { problem = String(problem.dropFirst("Error: ".count)) }
    if let first = problem.first { problem = first.lowercased() + problem.dropFirst() }
    if let see = lines.first(where: { $0.hasPrefix("See '") }),
      let help = see.split(separator: "'", omittingEmptySubsequences: false).dropFirst().first
    {
      return "\(problem); see '\(help)'"
    }
    return problem
  }

  /// Prints `octo-git: <message>` on stderr and exits with `status`.
  static func fail(_ message: String, status: ExitStatus) -> Never {
    let style = OutputStyle.forDescriptor(STDERR_FILENO)
    FileHandle.standardError.write(Data((style.paint("octo-git:", .red) + " " + SafeText.terminal(message) + "\n").utf8))
    Foundation.exit(status.rawValue)
  }
}
