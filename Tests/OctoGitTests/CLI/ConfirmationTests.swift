import Foundation
import Testing

@testable import OctoGit

@Suite("usage record says what it did, and what is wrong")
struct ConfirmationTests {
  @Test("one confirmation line; a misspelled model named with the nearest priced one; no hook to carry it said")
  func recordSaysWhatItDid() throws {
    let fixture = try TestRepository()
    let plain = try OctoGitBinary.run(
      ["usage", "record", "--model", "claude-sonnet-4-5", "--in", "1000", "--out", "500"], in: fixture.path,
      home: fixture.home)
    #expect(plain.status == 0)
    #expect(plain.stdout == "recorded 1 event, $0.01, pending for the next commit\n", "\(plain.stdout)")
    #expect(plain.stderr.contains("no octo-git post-commit hook runs"), "\(plain.stderr)")

    let misspelled = try OctoGitBinary.run(
      ["usage", "record", "--model", "claude-sonet-4-5", "--in", "10"], in: fixture.path, home: fixture.home)
    #expect(misspelled.status == 0)
    #expect(misspelled.stdout.contains("recorded 1 event, unpriced"))
    #expect(misspelled.stderr.contains("no price for the model 'claude-sonet-4-5' (did you mean claude-sonnet-4-5?)"))

    try fixture.installPostCommitHook()
    let quiet = try OctoGitBinary.run(
      ["usage", "record", "-q", "--model", "gpt-5", "--in", "1"], in: fixture.path, home: fixture.home)
    #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty, "\(quiet.stdout) \(quiet.stderr)")
  }

  @Test("the nearest priced model is found only when it is close")
  func nearest() {
    let table = PriceTable.builtIn
    #expect(table.nearestModel(to: "claude-sonet-4-5") == "claude-sonnet-4-5")
    #expect(table.nearestModel(to: "gpt5") == "gpt-5")
    #expect(table.nearestModel(to: "completely-unknown-model-name") == nil)
  }
}
