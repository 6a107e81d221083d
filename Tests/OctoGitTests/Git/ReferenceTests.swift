import Foundation
import Testing

@testable import OctoGit

@Suite("References: read, glob, compare-and-swap")
struct ReferenceTests {
  @Test("a ref moved with compare-and-swap is what git rev-parse reads")
  func casMoves() throws {
    let fixture = try TestRepository()
    let first = try fixture.git("rev-parse", "HEAD")
    let second = try fixture.commitAll("second")
    let repository = try fixture.open()
    try repository.updateReference(
      "refs/octo/test", to: Oid(hex: first)!, expecting: nil, message: "test")
    #expect(try fixture.git("rev-parse", "refs/octo/test") == first)
    try repository.updateReference(
      "refs/octo/test", to: Oid(hex: second)!, expecting: Oid(hex: first)!, message: "test")
    #expect(try fixture.git("rev-parse", "refs/octo/test") == second)
    #expect(try repository.reference("refs/octo/test")?.target.hex == second)
  }

  @Test("compare-and-swap fails when the ref moved meanwhile, and leaves it alone")
  func casFailsWhenMoved() throws {
    let fixture = try TestRepository()
    let first = try fixture.git("rev-parse", "HEAD")
    let second = try fixture.commitAll("second")
    let repository = try fixture.open()
    try repository.updateReference("refs/octo/test", to: Oid(hex: first)!, expecting: nil, message: "test")
    // Someone else moves it.
    try fixture.git("update-ref", "refs/octo/test", second)
    let error = #expect(throws: GitError.self) {
      try repository.updateReference(
        "refs/octo/test", to: Oid(hex: first)!, expecting: Oid(hex: first)!, message: "test")
    }
    #expect(error?.isConcurrentUpdate == true)
    #expect(try fixture.git("rev-parse", "refs/octo/test") == second)
    // Creating a ref that exists already also fails.
    let exists = #expect(throws: GitError.self) {
      try repository.updateReference("refs/octo/test", to: Oid(hex: first)!, expecting: nil, message: "test")
    }
    #expect(exists?.isConcurrentUpdate == true)
    // Delete with compare-and-swap.
    #expect(throws: GitError.self) { try repository.deleteReference("refs/octo/test", expecting: Oid(hex: first)!) }
    try repository.deleteReference("refs/octo/test", expecting: Oid(hex: second)!)
    #expect(try repository.reference("refs/octo/test") == nil)
  }

  @Test("references iterate by glob in name order, as git for-each-ref lists them")
  func glob() throws {
    let fixture = try TestRepository()
    let head = try fixture.git("rev-parse", "HEAD")
    for name in ["refs/octo/checkpoints/b", "refs/octo/checkpoints/a", "refs/octo/other/c"] {
      try fixture.git("update-ref", name, head)
    }
    let repository = try fixture.open()
    let names = try repository.references(matching: "refs/octo/checkpoints/*").map(\.name)
    #expect(names == ["refs/octo/checkpoints/a", "refs/octo/checkpoints/b"])
    #expect(
      names.joined(separator: "\n")
        == (try fixture.git("for-each-ref", "--format=%(refname)", "refs/octo/checkpoints/")))
    #expect(try repository.reference("HEAD")?.symbolicTarget == "refs/heads/main")
    #expect(try repository.reference("refs/heads/none") == nil)
  }

  @Test("creating a shared ref from a linked worktree fails when it exists (libgit2 1.5 would overwrite it)")
  func createFromWorktree() throws {
    let fixture = try TestRepository()
    let worktree = try fixture.addWorktree("wt", branch: "topic")
    let head = try fixture.git("rev-parse", "HEAD")
    try fixture.git("commit", "-q", "--allow-empty", "-m", "other", in: worktree)
    let other = try fixture.git("rev-parse", "HEAD", in: worktree)
    try fixture.git("update-ref", "refs/notes/octo/usage", head)
    let repository = try fixture.open(worktree)
    let error = #expect(throws: GitError.self) {
      try repository.updateReference("refs/notes/octo/usage", to: Oid(hex: other)!, expecting: nil, message: "test")
    }
    #expect(error?.isConcurrentUpdate == true)
    #expect(try fixture.git("rev-parse", "refs/notes/octo/usage") == head)
    try repository.updateReference(
      "refs/notes/octo/usage", to: Oid(hex: other)!, expecting: Oid(hex: head)!, message: "test")
    #expect(try fixture.git("rev-parse", "refs/notes/octo/usage") == other)
  }
}
