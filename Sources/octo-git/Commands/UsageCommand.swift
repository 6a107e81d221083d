import ArgumentParser
import Foundation
import OctoGit

struct UsageCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "usage",
    abstract: "Record AI usage and report what it cost, by commit, branch, model, session, period…",
    discussion: """
      Without a subcommand, usage runs report, with its options:

        --by <by>             What to group by: commit, branch, feature, model,
                              user, agent, session, day, week, month or cycle
                              (default: commit).
        --since, --until <when>
                              The period: YYYY-MM-DD, an ISO-8601 time, today,
                              yesterday, or an age (12h, 7d, 2w).
        --tz <tz>             Time zone for days, weeks, months and cycles.
        --cycle-day <day>     First day of a billing cycle, 1-31.
        --format <format>     table, json, csv or md (default: table); --json is
                              --format json.
        --wide                Tables as wide as they need to be.

      octo-git usage report --help says more.
      """,
    subcommands: [
      UsageReportCommand.self, UsageRecordCommand.self, UsageImportCommand.self, UsagePendingCommand.self,
      UsageDropCommand.self, UsageShowCommand.self,
    ],
    defaultSubcommand: UsageReportCommand.self
  )
}

struct UsageRecordCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "record",
    abstract: "Record usage: one event from flags, or JSON lines on stdin.",
    discussion: """
      The usage stays pending until the next commit in this work tree, whose usage note then holds it; it \
      prints one line saying what was recorded (nothing with --quiet). A model without a price is recorded as \
      unpriced, with a warning naming the nearest priced model.

      Without --model, JSON lines are read from stdin, one event each, with the note's field names:

        {"model":"claude-sonnet-4-5","in":12,"out":340,"cr":15000,"agent":"my-harness"}

      Optional fields: id (a stable id makes re-sending harmless), at (ISO-8601), cost (USD, when the agent \
      knows it), session, feature, cw5m, cw1h. A bad line is reported with its number and nothing of the batch \
      is recorded. Usage recorded by mistake: octo-git usage drop ID.
      """
  )

  @ParentCommand var root: OctoGitCommand
  @Option(help: "The model, e.g. claude-sonnet-4-5 (without it, JSON lines are read from stdin).") var model: String?
  // Read unconditionally, so that `--in -5` is refused for what it is rather than as a missing value.
  @Option(name: .customLong("in"), parsing: .unconditional, help: "Input tokens.") var input: Int = 0
  @Option(name: .customLong("out"), parsing: .unconditional, help: "Output tokens.") var output: Int = 0
  @Option(parsing: .unconditional, help: "5-minute cache-write tokens.") var cw5m: Int = 0
  @Option(parsing: .unconditional, help: "1-hour cache-write tokens.") var cw1h: Int = 0
  @Option(parsing: .unconditional, help: "Cache-read tokens.") var cr: Int = 0
  @Option(parsing: .unconditional, help: "Cost in USD as the agent reported it (otherwise octo-git prices the tokens).")
  var cost: String?
  @Option(help: "The agent, e.g. claude-code.") var agent: String?
  @Option(help: "The agent's session id.") var session: String?
  @Option(help: "The feature the work is for.") var feature: String?
  @Option(help: "When the request was made (ISO-8601; without it, now).") var at: String?
  @Option(help: "A stable id for this event; recording the same id again changes nothing (and says so).")
  var id: String?
  @Flag(help: "Print what was recorded as JSON.") var json = false
  @Flag(name: .shortAndLong, help: "Print nothing but problems.") var quiet = false

  func validate() throws {
    for (name, value) in [("--in", input), ("--out", output), ("--cw5m", cw5m), ("--cw1h", cw1h), ("--cr", cr)] {
      try ArgumentCheck.nonNegative(value, name, what: "number of tokens")
      // The limit every usage line is held to, said of the flag (a value out of its range, as the one above).
      if value > UsageLimits.maxTokens {
        throw ValidationError("\(name) must be at most 10^15 tokens (more than any request), not \(value)")
      }
    }
    // The rule a usage line's cost follows: a JSON number (`0.5`, `1.5e-3`; not `.5`), from 0 to the limit.
    if let cost, PicoDollars(cost: cost.utf8) == nil {
      throw ValidationError(
        "--cost must be an amount in USD from 0 to \(UsageLimits.maxCostDollars) written as a JSON number "
          + "(0.5, 1.5e-3), not \(cost)")
    }
    if model == nil {
      let given = [
        ("--in", input != 0), ("--out", output != 0), ("--cw5m", cw5m != 0), ("--cw1h", cw1h != 0), ("--cr", cr != 0),
        ("--cost", cost != nil), ("--at", at != nil), ("--id", id != nil),
      ].filter(\.1).map(\.0)
      if let first = given.first {
        throw ValidationError("\(first) needs --model (JSON lines on stdin carry their own fields)")
      }
      if isatty(STDIN_FILENO) == 1 {
        throw ValidationError("usage record needs --model, or JSON lines on stdin")
      }
    }
  }

  func run() throws {
    let repository = try root.openRepository()
    let ledger = try Ledger(repository: repository)
    let prices = try PriceBook.load(for: repository)
    let events: [UsageEvent]
    if let model {
      let line = UsageInput.line(
        model: model, tokens: ["in": input, "out": output, "cw5m": cw5m, "cw1h": cw1h, "cr": cr],
        fields: ["agent": agent, "session": session, "feature": feature, "at": at, "id": id], cost: cost)
      events = try UsageInput.events(fromJSONLines: line, defaults: try ledger.defaults())
    } else {
      let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
      var fill = try ledger.defaults()
      fill.agent = agent
      fill.session = session
      fill.feature = feature
      events = try UsageInput.events(
        fromJSONLines: text,
        defaults: {
          var copy = fill
          copy.id = "r-" + UUID().uuidString.lowercased()
          return copy
        }())
    }
    let outcome = try ledger.record(events, prices: prices)
    if json {
      print(CanonicalJSON.string(outcome.json))
    } else if !outcome.alreadyRecorded.isEmpty {
      // Never silent: the event given was not stored, the one recorded earlier stays.
      let shown =
        outcome.alreadyRecorded.prefix(5).map { SafeText.terminal($0) }.joined(separator: ", ")
        + (outcome.alreadyRecorded.count > 5 ? ", …" : "")
      let what =
        outcome.alreadyRecorded.count == 1
        ? "already recorded, left as it was: \(shown)"
        : "\(outcome.alreadyRecorded.count) events already recorded, left as they were: \(shown)"
      let recorded = outcome.added.isEmpty ? "" : " (\(outcome.added.count) recorded)"
      FileHandle.standardError.write(Data("octo-git: \(what)\(recorded)\n".utf8))
    }
    let added = Set(outcome.added)
    let recorded = events.filter { added.contains($0.id) }.map { $0.priced(with: prices) }
    var problems: [String] = []
    for model in Set(recorded.filter { $0.cost == nil }.map(\.model)).sorted() {
      if prices.price(for: model) != nil {
        // Priced, but the cost passes what a line may hold (absurd token counts).
        problems.append(
          "the cost of '\(model)' passes the limit a usage line may hold: recorded as unpriced, never as $0")
        continue
      }
      let guess = prices.nearestModel(to: model).map { " (did you mean \($0)?)" } ?? ""
      problems.append("no price for the model '\(model)'\(guess): recorded as unpriced, never as $0")
    }
    if !recorded.isEmpty, let warning = try? PostCommitHook.pendingWithoutHookWarning(repository) {
      problems.append(warning)
    }
    for problem in problems { FileHandle.standardError.write(Data("octo-git: \(SafeText.terminal(problem))\n".utf8)) }
    if !json, !quiet, !recorded.isEmpty {
      var totals = UsageTotals()
      for event in recorded { totals.add(event) }
      let cost = totals.unpricedEvents == totals.events ? "unpriced" : Money.format(totals.cost)
      print("recorded \(recorded.count) event\(recorded.count == 1 ? "" : "s"), \(cost), pending for the next commit")
    }
  }
}

struct UsageReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Report usage and exact cost from the usage notes (what octo-git usage runs).",
    discussion: """
      --by session gives each agent session's cost, tokens, first and last request, agent and branch, the \
      latest session first. Billing cycle N (1-31) runs from day N of a month to the day before the next cycle \
      starts (--cycle-day, else octo.cycleDay); in a month with fewer than N days the cycle starts on its last \
      day, as billing systems do (cycle day 31: Jan 31-Feb 27, Feb 28-Mar 30, Mar 31-Apr 29). Weeks are ISO \
      weeks. --since and --until take a date (YYYY-MM-DD, a day in --tz, both included), an ISO-8601 time, \
      today, yesterday, or an age counted back from now (12h, 7d, 2w); an impossible date such as 2026-02-30 \
      is refused. Costs are exact; usage of models without a price is counted apart, never as $0. Tables fit \
      the terminal (narrower columns, then columns left out and named under the table) unless --wide.
      """
  )

  @ParentCommand var root: OctoGitCommand
  @Option(help: "What to group by.") var by: ReportDimension = .commit
  @Option(parsing: .unconditional, help: "First day of a billing cycle, 1-31 (29-31: the last day of shorter months).")
  var cycleDay: Int?
  @Option(help: "Only usage from this date or time on (YYYY-MM-DD, ISO-8601, today, yesterday, 7d, 2w, 12h).")
  var since: String?
  @Option(help: "Only usage up to this date (included) or time (same forms as --since).") var until: String?
  @Option(help: "Time zone for days, weeks, months and cycles (IANA name, or local).") var tz: String?
  @Option(help: "The output format.") var format: ReportFormat = .table
  @Flag(help: "Same as --format json.") var json = false
  @Flag(help: "Tables as wide as they need to be, not cut to the terminal's width.") var wide = false

  func validate() throws {
    try ArgumentCheck.report(
      cycleDay: cycleDay, since: since, until: until, timeZone: tz, json: json, format: format.rawValue)
  }

  func run() throws {
    let repository = try Repository.openForReading(at: try root.workingDirectory())
    let ledger = try Ledger(repository: repository)
    let options = try ReportOptionsParser.parse(
      by: by.rawValue, cycleDay: cycleDay, since: since, until: until, timeZone: tz, config: try repository.config())
    let report = try UsageReport.build(ledger: ledger, options: options)
    print(report.render(json ? .json : format, style: .standardOutput(wide: wide)))
  }
}

struct UsagePendingCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pending",
    abstract: "List usage recorded but not yet in a commit, with the ids usage drop takes.",
    discussion: """
      --json (or --format json) prints a list of the events, each as its usage line holds it (with its id) and \
      the worktree it waits in; csv and md end with a total row.
      """)

  @ParentCommand var root: OctoGitCommand
  @Flag(help: "Every worktree's pending usage, not just this one's.") var all = false
  @Option(help: "The output format.") var format: ReportFormat = .table
  @Flag(help: "Same as --format json.") var json = false
  @Flag(help: "Tables as wide as they need to be, not cut to the terminal's width.") var wide = false

  func validate() throws {
    try ArgumentCheck.json(json, format: format.rawValue)
  }

  func run() throws {
    let repository = try root.openRepository()
    let ledger = try Ledger(repository: repository)
    let pending = try ledger.store.pending(worktree: all ? nil : ledger.location.key)
    let unreadable = try ledger.store.unreadablePending(worktree: all ? nil : ledger.location.key)
    defer {
      if !unreadable.isEmpty {
        let ids = unreadable.prefix(10).map(\.id).joined(separator: ", ") + (unreadable.count > 10 ? ", …" : "")
        let notice =
          "\(unreadable.count) pending row(s) cannot be read and are in no total (\(SafeText.terminal(ids))): "
          + "octo-git usage drop ID removes them"
        FileHandle.standardError.write(Data("octo-git: \(notice)\n".utf8))
      }
    }
    switch json ? .json : format {
    case .json:
      print(CanonicalJSON.string(.array(pending.map(\.json))))
    case .csv:
      print(EventTable.table(pending.map(\.event), forPeople: false, ids: true).csv)
    case .md:
      print(EventTable.table(pending.map(\.event), forPeople: false, ids: true).markdown)
    case .table:
      if pending.isEmpty {
        print("nothing pending")
      } else {
        print(EventTable.render(pending.map(\.event), style: .standardOutput(wide: wide), ids: true))
      }
      guard !all else { return }
      let location = ledger.location
      if let created = location.createdMilliseconds,
        case let stale = try ledger.store.pendingCount(worktree: location.key, recorded: 0..<created), stale > 0
      {
        print(
          "\(stale) of them were recorded in a worktree of this name since removed: no commit here takes them "
            + "(octo-git usage drop ID removes one)")
      }
      let elsewhere = try ledger.store.pendingCount() - pending.count
      if elsewhere > 0 { print("\(elsewhere) more pending in other worktrees: octo-git usage pending --all") }
    }
  }
}

struct UsageDropCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "drop",
    abstract: "Remove pending usage recorded by mistake (committed usage is never dropped).",
    discussion: """
      Takes the ids usage pending lists (the start of an id is enough when only one pending event has it), from \
      any worktree. All or nothing: an id already in a commit's usage note, or naming no pending event, is \
      refused with one line naming it, and nothing is dropped.
      """)

  @ParentCommand var root: OctoGitCommand
  @Argument(help: "The pending events' ids.") var ids: [String]
  @Flag(help: "Print what was dropped as JSON.") var json = false
  @Flag(name: .shortAndLong, help: "Print nothing but problems.") var quiet = false

  func validate() throws {
    if ids.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
      throw ValidationError("an empty id names no event: give the ids octo-git usage pending lists")
    }
  }

  func run() throws {
    let ledger = try Ledger(repository: try root.openRepository())
    let dropped = try ledger.dropPending(ids)
    let count = dropped.events.count
    if json {
      print(CanonicalJSON.string(dropped.json))
    } else if !quiet {
      if count > 0 || dropped.unreadable.isEmpty {
        var totals = UsageTotals()
        for item in dropped.events { totals.add(item.event) }
        let cost = totals.unpricedEvents == totals.events ? "unpriced" : Money.format(totals.cost)
        print("dropped \(count) pending event\(count == 1 ? "" : "s") (\(cost))")
      }
      if !dropped.unreadable.isEmpty {
        print(
          "dropped \(dropped.unreadable.count) unreadable pending row\(dropped.unreadable.count == 1 ? "" : "s"): "
            + SafeText.terminal(dropped.unreadable.joined(separator: ", ")))
      }
    }
  }
}

struct UsageShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show", abstract: "Show the usage recorded on a commit.")

  @ParentCommand var root: OctoGitCommand
  @Argument(help: "The commit.") var commit: String = "HEAD"
  @Flag(help: "Print JSON.") var json = false

  func run() throws {
    let repository = try Repository.openForReading(at: try root.workingDirectory())
    let id = try repository.resolveCommit(commit)
    let note = try repository.note(on: id, ref: UsageNote.ref) ?? ""
    let (events, malformed) = UsageNote.events(in: note)
    // Lines of the note no report can read: said, never silently left out (on stderr with --json, whose
    // output stays the list of events).
    let notice =
      malformed == 0
      ? nil
      : "\(malformed) line(s) of the note on \(id.abbreviated()) could not be read and are not shown: "
        + "see git notes --ref=octo/usage show \(id.abbreviated())"
    if json {
      print(CanonicalJSON.string(.array(events.map(\.json))))
      if let notice { FileHandle.standardError.write(Data("octo-git: \(notice)\n".utf8)) }
      return
    }
    if events.isEmpty {
      print("no usage recorded on \(id.abbreviated())" + (notice.map { "; \($0)" } ?? ""))
      return
    }
    var totals = UsageTotals()
    for event in events { totals.add(event) }
    try totals.checked("the note on \(id.abbreviated())")
    print(EventTable.render(events, style: .forDescriptor(STDOUT_FILENO)))
    if let notice { print(notice) }
  }
}
