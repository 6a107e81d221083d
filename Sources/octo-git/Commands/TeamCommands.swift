import ArgumentParser
import Foundation
import OctoGit

/// `octo-git team`: the team's ledger in PostgreSQL.
struct TeamCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "team",
    abstract: "The team's ledger in PostgreSQL: every machine pushes, anyone reports, dashboards read it.",
    discussion: """
      The database comes from --url, else OCTO_GIT_TEAM_URL, else git config octo.teamUrl: a postgresql:// URL \
      (sslmode and other settings in its query) or libpq key=value settings such as service=team. Passwords come from \
      ~/.pgpass, PGPASSWORD or a PGSERVICE entry, never from git config; octo-git never prints or stores them. \
      team init creates the schema octo once (any machine, any number of times); team push sends the registered \
      repositories' events (see octo-git repos) that the database lacks; team report is octo-git rollup computed \
      by the database. Dashboards read the views octo.daily and octo.cycles (see README).
      """,
    subcommands: [Init.self, Push.self, Report.self]
  )

  /// The database option every subcommand takes.
  struct Connection: ParsableArguments {
    @Option(help: "The team database (postgresql://[USER@]HOST[:PORT]/DB or key=value settings).") var url: String?

    /// Connects to the database named by --url, OCTO_GIT_TEAM_URL or git config octo.teamUrl (the
    /// repository's when run inside one, else the user's).
    func open(in directory: String) throws -> TeamLedger {
      let config = (try? Repository.openForReading(at: directory).config()) ?? (try? Config.outsideRepository())
      return try TeamLedger(url: try TeamDatabaseURL.resolve(flag: url, config: config))
    }
  }

  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init",
      abstract:
        "Create or migrate the schema octo in the team database (idempotent, safe from several machines at once).")
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var output: QuietOption
    @OptionGroup var connection: Connection
    @Option(
      parsing: .unconditional, help: "The day of the month billing cycles start on, for the view octo.cycles (1-31).")
    var cycleDay: Int?
    @Option(help: "The time zone of the views' days and cycles (IANA name; UTC when not given).") var tz: String?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
      try ArgumentCheck.cycleDay(cycleDay)
    }

    func run() throws {
      output.silenceStandardOutput()
      let ledger = try connection.open(in: try root.workingDirectory())
      let setup = try ledger.initialise(cycleDay: cycleDay, timeZone: tz)
      if json {
        print(CanonicalJSON.string(ledger.setupJSON(setup)))
        return
      }
      let place = SafeText.terminal(ledger.url.displayName)
      if setup.from == 0 {
        print("created the octo schema (version \(setup.to)) in the team database \(place), id \(setup.databaseID)")
      } else if setup.from < setup.to {
        print("migrated the octo schema in the team database \(place) from version \(setup.from) to \(setup.to)")
      } else {
        print("the octo schema in the team database \(place) is up to date (version \(setup.to))")
      }
    }
  }

  struct Push: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "push",
      abstract: "Send the registered repositories' usage events that the team database lacks.",
      discussion: """
        Incremental: a repository whose usage notes did not move since the last push to this database is not read \
        again (what was sent is remembered per database in $XDG_DATA_HOME/octo-git/team.sqlite), so a push with \
        nothing new costs one query. Events are sent in bulk, one transaction per batch; each event id is one row, \
        its best copy (the costlier, then the most output). A note removed takes its events' rows out at the next \
        push; --all also takes out this machine's rows no note holds. Bare mirrors count: repos scan /srv/git && \
        team push from cron.
        """)
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var connection: Connection
    @Flag(help: "Send every event again, whatever was pushed before; rows follow a renamed origin.") var all = false
    @Flag(help: "Print JSON.") var json = false
    @Flag(name: .shortAndLong, help: "Print nothing when it works.") var quiet = false

    func run() throws {
      let ledger = try connection.open(in: try root.workingDirectory())
      let showProgress = !json && !quiet && isatty(STDERR_FILENO) == 1
      let summary = try ledger.push(
        everything: all,
        progress: showProgress
          ? { done, total in
            FileHandle.standardError.write(Data("\rteam push: \(done)/\(total) repositories".utf8))
            if done == total { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
          } : nil)
      if json {
        print(CanonicalJSON.string(ledger.pushJSON(summary)))
        return
      }
      for skipped in summary.skipped {
        FileHandle.standardError.write(
          Data("octo-git: skipped \(SafeText.terminal(skipped.path)): \(SafeText.terminal(skipped.reason))\n".utf8))
      }
      if summary.notRemoved > 0 {
        FileHandle.standardError.write(
          Data(
            ("octo-git: \(summary.notRemoved) event(s) of removed notes stay in the team database: your role may "
              + "not DELETE on octo.events (ask its owner to grant it)\n").utf8))
      }
      if summary.databaseLostEvents {
        FileHandle.standardError.write(
          Data(
            ("octo-git: the team database holds fewer events than this machine sent it before (restored from a "
              + "backup, or rows deleted): every repository was read and sent again\n").utf8))
      }
      if summary.malformedLines > 0 {
        FileHandle.standardError.write(
          Data("octo-git: \(summary.malformedLines) note line(s) could not be read and were not sent\n".utf8))
      }
      guard !quiet else { return }
      let place = SafeText.terminal(ledger.url.displayName)
      let removed = summary.removed > 0 ? ", \(TextTable.grouped(summary.removed)) removed with their notes" : ""
      func repositories(_ count: Int) -> String { "\(count) repositor\(count == 1 ? "y" : "ies")" }
      if summary.pushed == 0 && summary.removed == 0 {
        print(
          "the team database \(place) is up to date "
            + "(\(repositories(summary.repositories)): \(summary.unchanged) unchanged, \(summary.read) read, "
            + "nothing new)")
      } else {
        print(
          "pushed \(TextTable.grouped(summary.pushed)) event\(summary.pushed == 1 ? "" : "s") from "
            + "\(repositories(summary.read)) to the team database \(place) (\(TextTable.grouped(summary.written)) new "
            + "or better\(removed), \(repositories(summary.unchanged)) unchanged)"
        )
      }
    }
  }

  struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "report",
      abstract: "octo-git rollup for the whole team, computed by the team database.",
      discussion: """
        The same rows, totals and formats as octo-git rollup, summed by PostgreSQL over every event pushed by every \
        machine. Billing cycle N runs from day N of a month to the day before the next cycle starts, in --tz \
        (--cycle-day, else octo.cycleDay from your git config); weeks are ISO weeks; sums are exact.
        """)
    @ParentCommand var root: OctoGitCommand
    @OptionGroup var connection: Connection
    @Option(help: RollupGrouping.help, transform: { try RollupGrouping(parsing: $0) })
    var by: RollupGrouping = .byRepository
    @Option(parsing: .unconditional, help: "First day of a billing cycle, 1-31.") var cycleDay: Int?
    @Option(help: "Only usage from this date or time on.") var since: String?
    @Option(help: "Only usage up to this date (included) or time.") var until: String?
    @Option(help: "Time zone for days, weeks, months and cycles (IANA name, or local).") var tz: String?
    @Option(parsing: .upToNextOption, help: "Only these projects (as reports name them, or origin URLs).")
    var repos: [String] = []
    @Option(help: "The output format.") var format: ReportFormat = .table
    @Flag(help: "Same as --format json.") var json = false
    @Flag(help: "Tables as wide as they need to be, not cut to the terminal's width.") var wide = false
    @Option(help: "Write the result to this file instead of stdout.") var out: String?

    func validate() throws {
      try ArgumentCheck.report(
        cycleDay: cycleDay, since: since, until: until, timeZone: tz, json: json, format: format.rawValue)
    }

    func run() throws {
      let format = RollupFormat(rawValue: (json ? .json : self.format).rawValue) ?? .table
      let base = try root.workingDirectory()
      let style: OutputStyle = out == nil && format == .table ? .standardOutput(wide: wide) : OutputStyle(colour: false)
      let output = try Self.output(
        by: by, cycleDay: cycleDay, since: since, until: until, tz: tz, repos: repos, format: format, style: style,
        ledger: try connection.open(in: base))
      try ReportFile.write(output, to: out, base: base)
    }

    /// The team report, as `rollup --team` and `team report` print it.
    static func output(
      by: RollupGrouping, cycleDay: Int?, since: String?, until: String?, tz: String?, repos: [String],
      format: RollupFormat, style: OutputStyle, ledger: TeamLedger
    ) throws -> String {
      let period = try ReportOptionsParser.parsePeriod(
        cycleDay: cycleDay, since: since, until: until, timeZone: tz, config: try Config.outsideRepository())
      // Projects as the team database names them: a registered repository's folder as its project, else as
      // given, and as an origin URL normalises (the database holds other machines' projects too).
      let registered = repos.isEmpty ? [] : ((try? RollupStore().entries()) ?? [])
      let base = FileManager.default.currentDirectoryPath
      var projects: [String] = []
      var candidatesOf: [(name: String, candidates: [String])] = []
      for name in repos {
        let folder =
          (Paths.expandingHome(name, environment: ProcessInfo.processInfo.environment, relativeTo: base)
          as NSString).standardizingPath
        let local = registered.first { $0.path == folder || $0.path == name }?.project
        let candidates = [local, name, ProjectIdentity.normalise(url: name)].compactMap { $0 }
        candidatesOf.append((name, candidates))
        for candidate in candidates where !projects.contains(candidate) { projects.append(candidate) }
      }
      let options = RollupOptions(
        dimensions: by.dimensions, since: period.since, until: period.until,
        timeZone: period.timeZone, cycleDay: period.cycleDay, projects: projects)
      let report = try ledger.report(options: options)
      // Nothing found for named projects: a name the database holds nothing of (a typo, "a,b" for two) is
      // said, as the local rollup says it, rather than read as a quiet period.
      if report.report.rows.isEmpty && !candidatesOf.isEmpty {
        let held = try ledger.projectsHeld(projects)
        if let unknown = candidatesOf.first(where: { !$0.candidates.contains(where: held.contains) }) {
          throw OctoError.badInput(
            "the team database holds no events of '\(SafeText.terminal(unknown.name))'",
            hint: "octo-git team report --by repo lists its projects (give several as separate arguments)")
        }
      }
      return try report.render(format, style: style)
    }
  }
}
