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
      InstallCommand.self, UninstallCommand.self, DoctorCommand.self, CheckpointCommand.self, CheckpointsCommand.self,
      RestoreCommand.self, UsageCommand.self, PricingCommand.self, CacheCommand.self, HookCommand.self,
      NotesCommand.self, FeatureCommand.self, PullRequestCommand.self, ReposCommand.self, RollupCommand.self,
      TeamCommand.self,
      StatusLineCommand.self, DefaultsCommand.self,
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
        let what = FileManager.default.fileExists(atPath: next) ? "not a directory" : "no such directory"
        throw OctoError(
          "cannot change to '\(SafeText.terminal(path))': \(what)", hint: "check the path given to -C", status: .usage)
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
    // Claude Code runs this after every message: the same shortcut.
    if CommandLine.arguments.dropFirst().elementsEqual(["statusline"]) {
      StatusLineCommand.printLine(directory: FileManager.default.currentDirectoryPath)
      Foundation.exit(0)
    }
    do {
      // Agents' hooks run this before every tool call: the same shortcut, for the argument lists they write.
      if let checkpoint = CheckpointCommand.shortcut(Array(CommandLine.arguments.dropFirst())) {
        try CheckpointCommand.run(checkpoint) { FileManager.default.currentDirectoryPath }
        return
      }
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

  /// ArgumentParser's usage error (error, help, usage, "See …" lines) folded into one line: what was wrong,
  /// what was probably meant, and where help is. `arguments` are the command line's (after the program
  /// name), to name the command a misspelled subcommand was given to.
  static func oneLine(usageMessage: String, arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> String {
    let lines = usageMessage.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    var see: String?
    if let line = lines.first(where: { $0.hasPrefix("See '") }),
      let help = line.split(separator: "'", omittingEmptySubsequences: false).dropFirst().first
    {
      see = String(help)
    }
    // The problem is the first line and those after it up to the help or usage lines; a list of values
    // comes as "- value" lines.
    var parts: [String] = []
    var values: [String] = []
    for line in lines {
      if line.hasPrefix("Help:") || line.hasPrefix("Usage:") || line.hasPrefix("USAGE:") || line.hasPrefix("See '") {
        break
      }
      if line.hasPrefix("- ") {
        values.append(String(line.dropFirst(2)))
      } else if !line.isEmpty {
        parts.append(line)
      }
    }
    var problem = parts.joined(separator: " ")
    if problem.hasPrefix("Error: ") { problem = String(problem.dropFirst("Error: ".count)) }
    if problem.isEmpty { problem = "bad command line" }

    if let word = quoted(after: "Unexpected argument ", in: problem),
      let (command, names) = subcommandContext(for: word, in: arguments)
    {
      problem = "'\(word)' is not a command of \(command)"
      if let near = EditDistance.nearest(to: word, among: names) { problem += " (did you mean '\(near)'?)" }
      see = "\(command) --help"
    } else if let range = problem.range(of: ". Did you mean ") {
      // "Unknown option '--mesage'. Did you mean '--message'?"
      problem = problem[..<range.lowerBound] + " (did you mean " + problem[range.upperBound...] + ")"
    } else if problem.hasPrefix("The value '"), let invalid = problem.range(of: "' is invalid for '") {
      if let detail = problem.range(of: "': ", range: invalid.upperBound..<problem.endIndex) {
        // A value refused with its own explanation (which names the option).
        problem = String(problem[detail.upperBound...])
      } else if let list = problem.range(of: ". Please provide one of ") {
        // "The value 'modle' is invalid for '--by <by>'. Please provide one of 'a', 'b' or 'c'." (or a list
        // of "- value" lines after "the following:").
        let offered = problem[list.upperBound...]
        if !offered.hasPrefix("the following") {
          values = offered.split(separator: "'", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
        let value = quoted(after: "The value ", in: problem) ?? ""
        problem = String(problem[..<list.lowerBound])
        if !values.isEmpty {
          problem += ": use one of " + values.joined(separator: ", ")
          if let near = EditDistance.nearest(to: value, among: values) { problem += " (did you mean '\(near)'?)" }
        }
      }
    }
    while problem.hasSuffix(".") { problem.removeLast() }
    if let first = problem.first { problem = first.lowercased() + problem.dropFirst() }
    guard let see else { return problem }
    return "\(problem); see '\(see)'"
  }

  /// The text between the quotes after `prefix` at the start of `text` (`'usag'` in
  /// "Unexpected argument 'usag'").
  static func quoted(after prefix: String, in text: String) -> String? {
    guard text.hasPrefix(prefix + "'") else { return nil }
    let rest = text.dropFirst(prefix.count + 1)
    guard let end = rest.firstIndex(of: "'") else { return nil }
    return String(rest[..<end])
  }

  /// When `word` stands where a subcommand goes (the command before it has subcommands), that command's
  /// full name (`octo-git checkpoints`) and its subcommands' names; nil otherwise.
  static func subcommandContext(for word: String, in arguments: [String]) -> (command: String, names: [String])? {
    var command: ParsableCommand.Type = OctoGitCommand.self
    var path = ["octo-git"]
    var skipNext = false
    for argument in arguments {
      if skipNext {
        skipNext = false
        continue
      }
      if argument == "-C" || argument == "--repo" {
        skipNext = true
        continue
      }
      let subcommands = command.configuration.subcommands
      if argument == word {
        guard !subcommands.isEmpty else { return nil }
        return (path.joined(separator: " "), subcommands.map { $0._commandName })
      }
      if let next = subcommands.first(where: { $0._commandName == argument }) {
        command = next
        path.append(argument)
      }
    }
    return nil
  }

  /// Prints `octo-git: <message>` on stderr and exits with `status`.
  static func fail(_ message: String, status: ExitStatus) -> Never {
    let style = OutputStyle.forDescriptor(STDERR_FILENO)
    FileHandle.standardError.write(
      Data((style.paint("octo-git:", .red) + " " + SafeText.terminal(message) + "\n").utf8))
    Foundation.exit(status.rawValue)
  }
}
