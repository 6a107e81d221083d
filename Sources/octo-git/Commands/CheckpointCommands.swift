import ArgumentParser
import Foundation
import OctoGit

struct CheckpointCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "checkpoint",
    abstract: "Snapshot the whole work tree now, before a risky step (HEAD, index and files stay untouched).",
    discussion: """
      Records tracked files as they are on disk (modified or deleted), untracked files that are not ignored, \
      executable bits, symlinks, submodules, and the staged state. Prints the checkpoint id.

      Undo a bad step with: octo-git restore latest
      """
  )

  @ParentCommand var root: OctoGitCommand
  @Option(name: .shortAndLong, help: "What is about to happen.") var message: String = ""
  @Option(help: "The agent taking it, e.g. claude-code.") var agent: String?
  @Option(help: "The agent's session id.") var session: String?
  @Flag(help: "Capture ignored files too (they may hold secrets).") var includeIgnored = false
  @Flag(name: .shortAndLong, help: "Print nothing (what was left out still goes to stderr).") var quiet = false
  @Flag(help: "Print the checkpoint as JSON.") var json = false
  @Option(help: "Read an agent hook's JSON from this file, - for stdin (session, cwd, tool); never fails then.")
  var hookInput: String?

  /// What one `checkpoint` command line asks for, however it was read.
  struct Values: Equatable {
    var message = ""
    var agent: String?
    var session: String?
    var includeIgnored = false
    var quiet = false
    var json = false
    var hookInput: String?
  }

  func run() throws {
    let values = Values(
      message: message, agent: agent, session: session, includeIgnored: includeIgnored, quiet: quiet, json: json,
      hookInput: hookInput)
    try Self.run(values, in: root.workingDirectory)
  }

  /// Takes the checkpoint `values` ask for, in the work tree holding `directory()` (unless the hook's input
  /// names one).
  static func run(_ values: Values, in directory: () throws -> String) throws {
    guard let hookInput = values.hookInput else {
      let checkpoints = Checkpoints(repository: try Repository.discover(from: try directory()))
      let taken = try checkpoints.takeReporting(
        .init(
          message: values.message, agent: values.agent, session: values.session,
          includeIgnored: values.includeIgnored))
      printWarnings(taken.warnings)
      if values.quiet { return }
      if values.json {
        print(CanonicalJSON.string(taken.json))
      } else {
        print(taken.checkpoint.id.hex)
      }
      return
    }
    // Called by an agent's hook: an error must not stop the agent, so it is one line and exit 0.
    do {
      let input = AgentHookInput.read(from: hookInput)
      let workingDirectory = try input.workingDirectory ?? directory()
      let checkpoints = Checkpoints(repository: try Repository.open(at: workingDirectory))
      let note = values.message.isEmpty ? input.toolName.map { "before \($0)" } ?? "" : values.message
      let taken = try checkpoints.takeReporting(
        .init(
          message: note, agent: values.agent, session: values.session ?? input.sessionID,
          includeIgnored: values.includeIgnored))
      printWarnings(taken.warnings)
    } catch {
      FileHandle.standardError.write(Data("octo-git: no checkpoint taken: \(error)\n".utf8))
    }
  }

  /// The `checkpoint` command line as agents' hooks and scripts write it (`checkpoint --quiet --agent
  /// claude-code --hook-input -`), read without ArgumentParser: building its tree of every command costs
  /// about a millisecond, on each of an agent's tool calls. `nil` for anything else (`-C`, `--help`,
  /// `--agent=x`, an option given twice, a value that looks like an option): the full parser reads those,
  /// and gives the same values for what this reads.
  static func shortcut(_ arguments: [String]) -> Values? {
    guard arguments.first == "checkpoint" else { return nil }
    // Plain code, no dictionary or set: building their generic types would cost this path what it saves.
    let names = ["--quiet", "--json", "--include-ignored", "--message", "--agent", "--session", "--hook-input"]
    var values = Values()
    var seen = [Bool](repeating: false, count: names.count)
    var rest = arguments.dropFirst()
    while let argument = rest.popFirst() {
      let name = argument == "-q" ? "--quiet" : argument == "-m" ? "--message" : argument
      guard let option = names.firstIndex(of: name), !seen[option] else { return nil }
      seen[option] = true
      guard option >= 3 else {
        switch option {
        case 0: values.quiet = true
        case 1: values.json = true
        default: values.includeIgnored = true
        }
        continue
      }
      guard let value = rest.popFirst(), !value.hasPrefix("-") || (name == "--hook-input" && value == "-") else {
        return nil
      }
      switch option {
      case 3: values.message = value
      case 4: values.agent = value
      case 5: values.session = value
      default: values.hookInput = value
      }
    }
    return values
  }

  /// What the checkpoint left out, one line each on stderr (`octo-git: left out big.bin (…)`).
  static func printWarnings(_ warnings: [String]) {
    guard !warnings.isEmpty else { return }
    FileHandle.standardError.write(Data(warnings.map { "octo-git: \(SafeText.terminal($0))\n" }.joined().utf8))
  }
}

struct CheckpointsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "checkpoints",
    abstract: "List, show, diff and prune checkpoints.",
    discussion: """
      Ids work by unique prefix, and as latest or latest~N (this work tree's, newest first, not counting the \
      checkpoints restores take of what they replace: those are named by the id restore prints).
      """,
    subcommands: [List.self, Show.self, Diff.self, Prune.self],
    defaultSubcommand: List.self
  )

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Checkpoints, newest first.")
    @ParentCommand var root: OctoGitCommand
    @Flag(help: "Every worktree's checkpoints.") var all = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      let checkpoints = try Checkpoints(repository: try root.openRepository()).list(allWorktrees: all)
      if json {
        print(CanonicalJSON.string(.array(checkpoints.map(\.json))))
        return
      }
      if checkpoints.isEmpty {
        print("no checkpoints yet; take one with: octo-git checkpoint -m \"what is about to happen\"")
        return
      }
      print(CheckpointTable.render(checkpoints, showWorktree: all, style: .forDescriptor(STDOUT_FILENO)))
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A checkpoint's details and files.")
    @ParentCommand var root: OctoGitCommand
    @Argument(help: "The checkpoint.") var id: String = "latest"
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      let repository = try root.openRepository()
      let checkpoint = try Checkpoints(repository: repository).find(id)
      let commit = try repository.commit(checkpoint.id)
      let base = try checkpoint.head.map { try repository.commit($0).tree }
      let stats = try repository.diff(from: base, to: commit.tree)
      if json {
        if let output = checkpoint.detailsJSON(files: stats) { print(CanonicalJSON.string(output)) }
        return
      }
      print(CheckpointTable.details(checkpoint, stats: stats, style: .forDescriptor(STDOUT_FILENO)))
    }
  }

  struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "diff",
      abstract: "What changed since a checkpoint (against the work tree), or between two checkpoints.",
      discussion: """
          octo-git checkpoints diff ID [PATH...]
          octo-git checkpoints diff ID1 ID2 [PATH...]
        """)
    @ParentCommand var root: OctoGitCommand
    @Argument(help: "The checkpoint, then optionally a second checkpoint, then paths.") var arguments: [String] = [
      "latest"
    ]
    @Flag(help: "A diffstat instead of the patch.") var stat = false

    func run() throws {
      let repository = try root.openRepository()
      let checkpoints = Checkpoints(repository: repository)
      var rest = arguments
      let first = try checkpoints.find(rest.removeFirst())
      var second: Checkpoint?
      if let next = rest.first, !FileManager.default.fileExists(atPath: next), let other = try? checkpoints.find(next) {
        second = other
        rest.removeFirst()
      }
      // An empty path is no path (a script's unset variable), never "the folder I am in".
      guard !rest.contains("") else { throw OctoError.badInput("an empty path names no file", hint: "name the paths") }
      let paths = try rest.map { try root.repositoryPath($0, in: repository) }
      let old = try repository.commit(first.id).tree
      let new = try second.map { try repository.commit($0.id).tree }
      if stat {
        let stats =
          second == nil
          ? try repository.diffToWorkTree(from: old, paths: paths)
          : try repository.diff(from: old, to: new, paths: paths)
        print(DiffStatText.render(stats, style: .forDescriptor(STDOUT_FILENO)))
      } else {
        let patch = try repository.patch(from: old, to: new, toWorkTree: second == nil, paths: paths)
        // Empty, as git diff's; said on a terminal, where nothing at all reads as a failure.
        let terminal = isatty(STDOUT_FILENO) == 1
        if patch.isEmpty && terminal { print("no differences") }
        // The files' bytes are anyone's: on a terminal their escape sequences are shown, never run (git shows
        // them through its pager, which does the same).
        FileHandle.standardOutput.write(
          Data((terminal ? SafeText.terminalLines(patch, keepingTabs: true) : patch).utf8))
      }
    }
  }

  struct Prune: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "prune",
      abstract: "Delete old checkpoints of this work tree.",
      discussion: """
        With neither option, keeps the newest octo.checkpoint.keep (200 when not set). With both, the newest N \
        stay whatever their age, and only older ones past the age go. The checkpoints a restore takes of what it \
        replaces are not counted in N; they go with the checkpoints older than them. Says in one line how many \
        were deleted (nothing with --quiet).
        """)
    @ParentCommand var root: OctoGitCommand
    @Option(parsing: .unconditional, help: "Keep the newest N.") var keep: Int?
    @Option(
      help:
        "Delete those older than this: an age (30m, 12h, 7d, 2w), a date (YYYY-MM-DD, local), an ISO-8601 time, today.")
    var olderThan: String?
    @Flag(help: "Print what was deleted as JSON.") var json = false
    @Flag(name: .shortAndLong, help: "Print nothing (problems still go to stderr).") var quiet = false

    func validate() throws {
      try ArgumentCheck.nonNegative(keep, "--keep", what: "number of checkpoints")
      if olderThan != nil { _ = try ArgumentCheck.runReturning { try age(now: Date()) } }
    }

    /// How old a checkpoint must be to go, from `--older-than` (nil without it).
    ///
    /// - Throws: a usage error when the value is no age, date or time, or lies in the future.
    func age(now: Date) throws -> TimeInterval? {
      guard let olderThan else { return nil }
      // The same parser as usage and rollup --since: an age is counted back from now, a day starts at local midnight.
      let cutoff = try DateText.instant(olderThan, edge: .start, timeZone: .current, now: now, option: "--older-than")
      guard cutoff <= now else {
        throw OctoError(
          "--older-than \(olderThan) is in the future (every checkpoint is older than that)",
          hint: "give an age such as 7d, or a past date", status: .usage)
      }
      return now.timeIntervalSince(cutoff)
    }

    func run() throws {
      let repository = try root.openRepository()
      let now = Date()
      let minimumAge = try age(now: now)
      let defaultKeep = try repository.config().int("octo.checkpoint.keep") ?? 200
      var warnings: [String] = []
      let pruned = try Checkpoints(repository: repository).prune(
        keep: keep ?? (minimumAge == nil ? defaultKeep : nil), olderThan: minimumAge, now: now, warnings: &warnings)
      CheckpointCommand.printWarnings(warnings)
      if json {
        print(CanonicalJSON.string(Checkpoints.prunedJSON(pruned)))
      } else if !quiet {
        print(
          pruned.isEmpty
            ? "no checkpoints to prune" : "pruned \(pruned.count) checkpoint\(pruned.count == 1 ? "" : "s")")
      }
    }
  }
}

struct RestoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "restore",
    abstract: "Bring back a checkpoint's files (the current state is checkpointed first, so this can be undone).",
    discussion: """
      Makes the work tree (or the named paths) exactly what the checkpoint holds: files are created, changed and \
      deleted as needed; ignored files are never touched (those the checkpoint holds are skipped and listed) \
      unless --include-ignored. Nothing is written through a symlink, and a checkpoint holding a path git would \
      refuse (.., .git) is refused. The index stays as it is unless --index.
      """
  )

  @ParentCommand var root: OctoGitCommand
  @Argument(help: "The checkpoint (id prefix, latest, latest~N).") var id: String
  @Argument(help: "Only these paths (files or folders).") var paths: [String] = []
  @Flag(help: "Also set the index to the staged state the checkpoint recorded (of the paths given, if any).")
  var index = false
  @Flag(
    help: "Also restore the ignored files the checkpoint holds (the undo checkpoint then captures ignored files too).")
  var includeIgnored = false
  @Option(help: "The agent asking for it.") var agent: String?
  @Flag(help: "Print the result as JSON.") var json = false
  @OptionGroup var output: QuietOption

  func run() throws {
    output.silenceStandardOutput()
    let repository = try root.openRepository()
    let checkpoints = Checkpoints(repository: repository)
    let checkpoint = try checkpoints.find(id)
    guard !paths.contains("") else {
      throw OctoError.badInput("an empty path names no file", hint: "nothing was restored; name the paths to restore")
    }
    let relative = try paths.map { try root.repositoryPath($0, in: repository) }
    let result = try checkpoints.restore(
      checkpoint, paths: relative, restoreIndex: index, includeIgnored: includeIgnored, agent: agent)
    // One line per file left as it was, on stderr whatever the format.
    CheckpointCommand.printWarnings(result.warnings)
    let skippedLines = result.skipped.map { "skipped \(SafeText.terminal($0.path)): \($0.reason)\n" }.joined()
    if json {
      if !skippedLines.isEmpty { FileHandle.standardError.write(Data(skippedLines.utf8)) }
      print(CanonicalJSON.string(result.json(restored: checkpoint)))
      return
    }
    // Quiet: what was left as it is still goes to stderr, what was done does not.
    if output.quiet {
      FileHandle.standardError.write(Data(skippedLines.utf8))
      return
    }
    if result.changedNothing {
      // Files left as they are (unreadable, in the way) were not compared: the others match.
      let matched =
        result.skipped.isEmpty && result.warnings.isEmpty
        ? "the files already match" : "the files it could compare already match"
      FileHandle.standardError.write(
        Data("\(skippedLines)nothing to restore: \(matched) \(checkpoint.id.abbreviated())\n".utf8))
      return
    }
    let summary =
      "restored \(checkpoint.id.abbreviated()): \(result.written.count) written, \(result.deleted.count) deleted"
      + (result.skipped.isEmpty ? "" : ", \(result.skipped.count) skipped")
      + (result.indexRestored ? ", index restored" : "")
    // The undo takes the same options and paths: a plain restore of it would leave the ignored files this
    // one wrote, the index as this one left it, and take back work done since on other paths.
    let undo =
      "octo-git restore \(result.undo.id.abbreviated())"
      + (includeIgnored ? " --include-ignored" : "") + (result.indexRestored ? " --index" : "")
      + (paths.isEmpty ? "" : " --") + paths.map { " " + ShellWord.shown($0, always: false) }.joined()
    FileHandle.standardError.write(Data("\(skippedLines)\(summary)\nundo with: \(SafeText.terminal(undo))\n".utf8))
  }
}
