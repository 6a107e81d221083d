import Foundation
import GRDB
import Testing

@testable import OctoGit

@Suite("The notes cache on a long history")
struct NotesCacheTests {
  /// A repository of `commits` commits (after the first), each with a usage note of one event, written by
  /// git fast-import and packed by `git gc` (deltas in chains, as a clone's pack has them). Event `e<n>` is
  /// on commit `<n>`; `copies` lists events also written, later, into the note of another commit.
  func history(commits: Int, copies: [(event: Int, onto: Int)] = []) throws -> TestRepository {
    let fixture = try TestRepository()
    var stream = ""
    func line(_ number: Int) -> String {
      #"{"id":"e\#(number)","model":"claude-sonnet-4-5","in":\#(number),"out":10,"#
        + #""at":"2026-11-0\#(1 + number % 9)T10:00:00Z","agent":"claude-code","v":1}"#
    }
    for number in 1...commits {
      let message = "commit \(number)\n"
      stream += "commit refs/heads/main\nmark :\(number)\n"
      stream += "committer Test User <test@example.com> \(1_790_000_000 + number * 60) +0000\n"
      stream += "data \(message.utf8.count)\n\(message)"
      if number == 1 { stream += "from refs/heads/main^0\n" }
      stream += "M 100644 inline file.txt\ndata \(String(number).utf8.count + 1)\n\(number)\n\n"
    }
    stream += "commit refs/notes/octo/usage\ncommitter Test User <test@example.com> 1790000000 +0000\ndata 6\nnotes\n"
    for number in 1...commits {
      var text = line(number) + "\n"
      for copy in copies where copy.onto == number { text += line(copy.event) + "\n" }
      stream += "N inline :\(number)\ndata \(text.utf8.count)\n\(text)"
    }
    stream += "\n"
    try fixture.git("fast-import", "--quiet", input: stream)
    try fixture.git("reset", "-q", "--hard", "main")
    try fixture.git("gc", "-q")
    return fixture
  }

  @Test("a first read of 1,500 notes reads them in pack order and totals exactly what git counts")
  func firstReadOfLongHistory() throws {
    let commits = 1500
    let fixture = try history(commits: commits, copies: [(event: 10, onto: 1200), (event: 1400, onto: 20)])
    let report = try CanonicalJSON.parse(try fixture.octo("usage", "--json", "--by", "model"))
    // Each event counts once though two are in two notes: 1 + 2 + … + 1500 input tokens.
    #expect(report["total"]?["events"]?.intValue == commits)
    #expect(report["total"]?["in"]?.intValue == commits * (commits + 1) / 2)
    // Witness: the git CLI lists as many notes.
    #expect(try fixture.git("notes", "--ref=octo/usage", "list").split(separator: "\n").count == commits)
    // The first read wrote no row for a commit it did not look up and whose lines it all read: only the four
    // commits holding the two copied events were looked up (their times rank the copies).
    let store = try LedgerStore.open(commonDirectory: fixture.path + "/.git")
    func commitRows() throws -> (all: Int, described: Int) {
      try store.read { db in
        let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(described), 0) FROM note_commit")
        return (row?[0] ?? -1, row?[1] ?? -1)
      }
    }
    #expect(try commitRows() == (4, 4))

    // The copied event counts on the newest commit holding it: e10 on commit 1200, e1400 on commit 1400.
    let byCommit = try CanonicalJSON.parse(try fixture.octo("usage", "--json", "--by", "commit"))
    let rows = byCommit["rows"]?.arrayValue ?? []
    // Commit 10 keeps no event of its own (its one event counts on commit 1200).
    #expect(rows.count == commits - 1)
    let subjects = Dictionary(
      uniqueKeysWithValues: rows.map { ($0["subject"]?.stringValue ?? "", $0["in"]?.intValue ?? -1) })
    #expect(subjects["commit 1200"] == 1200 + 10)
    #expect(subjects["commit 10"] == nil)
    #expect(subjects["commit 20"] == 20)
    #expect(subjects["commit 1400"] == 1400)
    // Newest first, every commit with its subject and time.
    #expect(rows.first?["subject"]?.stringValue == "commit 1500")
    #expect(rows.allSatisfy { !($0["subject"]?.stringValue ?? "").isEmpty })
    // Every commit holding a line is now described, once.
    #expect(try commitRows() == (commits, commits))

    // cache rebuild gives the same reports.
    try fixture.octo("cache", "rebuild")
    #expect(try CanonicalJSON.parse(try fixture.octo("usage", "--json", "--by", "commit")) == byCommit)
  }

  @Test("a commit a notes tree names twice (flat and fanned out) is read as git reads it, on every path")
  func commitNamedTwice() throws {
    let fixture = try TestRepository()
    let commit = try fixture.git("rev-parse", "HEAD")
    func line(_ id: String, _ output: Int) -> String {
      #"{"id":"\#(id)","model":"gpt-5","in":1,"out":\#(output),"at":"2026-11-02T10:00:00Z","v":1}"# + "\n"
    }
    func publish(_ entries: String) throws {
      let notes = try fixture.git("commit-tree", try fixture.git("mktree", input: entries), "-m", "notes")
      try fixture.git("update-ref", "refs/notes/octo/usage", notes)
    }
    func total() throws -> (events: Int?, output: Int?) {
      let report = try CanonicalJSON.parse(try fixture.octo("usage", "--json", "--by", "model"))
      return (report["total"]?["events"]?.intValue, report["total"]?["out"]?.intValue)
    }
    // The flat entry holds a and b, the fanned-out one (the last in the tree's walk) another copy of a.
    let flat =
      "100644 blob \(try fixture.git("hash-object", "-w", "--stdin", input: line("a", 10) + line("b", 20)))"
      + "\t\(commit)\n"
    let second = try fixture.git("hash-object", "-w", "--stdin", input: line("a", 30))
    let fanned =
      "040000 tree \(try fixture.git("mktree", input: "100644 blob \(second)\t\(commit.dropFirst(2))\n"))"
      + "\t\(commit.prefix(2))\n"
    try publish(flat)
    #expect(try total() == (2, 30))
    // Both: git shows the two notes one after the other; a counts once, as the last entry has it, b stays.
    try publish(flat + fanned)
    let shown = try fixture.git("notes", "--ref=octo/usage", "show", commit)
    #expect(shown.contains(#""id":"b""#) && shown.contains(#""out":30"#))
    #expect(try total() == (2, 50))
    try fixture.octo("cache", "rebuild")
    #expect(try total() == (2, 50))
    try fixture.octo("repos", "add", ".")
    let rollup = try CanonicalJSON.parse(try fixture.octo("rollup", "--format", "json"))
    #expect(rollup["total"]?["events"]?.intValue == 2 && rollup["total"]?["out"]?.intValue == 50, "\(rollup)")
    // The flat entry removed: the fanned-out note still counts (the refresh looks the commit up again).
    try publish(fanned)
    #expect(try total() == (1, 30))
    let after = try CanonicalJSON.parse(try fixture.octo("rollup", "--format", "json"))
    #expect(after["total"]?["events"]?.intValue == 1 && after["total"]?["out"]?.intValue == 30, "\(after)")
    try fixture.octo("cache", "rebuild")
    #expect(try total() == (1, 30))
  }

  @Test("the reading order is the pack's order, as git show-index gives it")
  func packOrder() throws {
    let fixture = try history(commits: 300)
    let repository = try fixture.open()
    let blobs = try fixture.git("notes", "--ref=octo/usage", "list").split(separator: "\n").compactMap {
      Oid(hex: String($0.split(separator: " ")[0]))
    }
    let order = repository.readingOrder(of: blobs)
    #expect(order.sorted() == Array(blobs.indices))
    let pack = try FileManager.default.contentsOfDirectory(atPath: fixture.path + "/.git/objects/pack").first {
      $0.hasSuffix(".idx")
    }!
    var offsets: [String: Int] = [:]
    for entry in try showIndex(fixture, pack: pack) { offsets[entry.id] = entry.offset }
    let expected = blobs.indices.sorted { offsets[blobs[$0].hex]! < offsets[blobs[$1].hex]! }
    #expect(order == expected)
  }

  /// `git show-index` of the pack index `pack`: each object's id and offset.
  func showIndex(_ fixture: TestRepository, pack: String) throws -> [(id: String, offset: Int)] {
    let result = try Shell.run(
      Shell.git, ["show-index"], in: fixture.path,
      input: try Data(contentsOf: URL(fileURLWithPath: fixture.path + "/.git/objects/pack/" + pack)), home: fixture.home
    )
    return result.stdout.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      guard fields.count >= 2, let offset = Int(fields[0]) else { return nil }
      return (String(fields[1]), offset)
    }
  }
}
