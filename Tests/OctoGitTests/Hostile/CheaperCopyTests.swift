import Foundation
import Testing

@testable import OctoGit

/// A teammate's line with an event's id (merged into one note by `git notes merge`, or on another commit)
/// never lowers what the event costs, in any report.
@Suite("A copy someone adds never makes an event cheaper")
struct CheaperCopyTests {
  static let priced =
    #"{"at":"2026-01-05T10:00:00.000Z","cost":5,"id":"ev1","in":100,"model":"m","out":100,"v":1}"#
  /// Sorts before ``priced`` (as `git notes merge -s cat_sort_uniq` leaves them): cost 0, no tokens.
  static let zeroed =
    #"{"agent":"z","at":"2026-01-05T10:00:00.000Z","cost":0,"id":"ev1","in":0,"model":"m","out":0,"v":1}"#
  /// More output than ``priced``, but unpriced.
  static let longerUnpriced = #"{"at":"2026-01-05T10:00:00.000Z","id":"ev1","in":0,"model":"m","out":101,"v":1}"#

  func attach(_ lines: [String], to repository: TestRepository, on commit: String = "HEAD") throws {
    let file = repository.root + "/note.txt"
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
    try repository.git("notes", "--ref=octo/usage", "add", "-f", "-F", file, commit)
  }

  func cost(_ arguments: String..., in repository: TestRepository) throws -> String? {
    let report = try CanonicalJSON.parse(try repository.octo(arguments))
    return report["total"]?["cost"].map(CanonicalJSON.string)
  }

  @Test("two lines of one id in one note: the costlier counts, whichever comes first")
  func twoLinesInOneNote() throws {
    for lines in [[Self.zeroed, Self.priced], [Self.priced, Self.zeroed]] {
      let repository = try TestRepository()
      try attach(lines, to: repository)
      _ = try OctoGitBinary.run(["repos", "add"], in: repository.path, home: repository.home)
      #expect(try cost("usage", "--by", "model", "--json", in: repository) == "5")
      #expect(try cost("rollup", "--by", "model", "--json", in: repository) == "5")
      let show = try CanonicalJSON.parse(try repository.octo("usage", "show", "HEAD", "--json")).arrayValue ?? []
      #expect(show.count == 1 && show.first?["cost"].map(CanonicalJSON.string) == "5", "\(show)")
      // octo-git's own note writers keep the better line: a merge with a rewritten commit's note, an import.
      let merged = UsageNote.merging(lines.joined(separator: "\n"), addingLinesOf: Self.zeroed)
      #expect(merged == Self.priced + "\n")
      let event = try UsageEvent(line: Self.zeroed)
      #expect(UsageNote.merging(lines.joined(separator: "\n"), adding: [event], replacingWorse: true) == merged)
    }
  }

  @Test("a copy with more output but no price, on another commit, does not replace the priced one")
  func longerButUnpriced() throws {
    let repository = try TestRepository()
    try attach([Self.priced], to: repository)
    try repository.git("commit", "-q", "--allow-empty", "-m", "next")
    try attach([Self.longerUnpriced], to: repository)
    _ = try OctoGitBinary.run(["repos", "add"], in: repository.path, home: repository.home)
    #expect(try cost("usage", "--by", "model", "--json", in: repository) == "5")
    #expect(try cost("rollup", "--by", "model", "--json", in: repository) == "5")
    #expect(
      EventCopy.isBetter(
        TokenCounts(input: 100, output: 100), cost: PicoDollars(plain: "5"), than: TokenCounts(output: 101), nil))
  }

  @Test("a note rewritten to hold a smaller copy: the rollup read since agrees with usage and a rebuild")
  func rewrittenNote() throws {
    let repository = try TestRepository()
    _ = try OctoGitBinary.run(["repos", "add"], in: repository.path, home: repository.home)
    try attach([Self.priced], to: repository)
    #expect(try cost("rollup", "--by", "model", "--json", in: repository) == "5")
    let smaller = #"{"at":"2026-01-05T10:00:00.000Z","cost":1,"id":"ev1","in":1,"model":"m","out":50,"v":1}"#
    try attach([smaller], to: repository)
    #expect(try cost("usage", "--by", "model", "--json", in: repository) == "1")
    #expect(try cost("rollup", "--by", "model", "--json", in: repository) == "1")
    // Its time corrected, same tokens and cost: the event moves to its new day.
    let moved = #"{"at":"2026-02-07T10:00:00.000Z","cost":1,"id":"ev1","in":1,"model":"m","out":50,"v":1}"#
    try attach([moved], to: repository)
    let days = try CanonicalJSON.parse(try repository.octo("rollup", "--by", "day", "--json", "--tz", "UTC"))
    let keys = (days["rows"]?.arrayValue ?? []).compactMap { $0["keys"]?["day"]?.stringValue }
    #expect(keys == ["2026-02-07"], "\(days)")
    #expect(try cost("rollup", "--by", "model", "--json", "--rebuild", in: repository) == "1")
  }

  @Test("copies past 64 bits of pico-dollars are ranked exactly; ties in cost and counts end the same everywhere")
  func exactAndTies() throws {
    let repository = try TestRepository()
    _ = try OctoGitBinary.run(["repos", "add"], in: repository.path, home: repository.home)
    let larger = #"{"at":"2026-01-05T10:00:00.000Z","cost":9223372.036854775808,"id":"big","model":"m","out":0,"v":1}"#
    let smaller = #"{"at":"2026-01-05T10:00:00.000Z","cost":9223372.036854775807,"id":"big","model":"m","out":5,"v":1}"#
    try attach([larger], to: repository)
    try repository.git("commit", "-q", "--allow-empty", "-m", "next")
    try attach([smaller], to: repository)
    #expect(try cost("usage", "--by", "model", "--json", in: repository) == "9223372.036854775808")
    try repository.octo("cache", "rebuild")
    #expect(try cost("usage", "--by", "model", "--json", in: repository) == "9223372.036854775808")
    #expect(try cost("rollup", "--by", "model", "--json", in: repository) == "9223372.036854775808")

    // Equal in cost, output and what they read, apart in model and input: one copy, the same in every read.
    let tied = try TestRepository()
    _ = try OctoGitBinary.run(["repos", "add"], in: tied.path, home: tied.home)
    try attach([#"{"at":"2026-01-05T10:00:00.000Z","cost":1,"id":"tie","in":10,"model":"m1","out":1,"v":1}"#], to: tied)
    _ = try tied.octo("rollup", "--json")
    try tied.git("commit", "-q", "--allow-empty", "-m", "next")
    try attach([#"{"at":"2026-01-05T10:00:00.000Z","cost":1,"cr":10,"id":"tie","model":"m2","out":1,"v":1}"#], to: tied)
    func models(_ arguments: String...) throws -> [String] {
      let report = try CanonicalJSON.parse(try tied.octo(arguments))
      return (report["rows"]?.arrayValue ?? []).compactMap {
        $0["keys"]?["model"]?.stringValue ?? $0["key"]?.stringValue
      }
    }
    let incremental = try models("rollup", "--by", "model", "--json")
    #expect(incremental == (try models("rollup", "--by", "model", "--json", "--rebuild")))
    #expect(incremental == (try models("usage", "--by", "model", "--json")), "\(incremental)")
  }

  @Test("pr describe counts an event on two commits once, its best copy")
  func describeCountsOnce() throws {
    let repository = try TestRepository()
    try repository.git("checkout", "-q", "-b", "feature/x")
    try repository.git("commit", "-q", "--allow-empty", "-m", "feat: one")
    try attach([Self.priced], to: repository)
    try repository.git("commit", "-q", "--allow-empty", "-m", "feat: two")
    try attach([Self.priced, Self.zeroed], to: repository)
    let described = try CanonicalJSON.parse(try repository.octo("pr", "describe", "--json"))
    #expect(described["cost"]?["events"]?.intValue == 1, "\(described["cost"] ?? .null)")
    #expect(described["cost"]?["cost"].map(CanonicalJSON.string) == "5")
  }
}
