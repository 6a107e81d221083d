import ArgumentParser
import Foundation
import OctoGit

struct ReposCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repos",
    abstract: "The repositories the rollup reads (install registers a repository by itself).",
    discussion: """
      Kept in $XDG_DATA_HOME/octo-git/rollup.sqlite (default ~/.local/share). A repository is known by its normalised \
      origin URL (ssh, https and .git spellings are one), else its path: clones of one project count once.
      """,
    subcommands: [Add.self, Remove.self, List.self, Scan.self],
    defaultSubcommand: List.self
  )

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: "Register repositories (this one without a path); bare repositories and mirrors too.")
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var output: QuietOption
    @Argument(help: "Folders inside the repositories.") var paths: [String] = []

    func validate() throws {
      // An unset variable in a script is no path: never "this repository".
      if paths.contains("") { throw ValidationError("an empty path names no repository") }
    }

    func run() throws {
      output.silenceStandardOutput()
      let registry = RepositoryRegistry(store: try RollupStore())
      let base = try root.workingDirectory()
      for path in paths.isEmpty ? [base] : paths {
        // The rollup only reads a repository: a bare one or a mirror (git clone --mirror) is welcome.
        let repository = try Repository.openForReading(at: path.hasPrefix("/") ? path : base + "/" + path)
        let outcome = try registry.add(repository)
        print(
          SafeText.terminal(
            "\(outcome.changed ? "registered" : "already registered"): \(outcome.entry.path) (\(outcome.entry.project))"
          ))
      }
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "remove", abstract: "Unregister by path, or by project (every clone of it).")
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var output: QuietOption
    @Argument(help: "A path or a project (as repos list shows it, or an origin URL).") var names: [String]

    func validate() throws {
      if names.contains("") { throw ValidationError("an empty name names no repository") }
    }

    func run() throws {
      output.silenceStandardOutput()
      let registry = RepositoryRegistry(store: try RollupStore())
      let base = try root.workingDirectory()
      for name in names {
        var removed = try registry.remove(name)
        if removed.isEmpty, !name.hasPrefix("/") { removed = try registry.remove(base + "/" + name) }
        guard !removed.isEmpty else {
          throw OctoError.badInput("'\(SafeText.terminal(name))' is not registered", hint: "see octo-git repos list")
        }
        for path in removed { print("unregistered: \(SafeText.terminal(path))") }
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The registered repositories.")
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      let entries = try RollupStore().entries()
      if json {
        print(CanonicalJSON.string(.array(entries.map(\.json))))
        return
      }
      if entries.isEmpty {
        print("no repositories registered: run octo-git repos add in one, or octo-git repos scan DIR")
        return
      }
      var table = TextTable(headers: ["project", "path", "status"], alignments: [.left, .left, .left])
      table.rows = entries.map { entry in
        [
          entry.project, entry.path,
          !Paths.isFolder(entry.path) ? "gone" : entry.problem.map { "skipped: \($0)" } ?? "ok",
        ]
      }
      print(table.text(style: .forDescriptor(STDOUT_FILENO)))
    }
  }

  struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "scan", abstract: "Register every repository found under a folder.")
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var output: QuietOption
    @Argument(help: "The folder to search.") var directory: String
    @Option(parsing: .unconditional, help: "How many folder levels down to look.") var depth: Int = 3
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
      try ArgumentCheck.nonNegative(depth, "--depth", what: "number of folder levels")
    }

    func run() throws {
      output.silenceStandardOutput()
      let base = try root.workingDirectory()
      let folder = URL(fileURLWithPath: directory.hasPrefix("/") ? directory : base + "/" + directory)
        .standardizedFileURL.path
      let result = try RepositoryRegistry(store: try RollupStore()).scan(folder, depth: depth)
      if json {
        print(CanonicalJSON.string(result.json))
        return
      }
      for path in result.added { print("registered: \(SafeText.terminal(path))") }
      for skipped in result.skipped {
        FileHandle.standardError.write(
          Data("octo-git: skipped \(SafeText.terminal(skipped.path)): \(SafeText.terminal(skipped.reason))\n".utf8))
      }
      print("\(result.added.count) added, \(result.known.count) already registered, \(result.skipped.count) skipped")
    }
  }
}

struct RollupCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rollup",
    abstract: "Cost across every registered repository, by repo, user, model, period or billing cycle.",
    discussion: """
      Reads each registered repository's usage notes incrementally (one whose notes did not move costs one ref read); \
      a repository that is gone or unreadable is reported and skipped. Each event is counted once, however many repos \
      or clones hold them. Billing cycle N (1-31) runs from day N of a month to the day before the next cycle starts, \
      in --tz (--cycle-day, else octo.cycleDay from your git config); in a month with fewer than N days the cycle \
      starts on its last day (cycle day 31: Jan 31-Feb 27, Feb 28-Mar 30, Mar 31-Apr 29). Weeks are ISO weeks; sums \
      are exact. --since and --until take a date (YYYY-MM-DD, both included), an ISO-8601 time, today, yesterday, or \
      an age counted back from now (12h, 7d, 2w). --format html writes one self-contained page with charts; the JSON \
      schema is in README.
      """
  )

  @ParentCommand var root: OctoGitCommand
  @Option(help: RollupGrouping.help, transform: { try RollupGrouping(parsing: $0) })
  var by: RollupGrouping = .byRepository
  @Option(parsing: .unconditional, help: "First day of a billing cycle, 1-31 (29-31: the last day of shorter months).")
  var cycleDay: Int?
  @Option(help: "Only usage from this date or time on (YYYY-MM-DD, ISO-8601, today, yesterday, 7d, 2w, 12h).")
  var since: String?
  @Option(help: "Only usage up to this date (included) or time (same forms as --since).") var until: String?
  @Option(help: "Time zone for days, weeks, months and cycles (IANA name, or local).") var tz: String?
  @Option(parsing: .upToNextOption, help: "Only these repositories (projects, origin URLs or paths).") var repos:
    [String] = []
  @Option(help: "The output format.") var format: RollupFormat = .table
  @Flag(help: "Same as --format json.") var json = false
  @Flag(help: "Tables as wide as they need to be, not cut to the terminal's width.") var wide = false
  @Option(help: "Write the result to this file instead of stdout.") var out: String?
  @Flag(
    help: ArgumentHelp(
      "Fetch each repository's notes from origin first (merged into the local notes). One that cannot be fetched is "
        + "marked stale with git's message, and octo-git exits 6 after the report."))
  var fetch = false
  @Flag(help: "Forget what earlier rollups read and read every repository's notes again.") var rebuild = false
  @Flag(help: "The same report for the whole team, summed by the team database (see octo-git team).")
  var team = false
  @OptionGroup var connection: TeamCommand.Connection

  func validate() throws {
    try ArgumentCheck.report(
      cycleDay: cycleDay, since: since, until: until, timeZone: tz, json: json, format: format.rawValue)
    if team {
      if format == .html { throw ValidationError("--team takes table, json, csv or md, not html") }
      if let flag = fetch ? "--fetch" : rebuild ? "--rebuild" : nil {
        throw ValidationError("--team reads the team database: \(flag) is for the local rollup")
      }
    } else if connection.url != nil {
      throw ValidationError("--url names the team database: add --team to report from it")
    }
  }

  func run() throws {
    let format: RollupFormat = json ? .json : self.format
    // A table for a terminal fits it (unless --wide); one written to a file is never cut.
    let style: OutputStyle = out == nil && format == .table ? .standardOutput(wide: wide) : OutputStyle(colour: false)
    if team {
      let base = try root.workingDirectory()
      let output = try TeamCommand.Report.output(
        by: by, cycleDay: cycleDay, since: since, until: until, tz: tz, repos: repos, format: format, style: style,
        ledger: try connection.open(in: base))
      try ReportFile.write(output, to: out, base: base)
      return
    }
    let period = try ReportOptionsParser.parsePeriod(
      cycleDay: cycleDay, since: since, until: until, timeZone: tz, config: try Config.outsideRepository())
    let store = try RollupStore()
    if rebuild { try store.forgetEvents() }
    let options = RollupOptions(
      dimensions: by.dimensions, since: period.since, until: period.until,
      timeZone: period.timeZone, cycleDay: period.cycleDay,
      projects: try Rollup.projects(named: repos, in: try store.entries(), base: try root.workingDirectory()))
    let showProgress = isatty(STDERR_FILENO) == 1
    let outcome = try Rollup.run(
      store: store, options: options, format: format, style: style, fetch: fetch,
      progress: showProgress
        ? { done, total in
          FileHandle.standardError.write(Data("\rrollup: \(done)/\(total) repositories".utf8))
          if done == total { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        } : nil)
    for failure in outcome.refresh.fetchFailures {
      FileHandle.standardError.write(
        Data(
          "octo-git: notes not fetched for \(SafeText.terminal(failure.path)): \(SafeText.terminal(failure.reason))\n"
            .utf8))
    }
    if outcome.refresh.malformedLines > 0 {
      FileHandle.standardError.write(
        Data(
          ("octo-git: \(outcome.refresh.malformedLines) note line(s) read now could not be read "
            + "and are not in the totals\n").utf8))
    }
    try ReportFile.write(outcome.output, to: out, base: try root.workingDirectory())
    // The report is out (the repositories not fetched marked stale in it); the exit status says a remote
    // failed, as for every network failure.
    let failed = outcome.refresh.fetchFailures.count
    if failed > 0 {
      throw OctoError(
        "notes not fetched for \(failed) repositor\(failed == 1 ? "y" : "ies"); "
          + "the report counts their notes as last read",
        hint: "check each remote with git fetch origin", status: .unavailable)
    }
  }
}
