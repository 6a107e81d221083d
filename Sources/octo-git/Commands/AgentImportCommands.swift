import ArgumentParser
import Foundation
import OctoGit

/// `octo-git usage import gemini|copilot|opencode|kilo|cline|roo|kilo-code|qwen|all`.
extension UsageImportCommand {
  /// Imports one agent's data: its folders from `--dir`, else where the agent keeps them; with a hook's
  /// transcript, just that file.
  static func importAgent(
    _ kind: AgentKind, dir: [String], filters: Filters, directory: String, file: String?, quiet: Bool = false
  ) throws {
    let repository = try Repository.open(at: directory)
    guard
      let roots = try importFolders(
        dir, file: file, defaults: { kind.defaultRoots() },
        nothingFound: "no \(kind.title) data found (looked in \(kind.defaultLocation))", json: filters.json,
        checked: { folder in
          guard kind.isRoot(folder) else {
            throw OctoError.badInput(
              "no \(kind.title) data at \(folder)", hint: "name the folder holding \(kind.expectedContent) with --dir")
          }
          return folder
        })
    else { return }
    filters.report(
      try importer(for: repository).runAgent(kind, roots: roots, options: try filters.options(folders: [], file: file)),
      repository: repository, quiet: quiet)
  }

  /// The folders an import reads: each of `dir` as `checked` gives it (it throws when the folder does not hold
  /// the agent's data), else `defaults()`. `nil`, once `nothingFound` is said on stderr (and, with `json`, the
  /// counts of an import of nothing printed), when there are none and no hook names a transcript (`file`).
  static func importFolders(
    _ dir: [String], file: String?, defaults: () -> [String], nothingFound: String, json: Bool = false,
    checked: (String) throws -> String
  ) throws -> [String]? {
    let folders = try dir.isEmpty ? defaults() : dir.map(checked)
    if folders.isEmpty && file == nil {
      FileHandle.standardError.write(Data("octo-git: \(nothingFound)\n".utf8))
      if json { print(CanonicalJSON.string(TranscriptImporter.Summary().json)) }
      return nil
    }
    return folders
  }

  static func agentDiscussion(_ kind: AgentKind, reads: String) -> String {
    """
    Reads \(reads) of each --dir (the agent's data folder, laid out as the agent lays it out: the one holding \
    \(kind.expectedContent)), else of \(kind.defaultLocation). Requests made in this repository's work trees go to \
    the first commit made on their branch after them, or stay pending until the next commit; each request counts \
    once however often it was written, and importing again adds nothing. Files that did not change since the last \
    import are not read again. With --hook-input (an agent's hook JSON: cwd, transcript_path or transcriptPath), \
    imports just the transcript the hook names, else everything of the hook's work tree, and always exits 0.
    """
  }

  /// What every agent's import takes.
  struct AgentOptions: ParsableArguments {
    @Option(help: "The agent's data folder (repeatable); see below for its layout.") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read an agent hook's JSON from this file, - for stdin.") var hookInput: String?
  }

  struct Gemini: AgentImport {
    static let kind = AgentKind.gemini
    static let configuration = CommandConfiguration(
      commandName: kind.rawValue,
      abstract:
        "Import Gemini CLI's chat recordings: requests made in this repository, counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(kind, reads: "tmp/<project>/chats/session-*.json and *.jsonl"))
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var options: AgentOptions
  }

  struct Copilot: AgentImport {
    static let kind = AgentKind.copilot
    static let configuration = CommandConfiguration(
      commandName: kind.rawValue,
      abstract: "Import GitHub Copilot CLI's session logs: each run's usage, counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(kind, reads: "session-state/<session>/events.jsonl"))
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var options: AgentOptions
  }

  struct OpenCode: AgentImport {
    static let kind = AgentKind.opencode
    static let configuration = CommandConfiguration(
      commandName: kind.rawValue,
      abstract:
        "Import OpenCode's messages (its SQLite database, read-only, and older JSON files): counted once, priced,"
        + " attributed.",
      discussion: UsageImportCommand.agentDiscussion(
        kind, reads: "opencode.db (with its write-ahead log) and storage/message/"))
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var options: AgentOptions
  }

  struct Kilo: AgentImport {
    static let kind = AgentKind.kilo
    static let configuration = CommandConfiguration(
      commandName: kind.rawValue,
      abstract: "Import Kilo CLI's messages (its SQLite database, read-only): counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(kind, reads: "kilo.db (with its write-ahead log)"))
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var options: AgentOptions
  }

  /// Cline and its forks keep the same task folders.
  static let taskHistoryNote =
    " A task whose folder is not in the extension's task history is imported only with --all-projects."

  struct Cline: AgentImport {
    static let kind = AgentKind.cline
    static let configuration = CommandConfiguration(
      commandName: kind.rawValue,
      abstract: "Import Cline's sessions and tasks: each API request counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(
        kind,
        reads: "sessions/<session>/*.messages.json (Cline on its SDK: the lead's and its subagents' messages) and "
          + "tasks/<task>/ui_messages.json (older versions)")
        + " A session counts where its record's workspace_root (else cwd) is."
        + taskHistoryNote.replacingOccurrences(of: "A task", with: "An older task"))
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var options: AgentOptions
  }

  struct Roo: AgentImport {
    static let kind = AgentKind.roo
    static let configuration = CommandConfiguration(
      commandName: kind.rawValue,
      abstract: "Import Roo Code's tasks: each API request counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(kind, reads: "tasks/<task>/ui_messages.json") + taskHistoryNote)
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var options: AgentOptions
  }

  struct KiloCode: AgentImport {
    static let kind = AgentKind.kiloCode
    static let configuration = CommandConfiguration(
      commandName: kind.rawValue,
      abstract: "Import Kilo Code's tasks: each API request counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(kind, reads: "tasks/<task>/ui_messages.json") + taskHistoryNote)
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var options: AgentOptions
  }

  struct Qwen: AgentImport {
    static let kind = AgentKind.qwen
    static let configuration = CommandConfiguration(
      commandName: kind.rawValue,
      abstract: "Import Qwen Code's chat recordings: each call counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(kind, reads: "projects/<project>/chats/*.jsonl"))
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var options: AgentOptions
  }

  struct All: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "all",
      abstract: "Import every agent whose data is found: Claude Code, Codex, and the agents above.",
      discussion: """
        Each agent is imported as its own command would, from where it keeps its data by default. With --dir, each \
        folder is taken as a home folder and every agent's data is looked for where it would be under it. With \
        --json, prints one object keyed by agent. With --hook-input, imports everything for the hook's work tree \
        and always exits 0.
        """)

    @ParentCommand var root: OctoGitCommand
    @Option(help: "A home folder to look in instead of $HOME (repeatable).") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read an agent hook's JSON from this file, - for stdin.") var hookInput: String?

    func run() throws {
      try UsageImportCommand.run(hookInput: hookInput, root: root) { directory, _ in try importAll(directory: directory)
      }
    }

    func importAll(directory: String) throws {
      for folder in dir where !Paths.isFolder(folder) {
        throw OctoError.badInput("no folder at \(folder)", hint: "name a home folder with --dir")
      }
      let repository = try Repository.open(at: directory)
      let importer = try UsageImportCommand.importer(for: repository)
      let options = try filters.options(folders: [])
      let environments = dir.isEmpty ? [ProcessInfo.processInfo.environment] : dir.map { ["HOME": $0] }
      var order: [String] = []
      var summaries: [String: TranscriptImporter.Summary] = [:]
      for (agent, summary) in try importer.runAll(environments: environments, options: options) {
        if let known = summaries[agent] {
          summaries[agent] = Self.sum(known, summary)
        } else {
          order.append(agent)
          summaries[agent] = summary
        }
      }
      if filters.json {
        if !filters.quiet { print(CanonicalJSON.string(TranscriptImporter.Summary.json(byAgent: summaries))) }
        return
      }
      if order.isEmpty {
        FileHandle.standardError.write(Data("octo-git: no agent's data found\n".utf8))
        return
      }
      let malformed = summaries.values.reduce(0) { $0 + $1.malformedLines }
      if malformed > 0 {
        FileHandle.standardError.write(
          Data("octo-git: \(malformed) record(s) could not be read and were skipped\n".utf8))
      }
      if hookInput == nil && !filters.quiet {
        for agent in order {
          let summary = summaries[agent]!
          var line = "\(agent): imported \(summary.imported) request\(summary.imported == 1 ? "" : "s")"
          if summary.imported > 0 { line += ": \(summary.attributed) on commits, \(summary.pending) pending" }
          print(line)
        }
      }
    }

    static func sum(_ a: TranscriptImporter.Summary, _ b: TranscriptImporter.Summary) -> TranscriptImporter.Summary {
      var total = a
      total.files += b.files
      total.lines += b.lines
      total.malformedLines += b.malformedLines
      total.unreadableFiles += b.unreadableFiles
      total.requests += b.requests
      total.imported += b.imported
      total.alreadyRecorded += b.alreadyRecorded
      total.otherProjects += b.otherProjects
      total.attributed += b.attributed
      total.pending += b.pending
      return total
    }
  }
}

/// One agent's `usage import` subcommand: everything but its name and texts is shared.
protocol AgentImport: ParsableCommand {
  static var kind: AgentKind { get }
  var root: OctoGitCommand { get }
  var options: UsageImportCommand.AgentOptions { get }
}

extension AgentImport {
  func run() throws {
    let options = self.options
    try UsageImportCommand.run(hookInput: options.hookInput, root: root) { directory, file in
      try UsageImportCommand.importAgent(
        Self.kind, dir: options.dir, filters: options.filters, directory: directory, file: file,
        quiet: options.hookInput != nil)
    }
  }
}
