import Foundation
import GRDB
import Testing

@testable import OctoGit

/// Data from outside — a teammate's notes, agents' files, octo-git's own state files cut short — never
/// crashes octo-git or changes a total silently.
@Suite("Hostile and damaged input")
struct HostileInputTests {
  static let good =
    #"{"at":"2026-11-01T10:00:00.000Z","cost":1.5,"cr":0,"cw1h":0,"cw5m":0,"id":"good-1","in":100,"model":"m","#
    + #""out":10,"v":1}"#

  /// Attaches `lines` as the usage note of HEAD with the git CLI (as a fetch from another clone would).
  func attach(_ lines: [String], to repository: TestRepository) throws {
    let file = repository.root + "/note.txt"
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
    try repository.git("notes", "--ref=octo/usage", "add", "-f", "-F", file, "HEAD")
  }

  @Test("absurd numbers in a note are malformed lines: reports run, totals are the good lines', the bad ones are named")
  func absurdNumbers() throws {
    let repository = try TestRepository()
    try attach(
      [
        Self.good,
        #"{"at":"2026-11-01T10:00:00.000Z","cost":9223372036854775808,"id":"bad-cost","in":1,"model":"m","v":1}"#,
        #"{"at":"2026-11-01T10:00:00.000Z","id":"bad-tokens-1","in":999999999999999999,"model":"m","v":1}"#,
        #"{"at":"2026-11-01T10:00:00.000Z","id":"bad-tokens-2","cr":999999999999999999,"model":"m","v":1}"#,
        #"{"at":"2026-11-01T10:00:00.000Z","cost":-1,"id":"negative","in":1,"model":"m","v":1}"#,
        "not json at all",
      ], to: repository)
    let json = try CanonicalJSON.parse(try repository.octo("usage", "--by", "model", "--json"))
    #expect(json["total"]?["events"]?.intValue == 1)
    #expect(json["total"]?["in"]?.intValue == 100)
    #expect(json["total"]?["cost"].map(CanonicalJSON.string) == "1.5")
    #expect(json["malformedLines"]?.intValue == 5)
    let table = try repository.octo("usage", "--by", "model")
    #expect(table.contains("5 note line(s) could not be read"))
    let head = String(try repository.git("rev-parse", "HEAD").prefix(12))
    #expect(
      try repository.octo("doctor").contains(
        "5 usage note line(s) cannot be read and are in no total, in commits \(head) (5)"))
    try repository.octo("repos", "add", ".")
    let rollup = try CanonicalJSON.parse(try repository.octo("rollup", "--format", "json"))
    #expect(rollup["total"]?["events"]?.intValue == 1 && rollup["malformedLines"]?.intValue == 5, "\(rollup)")
    #expect(try repository.octo("rollup").contains("5 note line(s) in"))
    // Again, from what the rollup saved: still said.
    #expect(try CanonicalJSON.parse(try repository.octo("rollup", "--format", "json"))["malformedLines"]?.intValue == 5)
    #expect(try repository.octo("usage", "show", "HEAD").contains("5 line(s) of the note on \(head) could not be read"))
    for command in [["usage", "show", "HEAD"], ["usage", "pending"], ["rollup"]] {
      let result = try OctoGitBinary.run(command, in: repository.path, home: repository.home)
      #expect(result.status == 0, "\(command): \(result.stderr)")
    }
  }

  @Test("copies equal in output and cost: the one that read more counts, in usage and rollup alike")
  func tiedCopies() throws {
    let repository = try TestRepository()
    try repository.git("commit", "-q", "--allow-empty", "-m", "older")
    try attach(
      [#"{"at":"2026-11-01T10:00:00.000Z","id":"tie","in":1000,"model":"m-x","out":10,"v":1}"#], to: repository)
    try repository.git("commit", "-q", "--allow-empty", "-m", "newer")
    try attach(
      [#"{"at":"2026-11-01T10:00:00.000Z","cr":7000,"id":"tie","in":5,"model":"m-x","out":10,"v":1}"#], to: repository)
    func tokens(_ arguments: [String]) throws -> Int? {
      let report = try CanonicalJSON.parse(try repository.octo(arguments))["total"]
      return ["in", "out", "cr"].reduce(0) { $0 + (report?[$1]?.intValue ?? -99_999) }
    }
    _ = try OctoGitBinary.run(["repos", "add"], in: repository.path, home: repository.home)
    #expect(try tokens(["usage", "--by", "model", "--json"]) == 7015)
    #expect(try tokens(["rollup", "--by", "model", "--json"]) == 7015)
    #expect(
      EventCopy.isBetter(
        TokenCounts(input: 5, output: 10, cacheRead: 7000), cost: nil,
        than: TokenCounts(input: 1000, output: 10), nil))
  }

  @Test("thousands of lines at the limit make a sum overflow: one line naming it and exit 4, never a trap")
  func sumOverflow() throws {
    let repository = try TestRepository()
    let lines = (0..<10_000).map {
      #"{"at":"2026-11-01T10:00:00.000Z","cr":1000000000000000,"cw1h":1000000000000000,"id":"big-\#($0)","#
        + #""in":1000000000000000,"model":"m","out":1000000000000000,"v":1}"#
    }
    try attach(lines, to: repository)
    let result = try OctoGitBinary.run(["usage", "--by", "model"], in: repository.path, home: repository.home)
    #expect(result.status == 4, "\(result.stderr)")
    #expect(result.stderr.contains("overflow") && result.stderr.contains("git notes --ref=octo/usage remove"))
    // One note's own events too: never a total capped at 2^63 - 1.
    let show = try OctoGitBinary.run(["usage", "show", "HEAD"], in: repository.path, home: repository.home)
    #expect(show.status == 4 && !show.stdout.contains("9,223,372,036,854,775,807"), "\(show.stdout)")
    // The rollup across repositories refuses the same sums (it printed them capped, exit 0).
    _ = try OctoGitBinary.run(["repos", "add"], in: repository.path, home: repository.home)
    for format in ["table", "json"] {
      let rollup = try OctoGitBinary.run(
        ["rollup", "--by", "model", "--format", format], in: repository.path, home: repository.home)
      #expect(rollup.status == 4 && rollup.stderr.contains("overflow"), "\(rollup.stderr)")
      #expect(!rollup.stdout.contains("9223372036854775807") && !rollup.stdout.contains("9,223,372,036,854,775,807"))
    }
  }

  @Test("a line with fields this version does not know is read for the fields it knows")
  func unknownFields() throws {
    let repository = try TestRepository()
    try attach(
      [
        #"{"at":"2026-11-01T10:00:00.000Z","cost":2,"future":{"nested":[1,2,"x"]},"id":"new-1","in":7,"model":"m","#
          + #""zeta":"z","v":1}"#
      ],
      to: repository)
    let json = try CanonicalJSON.parse(try repository.octo("usage", "--by", "model", "--json"))
    #expect(json["total"]?["events"]?.intValue == 1)
    #expect(json["total"]?["in"]?.intValue == 7)
    #expect(json["malformedLines"]?.intValue == 0)
  }

  @Test("lines of a later octo-git are counted apart, and a rewritten commit inherits every line byte for byte")
  func laterVersions() throws {
    let repository = try TestRepository()
    let future = #"{"at":"2026-11-01T10:00:00.000Z","id":"f-1","in":3,"model":"m","shiny":{"x":[1]},"v":1}"#
    let newer = #"{"at":"2026-11-01T10:00:00.000Z","id":"n-1","in":4,"model":"m","v":2}"#
    try attach([Self.good, future, newer], to: repository)
    let json = try CanonicalJSON.parse(try repository.octo("usage", "--by", "model", "--json"))
    #expect(json["total"]?["events"]?.intValue == 2)
    #expect(json["malformedLines"]?.intValue == 1 && json["newerLines"]?.intValue == 1)
    #expect(try repository.octo("usage").contains("1 of them written by a newer octo-git"))
    let old = try repository.git("rev-parse", "HEAD")
    try repository.git("commit", "-q", "--amend", "-m", "amended", environment: ["OCTO_GIT_HOOKS": "0"])
    let new = try repository.git("rev-parse", "HEAD")
    try repository.octo("hook", "post-rewrite", "amend", input: "\(old) \(new)\n")
    let copied = Set(
      try repository.git("notes", "--ref=octo/usage", "show", new).split(separator: "\n").map(String.init))
    #expect(copied == [Self.good, future, newer])
  }

  @Test("control characters in names are shown escaped in tables and never reach the terminal raw")
  func escapeCharacters() throws {
    let repository = try TestRepository()
    try attach(
      [
        #"{"agent":"a\u001b]0;pwned\u0007","at":"2026-11-01T10:00:00.000Z","id":"e-1","in":1,"#
          + #""model":"m\u001b[2J\u001b","v":1}"#
      ],
      to: repository)
    for by in ["model", "agent"] {
      let table = try repository.octo("usage", "--by", by)
      #expect(!table.utf8.contains(0x1B) && !table.utf8.contains(0x07), "\(by)")
      #expect(table.contains("\\e"))
    }
  }

  @Test("CSV cells that a spreadsheet would run are neutralised; Markdown cells carry no markup")
  func csvAndMarkdown() {
    var table = TextTable(headers: ["name", "n"], alignments: [.left, .right])
    table.rows = [["=HYPERLINK(\"http://x\")", "1"], ["@SUM(A1)", "2"], ["[click](http://x) <b>|</b> <!--", "3"]]
    #expect(table.csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""))
    #expect(table.csv.contains("'@SUM(A1)"))
    let markdown = table.markdown
    #expect(markdown.contains("\\[click\\](http://x) \\<b\\>\\|\\</b\\> \\<!--"))
    #expect(SafeText.terminal("a\u{1B}[31mb\u{07}\u{9B}") == "a\\e[31mb\\x07\\u{9b}")
    #expect(SafeText.terminal("file\u{202E}txt.exe") == "file\\u{202e}txt.exe")
    // On GitHub, a name from data never mentions anyone nor links an issue.
    #expect(SafeText.markdown("@octocat #1") == "@\u{200B}octocat #\u{200B}1")
    // A bare URL stays one (its text is where it leads).
    #expect(
      SafeText.markdown("see https://github.com/acme/app/issues/12") == "see https://github.com/acme/app/issues/12")
    #expect(SafeText.prefix("Z" + String(repeating: "\u{301}", count: 10), scalars: 3).unicodeScalars.count == 3)
  }

  @Test("a pending row that cannot be read is named by usage pending and dropped by usage drop")
  func unreadablePendingRow() throws {
    let fixture = try TestRepository()
    try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "100", "--id", "good")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "100", "--id", "cut")
    // A line a crash cut short.
    let store = try LedgerStore.open(commonDirectory: fixture.path + "/.git")
    try store.write { db in
      try db.execute(sql: #"UPDATE pending_event SET line = '{"id":"cut","mod' WHERE id = 'cut'"#)
    }
    let result = try OctoGitBinary.run(["usage", "pending", "--json"], in: fixture.path, home: fixture.home)
    #expect(result.status == 0)
    let listed = try CanonicalJSON.parse(result.stdout).arrayValue ?? []
    #expect(listed.map { $0["id"]?.stringValue } == ["good"])
    #expect(result.stderr.contains("1 pending row(s) cannot be read and are in no total (cut)"))
    let dropped = try fixture.octo("usage", "drop", "cut")
    #expect(dropped.contains("dropped 1 unreadable pending row: cut"))
    let after = try OctoGitBinary.run(["usage", "pending"], in: fixture.path, home: fixture.home)
    #expect(!after.stderr.contains("cannot be read"))
    #expect(after.stdout.contains("good"))
  }

  @Test("a damaged snapshot state (a record count it cannot hold) is rebuilt, the checkpoint still taken")
  func damagedSnapshotState() throws {
    let repository = try TestRepository()
    try repository.write("a.txt", "one\n")
    try repository.octo("checkpoint", "-m", "first")
    let state = repository.path + "/.git/octo/snapshot.state"
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: state)))
    #expect(bytes.count > 32)
    bytes.replaceSubrange(28..<32, with: [0xFF, 0xFF, 0xFF, 0xFF])
    try Data(bytes).write(to: URL(fileURLWithPath: state))
    try repository.write("a.txt", "two\n")
    let second = try OctoGitBinary.run(["checkpoint", "-m", "second"], in: repository.path, home: repository.home)
    #expect(second.status == 0)
    #expect(second.stderr.contains("did not check and was rebuilt from the index"), "\(second.stderr)")
    let latest = try repository.git(
      "for-each-ref", "--sort=-refname", "--count=1", "--format=%(objectname)", "refs/octo/checkpoints/")
    #expect(try repository.git("show", "\(latest):a.txt") == "two")
  }

  @Test("a snapshot state whose records were changed behind its back (its checksum fails) is not trusted")
  func snapshotStateChecksum() throws {
    let repository = try TestRepository()
    try repository.write("a.txt", "one\n")
    try repository.write("b.txt", "bee\n")
    try repository.octo("checkpoint", "-m", "first")
    let state = repository.path + "/.git/octo/snapshot.state"
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: state)))
    #expect(Array(bytes[0..<8]) == Array("OCTOSNP3".utf8))
    // A file that parses but lies: the first record's blob id changed (as if it held another tree's files),
    // and its stat data still says the file is unchanged.
    let blobID = 32 + 56
    bytes[blobID] ^= 0xFF
    try Data(bytes).write(to: URL(fileURLWithPath: state))
    try repository.write("b.txt", "buzz\n")
    let second = try OctoGitBinary.run(["checkpoint", "-m", "second"], in: repository.path, home: repository.home)
    #expect(second.status == 0)
    #expect(second.stderr.contains("did not check and was rebuilt from the index"), "\(second.stderr)")
    // The checkpoint holds what is on disk, as git sees it (a private index: git add -A, write-tree).
    let latest = try repository.git(
      "for-each-ref", "--sort=-refname", "--count=1", "--format=%(objectname)", "refs/octo/checkpoints/")
    let index = repository.root + "/witness-index"
    try repository.git("add", "-A", environment: ["GIT_INDEX_FILE": index])
    let tree = try repository.git("write-tree", environment: ["GIT_INDEX_FILE": index])
    #expect(try repository.git("rev-parse", "\(latest)^{tree}") == tree)
  }

  @Test("a FIFO named like a rollout, or a device as a hook's transcript, is skipped: the import ends")
  func specialFiles() throws {
    let repository = try TestRepository()
    let codexHome = repository.root + "/codex"
    try FileManager.default.createDirectory(
      atPath: codexHome + "/sessions/2026/11/01", withIntermediateDirectories: true)
    #expect(mkfifo(codexHome + "/sessions/2026/11/01/rollout-fifo.jsonl", 0o600) == 0)
    let codex = try OctoGitBinary.run(
      ["usage", "import", "codex", "--json"], in: repository.path, home: repository.home,
      environment: ["CODEX_HOME": codexHome])
    #expect(codex.status == 0, "\(codex.stderr)")
    let hookInput = #"{"session_id":"s","transcript_path":"/dev/zero","cwd":"\#(repository.path)"}"#
    let hook = try OctoGitBinary.run(
      ["usage", "import", "claude-code", "--hook-input", "-"], in: repository.path, home: repository.home,
      input: hookInput)
    #expect(hook.status == 0)
  }

  @Test("a Codex running total past any real count is a malformed line, not a crash")
  func codexHugeCounts() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("octo-codex-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("rollout.jsonl")
    let lines = [
      #"{"timestamp":"2026-11-01T10:00:00.000Z","type":"event_msg","payload":{"type":"token_count","#
        + #""info":{"total_token_usage":{"input_tokens":9223372036854775807,"output_tokens":5}}}}"#,
      #"{"timestamp":"2026-11-01T10:00:01.000Z","type":"event_msg","payload":{"type":"token_count","#
        + #""info":{"total_token_usage":{"input_tokens":-5,"output_tokens":9223372036854775807}}}}"#,
      #"{"timestamp":"2026-11-01T10:00:02.000Z","type":"event_msg","payload":{"type":"token_count","#
        + #""info":{"total_token_usage":{"input_tokens":100,"output_tokens":5}}}}"#,
    ]
    try Data(lines.joined(separator: "\n").utf8).write(to: file)
    var requests: [AgentRequest] = []
    var malformed = 0
    try CodexTranscripts.read(file.path, into: &requests, malformed: &malformed)
    #expect(malformed == 2)
    #expect(requests.count == 1)
    #expect(requests.first?.tokens.input == 100)
  }

  @Test("a template of thousands of nested sections is refused with one line, exit 4")
  func deepTemplate() throws {
    let repository = try TestRepository()
    try repository.git("checkout", "-q", "-b", "feature/x")
    try repository.write("x.txt", "x\n")
    try repository.commitAll("feat: x")
    let deep = String(repeating: "{{#a}}", count: 3000) + String(repeating: "{{/a}}", count: 3000)
    try repository.write(".octo/templates/pr.md.mustache", deep)
    let result = try OctoGitBinary.run(["pr", "describe"], in: repository.path, home: repository.home)
    #expect(result.status == 4, "\(result.stderr)")
    #expect(result.stderr.contains("nests sections"))
  }

  @Test("damaged numbers in state files are refused, never trusted: scanner, folder cache, archive")
  func scannerBounds() {
    func scan(_ line: String) -> UsageEvent? {
      Array(line.utf8).withUnsafeBufferPointer { UsageEvent.scan($0) }
    }
    #expect(scan(Self.good) != nil)
    #expect(scan(#"{"at":"2026-11-01T10:00:00.000Z","id":"x","in":1000000000000001,"model":"m","v":1}"#) == nil)
    #expect(scan(#"{"at":"2026-11-01T10:00:00.000Z","id":"x","in":1000000000000000,"model":"m","v":1}"#) != nil)
    #expect(scan(#"{"at":"2026-11-01T10:00:00.000Z","cost":1000000001,"id":"x","model":"m","v":1}"#) == nil)
    #expect(
      scan(#"{"at":"2026-11-01T10:00:00.000Z","cost":99999999999999999999999,"id":"x","model":"m","v":1}"#) == nil)
    #expect(scan(#"{"at":"2026-11-01T10:00:00.000Z","cost":5e2,"id":"x","model":"m","v":1}"#)?.cost?.plainText == "500")
    #expect(EventArchive.decode(Data("OGA2\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{01}".utf8)) == nil)
  }
}

@Suite("Import offsets follow the file, not the path")
struct ImportIdentityTests {
  func line(_ id: String, cwd: String) -> String {
    #"""
    {"type":"assistant","timestamp":"2027-03-01T10:00:00Z","cwd":"\#(cwd)","gitBranch":"main","sessionId":"s1",\#
    "message":{"id":"\#(id)","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,\#
    "output_tokens":5}}}
    """#
  }

  @Test("a transcript replaced by a different, larger file is read again from its start: no request lost")
  func replacedTranscript() throws {
    let fixture = try TestRepository()
    let project = fixture.root + "/claude/projects/-repo"
    try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
    let path = project + "/s1.jsonl"
    try Data((line("a1", cwd: fixture.path) + "\n").utf8).write(to: URL(fileURLWithPath: path))
    try fixture.octo("usage", "import", "claude-code", "--dir", fixture.root + "/claude")
    // Another file under the same name (a new inode), longer than the first.
    try FileManager.default.removeItem(atPath: path)
    let replacement = ["b1", "b2", "b3"].map { line($0, cwd: fixture.path) }.joined(separator: "\n") + "\n"
    try Data(replacement.utf8).write(to: URL(fileURLWithPath: path))
    let summary = try CanonicalJSON.parse(
      try fixture.octo("usage", "import", "claude-code", "--dir", fixture.root + "/claude", "--json"))
    #expect(summary["imported"]?.intValue == 3)
    let pending = try fixture.octo("usage", "pending", "--json")
    for id in ["cc:a1", "cc:b1", "cc:b2", "cc:b3"] { #expect(pending.contains(id), "\(id)") }
  }
}

@Suite("Reports for people: cents, the terminal's width, totals in every format")
struct ReportShapeTests {
  @Test("money to the cent for people, exact for scripts")
  func money() {
    #expect(Money.format(Decimal(string: "90.01590255")!) == "$90.02")
    #expect(Money.format(Decimal(string: "0.000006")!) == "<$0.01")
    #expect(Money.format(Decimal(string: "1234567.005")!) == "$1,234,567.01")
    #expect(Money.format(0) == "$0.00")
    #expect(Money.exact(Decimal(string: "0.000006")!) == "$0.000006")
  }

  @Test("a table wider than the terminal cuts its text, then leaves out the columns it may, and says which")
  func fitsTheTerminal() {
    var table = TextTable(
      headers: ["model", "events", "cache write 5m", "cache write 1h", "cost USD"],
      alignments: [.left, .right, .right, .right, .right])
    table.rows = [[String(repeating: "m", count: 60), "1", "1,000", "2,000", "$1.00"]]
    table.droppable = [2, 3]
    let wide = table.text()
    #expect(wide.split(separator: "\n").allSatisfy { $0.count > 60 || !$0.contains("m") })
    let narrow = table.text(style: OutputStyle(colour: false, width: 40))
    let lines = narrow.split(separator: "\n")
    #expect(lines.dropLast().allSatisfy { $0.count <= 40 }, "\(narrow)")
    #expect(lines.last?.contains("left out to fit 40 columns: cache write 5m") == true, "\(narrow)")
    #expect(narrow.contains("…"))
  }

  @Test("CSV and Markdown end with the total row")
  func totals() throws {
    let repository = try TestRepository()
    try repository.octo("usage", "record", "--model", "gpt-5", "--in", "10", "--out", "5", "--cost", "0.5")
    try repository.git("commit", "-q", "--allow-empty", "-m", "x")
    try repository.octo("hook", "post-commit")
    let csv = try repository.octo("usage", "--by", "model", "--format", "csv")
    #expect(csv.split(separator: "\n").last?.hasPrefix("total,1,10,5,") == true, "\(csv)")
    let markdown = try repository.octo("usage", "--by", "model", "--format", "md")
    #expect(markdown.contains("| **total** | **1** |"), "\(markdown)")
  }
}
