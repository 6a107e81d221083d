import Foundation
import Testing

@testable import OctoGit

/// What a checkpoint stores beside its tree: the index commit, its ref's name, the folders of its paths.
@Suite("Checkpoints: the index commit, ref names and folder names")
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

  @Test("a checkpoint's ref begins with its time in 13 characters, as printf's %013lld writes it")
  func refNames() throws {
    let fixture = try TestRepository()
    let checkpoints = Checkpoints(repository: try Repository.open(at: fixture.path))
    let now = try checkpoints.take(.init(message: "now", now: Date(timeIntervalSince1970: 1_796_000_000.123)))
    #expect(now.ref.hasSuffix("/1796000000123-" + now.id.abbreviated(12)), "\(now.ref)")
    let early = try checkpoints.take(.init(message: "1970", now: Date(timeIntervalSince1970: 0.042)))
    #expect(early.ref.hasSuffix("/0000000000042-" + early.id.abbreviated(12)), "\(early.ref)")
    let before = try checkpoints.take(.init(message: "before 1970", now: Date(timeIntervalSince1970: -5)))
    #expect(before.ref.hasSuffix("/-000000005000-" + before.id.abbreviated(12)), "\(before.ref)")
  }

  @Test("the note is written before the ref, and taken back when the ref cannot be written")
  func noteBeforeRef() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "one\n")
    // A file where this work tree's ref folder goes: no checkpoint ref can be written under it.
    try FileManager.default.createDirectory(
      atPath: fixture.path + "/.git/refs/octo/checkpoints", withIntermediateDirectories: true)
    try Data("not a folder\n".utf8).write(to: URL(fileURLWithPath: fixture.path + "/.git/refs/octo/checkpoints/main"))
    let refused = try OctoGitBinary.run(["checkpoint"], in: fixture.path, home: fixture.home)
    #expect(refused.status != 0, "\(refused.stdout)")
    #expect(try fixture.git("notes", "--ref=octo/checkpoints", "list").isEmpty)
    try FileManager.default.removeItem(atPath: fixture.path + "/.git/refs/octo/checkpoints/main")
    let taken = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try fixture.git("notes", "--ref=octo/checkpoints", "list").hasSuffix(taken))
  }
}
