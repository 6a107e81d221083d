import Foundation
import Testing

@testable import OctoGit

/// git's own copy of the notes on amend and rebase (`notes.rewriteRef`) moves the notes ref without checking
/// it: what it cut off comes back in post-rewrite, and only that.
@Suite("Notes git's copy cut off")
struct OverwrittenNotesTests {
  @Test("post-rewrite: a note git's own copy of the notes cut off the ref (another work tree's commit) comes back")
  func overwrittenNote() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "first")
    try fixture.commitAll("first")
    let read = try fixture.git("rev-parse", "refs/notes/octo/usage")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "cut")
    let second = try fixture.commitAll("second")
    // git's copy, begun from the notes it read before the second commit's note, moves the ref without
    // checking it (as `git commit --amend` in another work tree does with notes.rewriteRef).
    // Its parent is the ref's value when it writes; its tree, the notes it read.
    let tip = try fixture.git("rev-parse", "refs/notes/octo/usage")
    let copy = try fixture.git("commit-tree", read + "^{tree}", "-p", tip, "-m", "Notes added by 'git commit --amend'")
    try fixture.git(
      "update-ref", "-m", "notes: Notes added by 'git commit --amend'", "refs/notes/octo/usage", copy)
    #expect(throws: (any Error).self) { try fixture.git("notes", "--ref=octo/usage", "show", second) }
    try fixture.git("commit", "-q", "--amend", "--allow-empty", "-m", "second, amended")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", second).contains("\"id\":\"cut\""))
    let amended = try fixture.git("notes", "--ref=octo/usage", "show", "HEAD")
    #expect(amended.split(separator: "\n").count == 1 && amended.contains("\"id\":\"cut\""), "\(amended)")
    // Again: nothing added twice. A note removed on purpose since stays removed.
    try fixture.git("commit", "-q", "--amend", "--allow-empty", "-m", "second, again")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").split(separator: "\n").count == 1)
    try fixture.git("notes", "--ref=octo/usage", "remove", second)
    try fixture.git("commit", "-q", "--amend", "--allow-empty", "-m", "second, once more")
    #expect(throws: (any Error).self) { try fixture.git("notes", "--ref=octo/usage", "show", second) }
    // A ref moved back by hand is what the user asked for: nothing comes back.
    try fixture.git("update-ref", "refs/notes/octo/usage", read)
    try fixture.git("commit", "-q", "--amend", "--allow-empty", "-m", "second, last")
    #expect(throws: (any Error).self) { try fixture.git("notes", "--ref=octo/usage", "show", second) }
  }
}
