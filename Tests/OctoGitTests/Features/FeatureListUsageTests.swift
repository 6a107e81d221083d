import Foundation
import Testing

@testable import OctoGit

@Suite("feature list and pr describe count usage as every report does")
struct FeatureListUsageTests {
  static func line(_ id: String, tokens: Int = 10, cost: String = "1.5") -> String {
    #"{"at":"2026-11-01T00:00:00.000Z","cost":\#(cost),"id":"\#(id)","in":\#(tokens),"model":"claude-sonnet-4-5","#
      + #""out":\#(tokens),"v":1}"#
  }

  @Test("an event held by two notes counts once (its best copy), in feature list as in pr describe and usage")
  func eventOnTwoCommits() throws {
    let fixture = try TestRepository()
    try fixture.octo("feature", "start", "dup test")
    for name in ["b", "c"] {
      try fixture.write(name, name)
      try fixture.commitAll(name)
      try fixture.git("notes", "--ref=octo/usage", "add", "-f", "-m", Self.line("same-1"), "HEAD")
    }
    try fixture.git("notes", "--ref=octo/usage", "append", "-m", Self.line("same-1", cost: "2"), "HEAD~1")
    let listed = try CanonicalJSON.parse(try fixture.octo("feature", "list", "--json")).arrayValue?.first
    #expect(listed?["cost"]?["events"]?.intValue == 1 && listed?["cost"]?["cost"] == .number("2"), "\(listed!)")
    let described = try fixture.octo("pr", "describe", "--base", "main")
    #expect(described.contains("1 request(s), 20 tokens, **$2.00**"), "\(described)")
  }

  @Test("sums past 64 bits are refused with the way out, never capped; feature list still shows the others")
  func absurdSums() throws {
    let fixture = try TestRepository()
    try fixture.octo("feature", "start", "sane")
    try fixture.git("switch", "-q", "main")
    try fixture.octo("feature", "start", "absurd")
    try fixture.write("b", "b")
    try fixture.commitAll("b")
    // Each line is within bounds (10¹⁵ tokens of a class); ten thousand of them pass 2⁶³.
    let note = (0..<10_000).map { Self.line("ov\($0)", tokens: 1_000_000_000_000_000) }.joined(separator: "\n")
    try fixture.write(".git/absurd-note", note)
    try fixture.git("notes", "--ref=octo/usage", "add", "-f", "-F", ".git/absurd-note", "HEAD")
    for command in [["feature", "list"], ["pr", "describe", "--base", "main"]] {
      let result = try OctoGitBinary.run(command, in: fixture.path, home: fixture.home)
      #expect(result.status == 4 && result.stderr.contains("overflow"), "\(command): \(result.stdout) \(result.stderr)")
    }
    let listed = try OctoGitBinary.run(["feature", "list", "--json"], in: fixture.path, home: fixture.home)
    let rows = try CanonicalJSON.parse(listed.stdout).arrayValue ?? []
    #expect(rows.count == 2 && listed.status == 4, "\(listed.stdout)")
    let absurd = rows.first { $0["branch"]?.stringValue == "feature/absurd" }
    #expect(absurd?["cost"] == .null && absurd?["costUnreadable"] == .bool(true))
  }
}
