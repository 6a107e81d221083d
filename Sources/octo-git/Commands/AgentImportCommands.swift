import ArgumentParser
import Foundation
import OctoGit

/// `octo-git usage import gemini|copilot|opencode|kilo|cline|roo|kilo-code|qwen|all`.
extension UsageImportCommand {
  /// Imports one agent's data: its folders from `--dir`, else where the agent keeps them; with a hook's
  /// transcript, just that file.
  static func importAgent(_ kind: AgentKind, dir: [String], filters: Filters, directory: String, file: String?) throws {
    let repository = try Repository.open(at: directory)
    var roots = dir
    if dir.isEmpty {
      roots = kind.defaultRoots()
    } else {
      for folder in dir where !kind.isRoot(folder) {
        throw OctoError.badInput(
          "no \(kind.title) data at \(folder)", hint: "name the folder holding \(kind.expectedContent) with --dir")
      }
    }
    if roots.isEmpty && file == nil {
      FileHandle.standardError.write(
        Data("octo-git: no \(kind.title) data found (looked in \(kind.defaultLocation))\n".utf8))
      return
    }
    filters.report(
      try importer(for: repository).runAgent(kind, roots: roots, options: try filters.options(folders: [], file: file)))
  }

  static func agentDiscussion(_ kind: AgentKind, reads: String) -> String {
    """
    Reads \(reads) of each --dir (the agent's data folder, laid out as the agent lays it out), else of \
    \(kind.defaultLocation). Requests made in this repository's work trees go to the first commit made on their \
    branch after them, or stay pending until the next commit; each request counts once however often it was \
    written, and importing again adds nothing. Files that did not change since the last import are not read \
    again. With --hook-input, imports just the transcript the hook names and always exits 0.
    """
  }

  struct Gemini: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "gemini",
      abstract: "Import Gemini CLI's chat recordings: requests made in this repository, counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(.gemini, reads: "tmp/<project>/chats/session-*.json and *.jsonl"))

    @ParentCommand var root: OctoGitCommand
    @Option(help: "A Gemini CLI folder, holding tmp/ (repeatable).") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read an agent hook's JSON from this file, - for stdin.") var hookInput: String?

    func run() throws {
      try UsageImportCommand.run(hookInput: hookInput, root: root) { directory, file in
        try UsageImportCommand.importAgent(.gemini, dir: dir, filters: filters, directory: directory, file: file)
      }
    }
  }

  struct Copilot: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "copilot",
      abstract: "Import GitHub Copilot CLI's session logs: each run's usage, counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(.copilot, reads: "session-state/<session>/events.jsonl"))

    @ParentCommand var root: OctoGitCommand
    @Option(help: "A Copilot CLI folder, holding session-state/ (repeatable).") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read an agent hook's JSON from this file, - for stdin.") var hookInput: String?

    func run() throws {
      try UsageImportCommand.run(hookInput: hookInput, root: root) { directory, file in
        try UsageImportCommand.importAgent(.copilot, dir: dir, filters: filters, directory: directory, file: file)
      }
    }
  }

  struct OpenCode: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "opencode",
      abstract: "Import OpenCode's messages (its SQLite database, read-only, and older JSON files): counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(.opencode, reads: "opencode.db (with its write-ahead log) and storage/message/"))

    @ParentCommand var root: OctoGitCommand
    @Option(help: "An OpenCode data folder, holding opencode.db (repeatable).") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read an agent hook's JSON from this file, - for stdin.") var hookInput: String?

    func run() throws {
      try UsageImportCommand.run(hookInput: hookInput, root: root) { directory, file in
        try UsageImportCommand.importAgent(.opencode, dir: dir, filters: filters, directory: directory, file: file)
      }
    }
  }

  struct Kilo: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "kilo",
      abstract: "Import Kilo CLI's messages (its SQLite database, read-only): counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(.kilo, reads: "kilo.db (with its write-ahead log)"))

    @ParentCommand var root: OctoGitCommand
    @Option(help: "A Kilo data folder, holding kilo.db (repeatable).") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read an agent hook's JSON from this file, - for stdin.") var hookInput: String?

    func run() throws {
      try UsageImportCommand.run(hookInput: hookInput, root: root) { directory, file in
        try UsageImportCommand.importAgent(.kilo, dir: dir, filters: filters, directory: directory, file: file)
      }
    }
  }

  struct Cline: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "cline",
      abstract: "Import Cline's tasks: each API request counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(.cline, reads: "tasks/<task>/ui_messages.json")
        + " A task whose folder is not in the extension's task history is imported only with --all-projects.")

    @ParentCommand var root: OctoGitCommand
    @Option(help: "Cline's extension folder, holding tasks/ (repeatable).") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read an agent hook's JSON from this file, - for stdin.") var hookInput: String?

    func run() throws {
      try UsageImportCommand.run(hookInput: hookInput, root: root) { directory, file in
        try UsageImportCommand.importAgent(.cline, dir: dir, filters: filters, directory: directory, file: file)
      }
    }
  }

  struct Roo: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "roo",
      abstract: "Import Roo Code's tasks: each API request counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(.roo, reads: "tasks/<task>/ui_messages.json")
        + " A task whose folder is not in the extension's task history is imported only with --all-projects.")

    @ParentCommand var root: OctoGitCommand
    @Option(help: "Roo Code's extension folder, holding tasks/ (repeatable).") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read an agent hook's JSON from this file, - for stdin.") var hookInput: String?

    func run() throws {
      try UsageImportCommand.run(hookInput: hookInput, root: root) { directory, file in
        try UsageImportCommand.importAgent(.roo, dir: dir, filters: filters, directory: directory, file: file)
      }
    }
  }

  struct KiloCode: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "kilo-code",
      abstract: "Import Kilo Code's tasks: each API request counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(.kiloCode, reads: "tasks/<task>/ui_messages.json")
        + " A task whose folder is not in the extension's task history is imported only with --all-projects.")

    @ParentCommand var root: OctoGitCommand
    @Option(help: "Kilo Code's extension folder, holding tasks/ (repeatable).") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read an agent hook's JSON from this file, - for stdin.") var hookInput: String?

    func run() throws {
      try UsageImportCommand.run(hookInput: hookInput, root: root) { directory, file in
        try UsageImportCommand.importAgent(.kiloCode, dir: dir, filters: filters, directory: directory, file: file)
      }
    }
  }

  struct Qwen: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "qwen",
      abstract: "Import Qwen Code's chat recordings: each call counted once, priced, attributed.",
      discussion: UsageImportCommand.agentDiscussion(.qwen, reads: "projects/<project>/chats/*.jsonl"))

    @ParentCommand var root: OctoGitCommand
    @Option(help: "A Qwen Code folder, holding projects/ (repeatable).") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read an agent hook's JSON from this file, - for stdin.") var hookInput: String?

    func run() throws {
      try UsageImportCommand.run(hookInput: hookInput, root: root) { directory, file in
        try UsageImportCommand.importAgent(.qwen, dir: dir, filters: filters, directory: directory, file: file)
      }
    }
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
      try UsageImportCommand.run(hookInput: hookInput, root: root) { directory, _ in try importAll(directory: directory) }
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
      for environment in environments {
        for (agent, summary) in try importer.runAll(environment: environment, options: options) {
          if let known = summaries[agent] {
            summaries[agent] = Self.sum(known, summary)
          } else {
            order.append(agent)
            summaries[agent] = summary
          }
        }
      }
      if filters.json {
        print(CanonicalJSON.string(.object(summaries.mapValues(\.json))))
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
