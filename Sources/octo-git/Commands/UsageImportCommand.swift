import ArgumentParser
import Foundation
import OctoGit

struct UsageImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import usage from agent transcripts.",
    subcommands: [
      ClaudeCode.self, Codex.self, Gemini.self, Copilot.self, OpenCode.self, Kilo.self, Cline.self, Roo.self,
      KiloCode.self,
      Qwen.self, All.self,
    ]
  )

  /// What both agents' imports take besides their folders.
  struct Filters: ParsableArguments {
    @Option(help: "Only requests from this date or time on (YYYY-MM-DD, an ISO-8601 time, today, yesterday, 7d).")
    var since: String?
    @Option(help: "Only this session.") var session: String?
    @Flag(help: "Requests from every project, attributed to this work tree's pending usage.") var allProjects = false
    @Flag(help: "Print the counts as JSON.") var json = false
    @Flag(name: .shortAndLong, help: "Print nothing when it works (problems still go to stderr).") var quiet = false

    func validate() throws {
      try ArgumentCheck.period(since: since, until: nil)
    }

    func options(folders: [String], file: String? = nil) throws -> TranscriptImporter.Options {
      // The same dates as usage and rollup --since: a day, a time, today, yesterday, or an age (7d).
      let sinceDate = try since.map { try DateText.instant($0, edge: .start, timeZone: .current, option: "--since") }
      return .init(folders: folders, file: file, since: sinceDate, session: session, allProjects: allProjects)
    }

    /// What an import did: JSON, or one line (nothing when `quiet`, as under an agent's hook); problems on
    /// stderr, including usage left pending where no post-commit hook of octo-git's will carry it.
    func report(_ summary: TranscriptImporter.Summary, repository: Repository? = nil, quiet: Bool = false) {
      var problems: [String] = []
      if summary.malformedLines > 0 {
        problems.append("\(summary.malformedLines) transcript line(s) could not be read and were skipped")
      }
      if summary.unreadableFiles > 0 {
        problems.append("\(summary.unreadableFiles) file(s) skipped: not regular files, or not readable")
      }
      // Under an agent's hook (quiet) the agent would see it, not the user: doctor and the commands say it.
      if !quiet, summary.pending > 0, let repository,
        let warning = try? PostCommitHook.pendingWithoutHookWarning(repository)
      {
        problems.append(warning)
      }
      for problem in problems { FileHandle.standardError.write(Data("octo-git: \(SafeText.terminal(problem))\n".utf8)) }
      // --quiet wins over --json, as in every command that takes both.
      if self.quiet {
        return
      } else if json {
        print(CanonicalJSON.string(summary.json))
      } else if !quiet {
        var line = "imported \(summary.imported) request\(summary.imported == 1 ? "" : "s")"
        if summary.imported > 0 { line += ": \(summary.attributed) on commits, \(summary.pending) pending" }
        if summary.alreadyRecorded > 0 { line += " (\(summary.alreadyRecorded) already recorded)" }
        print(line)
      }
    }
  }

  /// Imports from the command line, or, with `--hook-input`, the one transcript an agent's hook names
  /// (then never failing: the agent must not be stopped by octo-git).
  static func run(
    hookInput: String?, root: OctoGitCommand, importAll: (_ directory: String, _ file: String?) throws -> Void
  ) throws {
    guard let hookInput else {
      try importAll(try root.workingDirectory(), nil)
      return
    }
    do {
      let input = AgentHookInput.read(from: hookInput)
      if let path = input.transcriptPath, !RegularFile.exists(path) {
        FileHandle.standardError.write(
          Data("octo-git: usage not imported: the transcript \(SafeText.terminal(path)) is not a file here\n".utf8))
        return
      }
      try importAll(try input.workingDirectory ?? root.workingDirectory(), input.transcriptPath)
    } catch {
      FileHandle.standardError.write(Data("octo-git: usage not imported: \(error)\n".utf8))
    }
  }

  static func importer(for repository: Repository) throws -> TranscriptImporter {
    TranscriptImporter(ledger: try Ledger(repository: repository), prices: try PriceBook.load(for: repository))
  }

  struct ClaudeCode: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "claude-code",
      abstract: "Import Claude Code's transcripts: requests made in this repository, deduplicated, priced, attributed.",
      discussion: """
        Reads <dir>/projects/**/*.jsonl for each --dir, else each folder of CLAUDE_CONFIG_DIR (comma-separated), else \
        ~/.config/claude and ~/.claude. A request goes to the first commit made on its work tree's branch after it, \
        or stays pending until the next commit. Importing again never counts anything twice and reads only what was \
        appended. With --hook-input (Claude Code's Stop or SessionEnd hook), imports just that session's transcript \
        and always exits 0.
        """
    )

    @ParentCommand var root: OctoGitCommand
    @Option(help: "A Claude Code config folder (repeatable).") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read a Claude Code hook's JSON from this file, - for stdin.") var hookInput: String?

    func run() throws {
      try UsageImportCommand.run(hookInput: hookInput, root: root, importAll: importAll)
    }

    func importAll(directory: String, file: String?) throws {
      let repository = try Repository.open(at: directory)
      guard
        let folders = try UsageImportCommand.importFolders(
          dir, file: file, defaults: { ClaudeCodeTranscripts.projectFolders() },
          nothingFound: "no Claude Code transcripts found (looked in CLAUDE_CONFIG_DIR, ~/.config/claude, ~/.claude)",
          json: filters.json,
          checked: { folder in
            let projects = folder + "/projects"
            guard Paths.isFolder(projects) else {
              throw OctoError.badInput(
                "no Claude Code transcripts folder at \(projects)",
                hint: "name the folder holding projects/ with --dir")
            }
            return projects
          })
      else { return }
      filters.report(
        try UsageImportCommand.importer(for: repository).run(try filters.options(folders: folders, file: file)),
        repository: repository, quiet: hookInput != nil)
    }
  }

  struct Codex: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "codex",
      abstract: "Import Codex CLI rollouts: requests made in this repository, counted once, priced, attributed.",
      discussion: """
        Reads sessions/ and archived_sessions/ (the same rollout counted once) of each --dir, else of each folder of \
        CODEX_HOME (comma-separated), else ~/.codex. A token_count event counts only when its running total moved, by \
        the difference. Attribution as for claude-code. With --hook-input (Codex's Stop hook), imports just that \
        session's rollout and always exits 0.
        """
    )

    @ParentCommand var root: OctoGitCommand
    @Option(help: "A Codex home folder (repeatable).") var dir: [String] = []
    @OptionGroup var filters: Filters
    @Option(help: "Read a Codex hook's JSON from this file, - for stdin.") var hookInput: String?

    func run() throws {
      try UsageImportCommand.run(hookInput: hookInput, root: root, importAll: importAll)
    }

    func importAll(directory: String, file: String?) throws {
      let repository = try Repository.open(at: directory)
      guard
        let homes = try UsageImportCommand.importFolders(
          dir, file: file, defaults: { CodexTranscripts.homes() },
          nothingFound: "no Codex rollouts found (looked in CODEX_HOME and ~/.codex)", json: filters.json,
          checked: { folder in
            guard Paths.isFolder(folder) else {
              throw OctoError.badInput(
                "no Codex home folder at \(folder)", hint: "name the folder holding sessions/ with --dir")
            }
            return folder
          })
      else { return }
      filters.report(
        try UsageImportCommand.importer(for: repository).runCodex(
          homes: homes, options: try filters.options(folders: [], file: file)),
        repository: repository, quiet: hookInput != nil)
    }
  }
}
