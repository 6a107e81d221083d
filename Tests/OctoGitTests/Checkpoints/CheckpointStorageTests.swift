import Foundation
import Testing

@testable import OctoGit

/// What a checkpoint stores beside its tree: the index commit, and the folders its paths are split into.
@Suite("Checkpoints: the index commit and folder names")
struct CheckpointStorageTests {
  @Test("a folder is the part before the last / byte, whatever Character a combining mark makes of it")
  func parentFolder() {
    #expect(SnapshotBuilder.parent(of: "a/\u{301}b") == "a")
    #expect(SnapshotBuilder.parent(of: "a/b/c") == "a/b" && SnapshotBuilder.parent(of: "c").isEmpty)
  }

  @Test("checkpoints of one staged state over one HEAD share their index commit; staging gives a new one")
  func sharedIndexCommit() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "one\n")
    try fixture.commitAll("first")
    // HEAD from long ago: the index commit's time says whose it is.
    let longAgo = ["GIT_COMMITTER_DATE": "2020-01-01T00:00:00Z", "GIT_AUTHOR_DATE": "2020-01-01T00:00:00Z"]
    try fixture.git("commit", "-q", "--amend", "--no-edit", environment: longAgo)
    func indexCommit(_ checkpoint: String) throws -> String { try fixture.git("rev-parse", "\(checkpoint)^2") }
    let first = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try fixture.write("a.txt", "two\n")
    let second = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(first != second)
    #expect(try indexCommit(first) == indexCommit(second))
    // The index commit holds the staged state, on HEAD, at HEAD's time.
    #expect(try fixture.git("rev-parse", "\(second)^2^{tree}") == fixture.git("rev-parse", "HEAD^{tree}"))
    #expect(try fixture.git("rev-parse", "\(second)^2^") == fixture.git("rev-parse", "HEAD"))
    #expect(try fixture.git("log", "-1", "--format=%at", "\(second)^2") == "1577836800")
    try fixture.git("add", "a.txt")
    let staged = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try indexCommit(staged) != indexCommit(second))
    #expect(try fixture.git("show", "\(staged)^2:a.txt") == "two")
  }
}
