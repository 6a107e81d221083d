import Foundation
import Testing

@testable import OctoGit

/// What people expect of a command-line tool they use every day: help that reads well, mistakes named with
/// what was meant, one confirmation line, a session view.
@Suite("A command line for every day")
struct DailyCLITests: DailyCLISuite {
  // MARK: - Helpers

  static let commands: [[String]] = [
    [], ["install"], ["uninstall"], ["doctor"], ["checkpoint"], ["checkpoints"], ["checkpoints", "list"],
    ["checkpoints", "show"], ["checkpoints", "diff"], ["checkpoints", "prune"], ["restore"], ["usage"],
    ["usage", "report"], ["usage", "record"], ["usage", "import"], ["usage", "import", "claude-code"],
    ["usage", "import", "codex"], ["usage", "import", "gemini"], ["usage", "import", "cline"],
    ["usage", "import", "all"],
    ["usage", "pending"], ["usage", "drop"], ["usage", "show"], ["pricing"], ["pricing", "show"],
    ["pricing", "update"],
    ["cache"], ["cache", "rebuild"], ["hook"], ["notes"], ["notes", "sync"], ["notes", "carry"], ["feature"],
    ["feature", "start"], ["feature", "pass"], ["feature", "list"], ["pr"], ["pr", "describe"], ["pr", "create"],
    ["pr", "comment"], ["repos"], ["repos", "add"], ["repos", "scan"], ["rollup"], ["team"], ["team", "init"],
    ["team", "push"], ["team", "report"], ["statusline"], ["defaults"],
  ]

  // MARK: - Help

  @Test(
    "--help is written for the parser's wrapping: on a wide terminal a paragraph is one line, never broken mid-sentence"
  )
  func helpWrapsOnce() throws {
    let fixture = try TestRepository()
    for command in Self.commands {
      let result = try run(fixture, command + ["--help"], environment: ["COLUMNS": "100000"])
      #expect(result.status == 0, "\(command): \(result.stderr)")
      let head = result.stdout.components(separatedBy: "\nUSAGE:").first ?? ""
      let lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      for (line, next) in zip(lines, lines.dropFirst()) where !line.isEmpty && !next.isEmpty {
        // A line following a non-empty one must be indented (an example, a table), never a sentence cut in two.
        #expect(next.first == " ", "\(command): '\(line)' is followed by '\(next)'")
      }
    }
    let install = try run(fixture, ["install", "--help"], environment: ["COLUMNS": "80"]).stdout
    let joined = install.split(whereSeparator: \.isNewline).joined(separator: " ")
    #expect(joined.contains("(core.hooksPath, linked worktrees)"))
  }

  @Test("defaults are said once; usage --help shows the report's flags; enums list their values")
  func helpContents() throws {
    let fixture = try TestRepository()
    for command in Self.commands {
      let help = try run(fixture, command + ["--help"], environment: ["COLUMNS": "1000"]).stdout
      for line in help.split(separator: "\n") where line.contains("(default: ") {
        let rest = line.replacingOccurrences(of: "(default: ", with: "")
        #expect(!rest.lowercased().contains("default"), "\(command): \(line)")
      }
      #expect(!help.contains("(default origin)"), "\(command)")
    }
    let usage = try fixture.octo("usage", "--help")
    for flag in ["--by", "--format", "--since", "--until", "--tz", "--cycle-day", "--wide", "session"] {
      #expect(usage.contains(flag), "usage --help lacks \(flag)")
    }
    let report = try run(fixture, ["usage", "report", "--help"], environment: ["COLUMNS": "1000"]).stdout
    #expect(
      report.contains(
        "values: commit, branch, feature, model, user, agent, session, day, week, month, cycle; default: commit"))
    #expect(report.contains("values: table, json, csv, md; default: table"))
    let rollup = try run(fixture, ["rollup", "--help"], environment: ["COLUMNS": "1000"]).stdout
    #expect(rollup.contains("values: table, json, csv, md, html; default: table"))
    #expect(rollup.contains("--wide"))
    let sync = try run(fixture, ["notes", "sync", "--help"], environment: ["COLUMNS": "1000"]).stdout
    #expect(sync.components(separatedBy: "origin").count == 2, "\(sync)")
  }

  // MARK: - Mistakes

  @Test("a misspelled command, option or value is named with what was probably meant, in one line")
  func suggestions() throws {
    let fixture = try TestRepository()
    try expectUsageError(fixture, ["usag"], ["'usag'", "did you mean 'usage'?", "see 'octo-git --help'"])
    try expectUsageError(
      fixture, ["checkpoints", "prun"], ["did you mean 'prune'?", "see 'octo-git checkpoints --help'"])
    try expectUsageError(fixture, ["usage", "reprot"], ["did you mean 'report'?"])
    try expectUsageError(fixture, ["usage", "--by", "modle"], ["'modle'", "session", "did you mean 'model'?"])
    try expectUsageError(fixture, ["usage", "pending", "--format", "xml"], ["'xml'", "table, json, csv, md"])
    try expectUsageError(fixture, ["rollup", "--format", "pdf"], ["'pdf'", "html"])
    try expectUsageError(fixture, ["rollup", "--by", "repo,planet"], ["cannot group by 'planet'"])
    try expectUsageError(fixture, ["install", "--agent", "claude"], ["unknown agent 'claude'"])
    let option = try run(fixture, ["checkpoint", "--mesage", "x"])
    #expect(option.status == ExitStatus.usage.rawValue)
    #expect(option.stderr.contains("(did you mean '--message'?); see 'octo-git checkpoint --help'"), "\(option.stderr)")
    #expect(!option.stderr.contains("?;"), "\(option.stderr)")
  }

  @Test("a negative count is read and refused as negative, not as a missing value; checks run before anything")
  func validation() throws {
    let fixture = try TestRepository()
    try expectUsageError(
      fixture, ["usage", "record", "--model", "gpt-5", "--in", "-5"], ["--in must be non-negative", "-5"])
    try expectUsageError(
      fixture, ["usage", "record", "--model", "gpt-5", "--cr", "1000000000000001"], ["--cr must be at most 10^15"])
    try expectUsageError(fixture, ["usage", "record", "--model", "gpt-5", "--cost", "-1"], ["--cost", "-1"])
    // What a usage line would refuse is refused as the flag, not later as a bad line.
    for cost in [".5", "0x10", "1e10", "NaN"] {
      try expectUsageError(
        fixture, ["usage", "record", "--model", "gpt-5", "--cost", cost], ["--cost must be an amount in USD", cost])
    }
    try expectUsageError(fixture, ["usage", "record", "--in", "5"], ["--in needs --model"])
    try expectUsageError(fixture, ["checkpoints", "prune", "--keep", "-1"], ["--keep must be non-negative"])
    try expectUsageError(fixture, ["repos", "scan", ".", "--depth", "-2"], ["--depth must be non-negative"])
    try expectUsageError(fixture, ["usage", "--cycle-day", "-3"], ["--cycle-day", "-3"])
    try expectUsageError(fixture, ["rollup", "--cycle-day", "40"], ["--cycle-day", "40"])
    try expectUsageError(fixture, ["usage", "--json", "--format", "csv"], ["--json and --format csv"])
    try expectUsageError(fixture, ["rollup", "--team", "--format", "html"], ["--team", "html"])
    try expectUsageError(fixture, ["pr", "comment", "--pr", "-4"], ["--pr", "-4"])
    try expectUsageError(fixture, ["install", "--statusline"], ["--statusline", "--agent claude-code"])
    // Nothing was recorded by the refused commands.
    #expect(try fixture.octo("usage", "pending") == "nothing pending\n")
    // Values are read in any case.
    #expect(
      try CanonicalJSON.parse(try fixture.octo("usage", "--by", "MODEL", "--format", "JSON"))["by"]?.stringValue
        == "model")
  }

  // MARK: - Tables

  @Test("--wide keeps every column of usage and rollup tables; without it they fit the terminal")
  func wide() throws {
    let fixture = try withUsage([
      #"{"id":"w1","model":"claude-sonnet-4-5","in":1200,"out":3400,"cw1h":20000,"cr":150000,"cost":1.5,"#
        + #""at":"2026-11-18T10:00:00Z"}"#
    ])
    try fixture.octo("repos", "add")
    for command in [["usage", "--by", "model"], ["rollup"], ["usage", "pending"]] {
      if command == ["usage", "pending"] {
        try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "123456", "--out", "654321", "--cr", "999999")
      }
      let narrow = try run(fixture, command, environment: ["COLUMNS": "50"])
      #expect(narrow.status == 0, "\(command): \(narrow.stderr)")
      #expect(narrow.stdout.contains("left out to fit 50 columns"), "\(command): \(narrow.stdout)")
      let wide = try run(fixture, command + ["--wide"], environment: ["COLUMNS": "50"])
      #expect(wide.status == 0, "\(command): \(wide.stderr)")
      #expect(!wide.stdout.contains("left out"), "\(command): \(wide.stdout)")
      #expect(wide.stdout.contains("cache write 1h"), "\(command): \(wide.stdout)")
    }
  }

  // MARK: - Pending usage

  @Test("usage pending takes --format; --json lists the events with their ids; usage drop removes pending ones only")
  func pendingAndDrop() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "1000", "--id", "keep-me")
    try fixture.commitAll("committed")
    for id in ["mistake-1", "mistake-2", "stays"] {
      try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "1000", "--cost", "0.25", "--id", id)
    }
    let listed = try CanonicalJSON.parse(try fixture.octo("usage", "pending", "--json")).arrayValue ?? []
    #expect(listed.compactMap { $0["id"]?.stringValue } == ["mistake-1", "mistake-2", "stays"])
    #expect(listed.allSatisfy { $0["worktree"]?.stringValue == "main" && $0["model"]?.stringValue == "gpt-5" })
    #expect(
      try fixture.octo("usage", "pending", "--format", "json") == (try fixture.octo("usage", "pending", "--json")))
    let csv = try fixture.octo("usage", "pending", "--format", "csv").split(separator: "\n")
    #expect(csv.first?.hasPrefix("id,time,agent,session,model,in,out") == true, "\(csv)")
    #expect(csv.count == 5 && csv.last?.hasPrefix("total,") == true && csv.last?.hasSuffix(",0.75") == true, "\(csv)")
    let markdown = try fixture.octo("usage", "pending", "--format", "md")
    #expect(markdown.contains("| mistake-1 |") && markdown.contains("| **total** |"), "\(markdown)")
    let table = try fixture.octo("usage", "pending", "--wide")
    #expect(table.hasPrefix("id") && table.contains("mistake-2") && table.contains("$0.75"), "\(table)")

    // Two dropped (one by the start of its id), one line saying so.
    let dropped = try run(fixture, ["usage", "drop", "mistake-1", "mistake-2"])
    #expect(dropped.status == 0, "\(dropped.stderr)")
    #expect(dropped.stdout == "dropped 2 pending events ($0.50)\n", "\(dropped.stdout)")
    #expect(try fixture.octo("usage", "pending", "--json").contains("stays"))
    #expect(!(try fixture.octo("usage", "pending", "--json").contains("mistake")))

    // Committed usage is never dropped, and a refusal drops nothing.
    let committed = try run(fixture, ["usage", "drop", "stays", "keep-me"])
    #expect(committed.status == ExitStatus.badInput.rawValue)
    #expect(
      committed.stderr.split(separator: "\n").count == 1 && committed.stderr.contains("'keep-me' is committed"),
      "\(committed.stderr)")
    #expect(try fixture.octo("usage", "pending", "--json").contains("stays"))
    let unknown = try run(fixture, ["usage", "drop", "nothing-like-it"])
    #expect(
      unknown.status == ExitStatus.badInput.rawValue && unknown.stderr.contains("no pending event 'nothing-like-it'"))
    let json = try CanonicalJSON.parse(try fixture.octo("usage", "drop", "sta", "--json"))
    #expect(json["dropped"]?.intValue == 1 && json["ids"]?.arrayValue?.first?.stringValue == "stays")
    #expect(json["cost"]?.decimalValue == Decimal(string: "0.25"))
    #expect(try fixture.octo("usage", "pending") == "nothing pending\n")
    // The committed event is still reported.
    #expect(try CanonicalJSON.parse(try fixture.octo("usage", "--json"))["total"]?["events"]?.intValue == 1)
  }

  // MARK: - Sessions

  @Test("usage --by session: cost, tokens, first and last request, agent and branch per session, latest first")
  func bySession() throws {
    let fixture = try withUsage([
      #"{"id":"a1","model":"gpt-5","in":100,"out":10,"cost":0.5,"session":"sess-a","agent":"claude-code","#
        + #""at":"2026-11-18T10:00:00Z"}"#,
      #"{"id":"a2","model":"gpt-5","in":200,"out":20,"cost":0.25,"session":"sess-a","agent":"claude-code","#
        + #""at":"2026-11-18T11:30:00Z"}"#,
      #"{"id":"a3","model":"gpt-5","in":1,"out":1,"cost":0.01,"session":"sess-a","agent":"codex","#
        + #""at":"2026-11-18T11:00:00Z"}"#,
      #"{"id":"b1","model":"gpt-5","in":300,"out":30,"cost":1,"session":"sess-b","agent":"codex","#
        + #""at":"2026-11-19T09:00:00Z"}"#,
      #"{"id":"n1","model":"gpt-5","in":1,"out":1,"cost":0.02,"at":"2026-11-17T09:00:00Z","agent":"claude-code"}"#,
      #"{"id":"n2","model":"gpt-5","in":1,"out":1,"cost":0.02,"at":"2026-11-17T09:30:00Z","agent":"codex"}"#,
    ])
    let report = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "session", "--json"))
    #expect(report["by"]?.stringValue == "session")
    let rows = report["rows"]?.arrayValue ?? []
    #expect(rows.compactMap { $0["key"]?.stringValue } == ["sess-b", "sess-a", "(none)"])
    let a = rows.first { $0["key"]?.stringValue == "sess-a" }
    #expect(a?["cost"]?.decimalValue == Decimal(string: "0.76"))
    #expect(a?["in"]?.intValue == 301 && a?["out"]?.intValue == 31 && a?["events"]?.intValue == 3)
    #expect(a?["start"]?.stringValue == "2026-11-18T10:00:00.000Z")
    #expect(a?["end"]?.stringValue == "2026-11-18T11:30:00.000Z")
    #expect(a?["agent"]?.stringValue == "claude-code")
    #expect(a?["branch"]?.stringValue == "main")
    #expect(rows.first?["agent"]?.stringValue == "codex")
    // Requests of no session by two agents: no one agent named for them.
    #expect(rows.last?["agent"] == .null && rows.last?["events"]?.intValue == 2, "\(rows.last!)")

    let table = try fixture.octo("usage", "--by", "session", "--tz", "UTC", "--wide")
    #expect(table.hasPrefix("session"), "\(table)")
    for text in ["start", "end", "agent", "branch", "2026-11-18 10:00", "2026-11-18 11:30", "$0.76", "$1.80"] {
      #expect(table.contains(text), "\(text) missing from \(table)")
    }
    let csv = try fixture.octo("usage", "--by", "session", "--format", "csv")
    #expect(csv.hasPrefix("session,start,end,agent,branch,events,in,out"), "\(csv)")
    #expect(
      csv.contains("sess-a,2026-11-18T10:00:00.000Z,2026-11-18T11:30:00.000Z,claude-code,main,3,301,31"), "\(csv)")
  }

  // MARK: - Confirmations

  @Test("checkpoints prune and cache rebuild say what they did in one line, nothing with --quiet")
  func confirmations() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    for message in ["one", "two", "three"] {
      try fixture.write("f.txt", message)
      try fixture.octo("checkpoint", "-m", message)
    }
    #expect(try fixture.octo("checkpoints", "prune", "--keep", "2") == "pruned 1 checkpoint\n")
    #expect(try fixture.octo("checkpoints", "prune", "--keep", "2") == "no checkpoints to prune\n")
    #expect(try fixture.octo("checkpoints", "prune", "--keep", "0", "--quiet").isEmpty)
    #expect(try fixture.octo("checkpoints", "list", "--json") == "[]\n")

    try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "10")
    try fixture.commitAll("work")
    #expect(try fixture.octo("cache", "rebuild") == "rebuilt the cache from the usage notes of 1 commit\n")
    #expect(try fixture.octo("cache", "rebuild", "-q").isEmpty)
    #expect(try fixture.octo("usage", "record", "-q", "--model", "gpt-5", "--out", "1", "--id", "oops").isEmpty)
    #expect(try fixture.octo("usage", "drop", "-q", "oops").isEmpty)
    #expect(try fixture.octo("usage", "pending") == "nothing pending\n")
  }

  @Test("messages name the real reason: -C at a file, --out at a folder, a cost past the limit; --json always prints")
  func reasons() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a\n")
    let file = try OctoGitBinary.run(["-C", "a.txt", "usage"], in: fixture.path, home: fixture.home)
    #expect(file.status == ExitStatus.usage.rawValue && file.stderr.contains("not a directory"), "\(file.stderr)")
    try fixture.octo("repos", "add", ".")
    // A registered repository named by a relative path.
    let relative = try OctoGitBinary.run(["rollup", "--repos", "."], in: fixture.path, home: fixture.home)
    #expect(relative.status == 0, "\(relative.stderr)")
    try FileManager.default.createDirectory(atPath: fixture.path + "/out", withIntermediateDirectories: true)
    let folder = try OctoGitBinary.run(
      ["rollup", "--format", "html", "--out", "out"], in: fixture.path, home: fixture.home)
    #expect(folder.status != 0 && folder.stderr.contains("Is a directory"), "\(folder.stderr)")
    #expect(!folder.stderr.contains("NSCocoaErrorDomain"))
    let huge = try OctoGitBinary.run(
      ["usage", "record", "--model", "claude-sonnet-4-5", "--in", "1000000000000000"], in: fixture.path,
      home: fixture.home)
    #expect(huge.stderr.contains("passes the limit") && !huge.stderr.contains("no price"), "\(huge.stderr)")
    // An import that finds nothing still prints its counts with --json.
    let codex = try OctoGitBinary.run(
      ["usage", "import", "codex", "--json"], in: fixture.path, home: fixture.home,
      environment: ["CODEX_HOME": fixture.root + "/no-codex"])
    let imported = (try? CanonicalJSON.parse(codex.stdout))?["imported"]?.intValue
    #expect(codex.status == 0 && imported == 0, "\(codex.stdout) \(codex.stderr)")
  }
}
