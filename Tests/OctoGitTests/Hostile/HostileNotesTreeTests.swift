import Foundation
import Testing

@testable import OctoGit

/// Usage notes trees as another clone can push them: entries that are not notes, notes whose blobs are
/// missing, one event on thousands of notes, control characters in names. Reports read them as git does,
/// count what cannot be read, and never crash.
@Suite("Hostile notes trees")
struct HostileNotesTreeTests {
  static func line(_ id: String, model: String = "m", output: Int = 1) -> String {
    #"{"at":"2026-11-01T10:00:00.000Z","cost":1,"id":"\#(id)","in":1,"model":"\#(model)","out":\#(output),"v":1}"#
      + "\n"
  }

  /// A repository with `count` commits besides the first; their ids, oldest first.
  static func commits(_ count: Int, in repository: TestRepository) throws -> [String] {
    for number in 0..<count { try repository.git("commit", "-q", "--allow-empty", "-m", "c\(number)") }
    return try repository.git("rev-list", "--reverse", "HEAD").split(separator: "\n").map(String.init)
  }

  /// Points the usage notes ref at a notes commit of `tree`.
  static func publish(_ tree: String, in repository: TestRepository) throws {
    let notes = try repository.git("commit-tree", tree, "-m", "notes")
    try repository.git("update-ref", "refs/notes/octo/usage", notes)
  }

  static func report(_ repository: TestRepository) throws -> JSONValue {
    try CanonicalJSON.parse(try repository.octo("usage", "--by", "model", "--json"))
  }

  @Test("links, submodules, folders not named by two digits and empty names are not notes, as to git")
  func entriesThatAreNotNotes() throws {
    let repository = try TestRepository()
    let ids = try Self.commits(4, in: repository)
    let blob = { (id: String) in try repository.git("hash-object", "-w", "--stdin", input: Self.line(id)) }
    let oneDigit = try repository.rawTree([
      RawTreeEntry(mode: "100644", name: String(ids[4].dropFirst()), id: blob("d"))
    ])
    var tree = try repository.rawTree([
      RawTreeEntry(mode: "100644", name: ids[0], id: try blob("good")),
      RawTreeEntry(mode: "120000", name: ids[1], id: try blob("link")),
      RawTreeEntry(mode: "160000", name: ids[2], id: ids[0]),
      RawTreeEntry(mode: "40000", name: String(ids[4].prefix(1)), id: oneDigit),
    ])
    try Self.publish(tree, in: repository)
    // The witness: git lists one note.
    #expect(try repository.git("notes", "--ref=octo/usage", "list").split(separator: "\n").count == 1)
    let witnessed = try Self.report(repository)
    #expect(witnessed["total"]?["events"]?.intValue == 1, "\(witnessed)")
    #expect(witnessed["malformedLines"]?.intValue ?? 0 == 0)
    // Folders with empty names, nested (git itself stops at them): skipped, the good note still counted.
    var nested = try repository.rawTree([RawTreeEntry(mode: "100644", name: ids[3], id: try blob("deep"))])
    for _ in 0..<3 { nested = try repository.rawTree([RawTreeEntry(mode: "40000", name: "", id: nested)]) }
    tree = try repository.rawTree([
      RawTreeEntry(mode: "100644", name: ids[0], id: try blob("good")),
      RawTreeEntry(mode: "40000", name: "", id: nested),
    ])
    try Self.publish(tree, in: repository)
    #expect(try Self.report(repository)["total"]?["events"]?.intValue == 1)
    try repository.octo("cache", "rebuild")
    #expect(try Self.report(repository)["total"]?["events"]?.intValue == 1)
  }

  @Test("a note whose blob is missing counts as a line that cannot be read, on every path; doctor runs")
  func missingBlob() throws {
    let repository = try TestRepository()
    let ids = try Self.commits(2, in: repository)
    let good = try repository.git("hash-object", "-w", "--stdin", input: Self.line("good", output: 5))
    let missing = String(repeating: "0", count: 39) + "2"
    let first = try repository.git("mktree", input: "100644 blob \(good)\t\(ids[0])\n")
    try Self.publish(first, in: repository)
    #expect(try Self.report(repository)["total"]?["events"]?.intValue == 1)
    // The next notes add one whose blob this clone does not have: read incrementally, then again whole.
    let second = try repository.git(
      "mktree", "--missing", input: "100644 blob \(good)\t\(ids[0])\n100644 blob \(missing)\t\(ids[1])\n")
    try Self.publish(second, in: repository)
    for _ in 0..<2 {
      let report = try Self.report(repository)
      #expect(report["total"]?["out"]?.intValue == 5, "\(report)")
      #expect(report["malformedLines"]?.intValue == 1, "\(report)")
      try repository.octo("cache", "rebuild")
    }
    #expect(try repository.octo("doctor").contains("1 usage note line(s) cannot be read"))
    let shown = try OctoGitBinary.run(["usage", "show", ids[1]], in: repository.path, home: repository.home)
    #expect(shown.status != 0 && shown.stderr.contains("which this clone does not have"), "\(shown.stderr)")
    try repository.octo("repos", "add", ".")
    let rollup = try CanonicalJSON.parse(try repository.octo("rollup", "--format", "json"))
    #expect(rollup["total"]?["events"]?.intValue == 1 && rollup["malformedLines"]?.intValue == 1, "\(rollup)")
  }

  @Test("one event on thousands of notes counts once, on the newest commit holding it")
  func eventOnManyNotes() throws {
    let repository = try TestRepository()
    let head = try repository.git("rev-parse", "HEAD")
    let blob = try repository.git("hash-object", "-w", "--stdin", input: Self.line("same", output: 7))
    // 3,000 notes on commits that do not exist (as a crafted tree names them) and one on HEAD.
    var listing = "100644 blob \(blob)\t\(head)\n"
    for number in 1...3000 { listing += "100644 blob \(blob)\t" + String(format: "%040x", number) + "\n" }
    try Self.publish(try repository.git("mktree", input: listing), in: repository)
    #expect(try repository.git("notes", "--ref=octo/usage", "list").split(separator: "\n").count == 3001)
    let report = try Self.report(repository)
    #expect(report["total"]?["events"]?.intValue == 1 && report["total"]?["out"]?.intValue == 7, "\(report)")
    let byCommit = try CanonicalJSON.parse(try repository.octo("usage", "--by", "commit", "--json"))
    #expect(byCommit["rows"]?.arrayValue?.first?["key"]?.stringValue?.hasPrefix(String(head.prefix(7))) == true)
  }

  @Test("a name holding U+0000 makes its line unreadable (never merged with a shorter name); CSV escapes controls")
  func controlCharacters() throws {
    let repository = try TestRepository()
    let head = try repository.git("rev-parse", "HEAD")
    let text =
      Self.line("good") + Self.line("nul", model: #"m\u0000zzz"#) + Self.line("osc", model: #"x\u001b]0;t\u0007"#)
    try repository.git("notes", "--ref=octo/usage", "add", "-m", text, head)
    let report = try Self.report(repository)
    #expect(report["total"]?["events"]?.intValue == 2, "\(report)")
    #expect(report["malformedLines"]?.intValue == 1, "\(report)")
    #expect(throws: (any Error).self) { try UsageEvent(line: Self.line("nul", model: #"m\u0000zzz"#)) }
    let csv = try repository.octo("usage", "--by", "model", "--format", "csv")
    #expect(!csv.utf8.contains(0x1B) && !csv.utf8.contains(0x07) && csv.contains("x\\e]0;t\\x07"), "\(csv)")
    #expect(SafeText.csvCell("\t=1") == "\\t=1" && SafeText.csvCell("=1") == "'=1")
  }

  @Test("a note written with CRLF line ends is read line by line (a carriage return is JSON whitespace)")
  func carriageReturns() throws {
    let repository = try TestRepository()
    let text =
      Self.line("one").replacingOccurrences(of: "\n", with: "\r\n")
      + Self.line("two", output: 2).replacingOccurrences(of: "\n", with: "\r\n")
    let blob = try repository.git("hash-object", "-w", "--stdin", input: text)
    let head = try repository.git("rev-parse", "HEAD")
    try Self.publish(try repository.git("mktree", input: "100644 blob \(blob)\t\(head)\n"), in: repository)
    #expect(try repository.git("notes", "--ref=octo/usage", "show", head).contains("\r"))
    let report = try Self.report(repository)
    #expect(report["total"]?["events"]?.intValue == 2 && report["total"]?["out"]?.intValue == 3, "\(report)")
    #expect(report["malformedLines"]?.intValue ?? 0 == 0)
    let shown = try CanonicalJSON.parse(try repository.octo("usage", "show", head, "--json"))
    #expect(shown.arrayValue?.count == 2, "\(shown)")
  }

  @Test("folders naming folders with no note below them (4^19 paths in 19 objects) are refused at once")
  func foldersWithoutNotes() throws {
    let repository = try TestRepository()
    var tree = try repository.rawTree([])
    for _ in 0..<19 {
      tree = try repository.rawTree(["00", "01", "02", "03"].map { RawTreeEntry(mode: "40000", name: $0, id: tree) })
    }
    try Self.publish(tree, in: repository)
    let result = try OctoGitBinary.run(["usage", "--by", "model"], in: repository.path, home: repository.home)
    #expect(result.status != 0)
    #expect(result.stderr.contains("folders with no notes below them"), "\(result.stderr)")
  }

  @Test("doctor says when the usage notes ref is at a commit that holds no notes, as a project commit")
  func refAtProjectCommit() throws {
    let repository = try TestRepository()
    try repository.git("update-ref", "refs/notes/octo/usage", "HEAD")
    #expect(try repository.octo("doctor").contains("refs/notes/octo/usage holds no notes but 1 other entry"))
  }

  @Test("a notes ref at a tree or a blob: one line naming the ref and what to do")
  func refAtTree() throws {
    let repository = try TestRepository()
    let tree = try repository.git("rev-parse", "HEAD^{tree}")
    try repository.git("update-ref", "refs/notes/octo/usage", tree)
    let result = try OctoGitBinary.run(["usage", "--by", "model"], in: repository.path, home: repository.home)
    #expect(result.status != 0)
    #expect(result.stderr.contains("refs/notes/octo/usage cannot be read as notes"), "\(result.stderr)")
    #expect(result.stderr.contains("git update-ref -d refs/notes/octo/usage"), "\(result.stderr)")
  }

  /// Totals of `usage --json` as (events, in, malformed lines).
  static func totals(_ json: JSONValue) -> [Int?] {
    [json["total"]?["events"]?.intValue, json["total"]?["in"]?.intValue, json["malformedLines"]?.intValue ?? 0]
  }

  @Test("every path reads a crafted tree alike: first read, rebuild, incremental refresh, rollup, usage show")
  func everyPathAgrees() throws {
    let repository = try TestRepository()
    try repository.octo("repos", "add", ".")
    let ids = try Self.commits(3, in: repository)
    func blob(_ text: String) throws -> String { try repository.git("hash-object", "-w", "--stdin", input: text) }
    let (b0, b1, b2) = (try blob(Self.line("e0")), try blob(Self.line("e1")), try blob(Self.line("e2") + "bad\n"))
    let missing = String(repeating: "0", count: 39) + "2"
    let baseline = try repository.rawTree([RawTreeEntry(mode: "100644", name: ids[0], id: b0)])
    let fanned = try repository.rawTree([RawTreeEntry(mode: "100644", name: String(ids[2].dropFirst(2)), id: b2)])
    // Upper-case names, a crafted link mode libgit2 reads as a blob, a missing blob and bad lines on one
    // commit, a commit named flat and fanned out.
    let crafted = try repository.rawTree([
      RawTreeEntry(mode: "100644", name: ids[0], id: b0),
      RawTreeEntry(mode: "100644", name: ids[1].uppercased(), id: b1),
      RawTreeEntry(mode: "120755", name: ids[3], id: b1),
      RawTreeEntry(mode: "100644", name: ids[2], id: missing),
      RawTreeEntry(mode: "40000", name: String(ids[2].prefix(2)), id: fanned),
    ])
    try Self.publish(baseline, in: repository)
    _ = try Self.report(repository)
    _ = try repository.octo("rollup", "--format", "json")
    try Self.publish(crafted, in: repository)
    // e0, e1 (upper case), e2 (fanned out); one bad line and one missing blob on ids[2].
    let expected: [Int?] = [3, 3, 2]
    #expect(Self.totals(try Self.report(repository)) == expected, "incremental")
    #expect(Self.totals(try CanonicalJSON.parse(try repository.octo("rollup", "--format", "json"))) == expected)
    try repository.octo("cache", "rebuild")
    #expect(Self.totals(try Self.report(repository)) == expected, "rebuild")
    let shown = try OctoGitBinary.run(["usage", "show", ids[1], "--json"], in: repository.path, home: repository.home)
    #expect((try CanonicalJSON.parse(shown.stdout)).arrayValue?.count == 1, "\(shown.stdout) \(shown.stderr)")
    let link = try OctoGitBinary.run(["usage", "show", ids[3], "--json"], in: repository.path, home: repository.home)
    #expect(link.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(link.stdout)")
  }
}
