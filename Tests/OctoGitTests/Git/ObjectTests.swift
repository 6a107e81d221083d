import Foundation
import Testing

@testable import OctoGit

@Suite("Objects: blobs, trees and commits")
struct ObjectTests {
  @Test("a blob written is what git cat-file prints, and reads back")
  func blob() throws {
    let fixture = try TestRepository()
    let repository = try fixture.open()
    let content = Data("héllo\nwörld\n".utf8)
    let id = try repository.createBlob(content)
    #expect(id.hex == (try fixture.git("hash-object", "--stdin", input: "héllo\nwörld\n")))
    #expect(try fixture.git("cat-file", "-p", id.hex) == "héllo\nwörld")
    #expect(try repository.blobContent(id) == content)
    #expect(repository.objectExists(id))
  }

  @Test("trees and commits written are what git reads, and read back")
  func treeAndCommit() throws {
    let fixture = try TestRepository()
    let repository = try fixture.open()
    let blob = try repository.createBlob(Data("echo hi\n".utf8))
    let inner = try repository.createTree([TreeEntry(name: "run.sh", id: blob, mode: .executable)])
    let root = try repository.createTree([
      TreeEntry(name: "bin", id: inner, mode: .tree), TreeEntry(name: "a file.txt", id: blob, mode: .blob),
    ])
    let listing = try fixture.git("ls-tree", "-r", root.hex)
    #expect(listing.contains("100755 blob \(blob.hex)\tbin/run.sh"))
    #expect(listing.contains("100644 blob \(blob.hex)\t\"a file.txt\"") || listing.contains("a file.txt"))
    #expect(try repository.treeEntry(in: root, path: "bin/run.sh")?.mode == .executable)
    #expect(try repository.treeEntry(in: root, path: "missing") == nil)

    let head = try repository.headCommit()!
    let commit = try repository.createCommit(
      tree: root, parents: [head], message: "Snapshot\n\nbody\n", author: TestRepository.signature)
    #expect(
      try fixture.git("log", "-1", "--format=%s|%an|%ae|%P|%T", commit.hex)
        == "Snapshot|Test User|test@example.com|\(head.hex)|\(root.hex)")
    let read = try repository.commit(commit)
    #expect(read.summary == "Snapshot")
    #expect(read.parents == [head])
    #expect(read.tree == root)
    #expect(read.author.name == "Test User")
    // Writing a commit moves no ref.
    #expect(try fixture.git("rev-parse", "HEAD") == head.hex)
  }

  @Test("a tree updated by path touches only those paths")
  func updatedTree() throws {
    let fixture = try TestRepository()
    try fixture.write("src/a.txt", "a\n")
    try fixture.write("src/b.txt", "b\n")
    try fixture.commitAll("files")
    let repository = try fixture.open()
    let base = try repository.commit(try repository.headCommit()!).tree
    let blob = try repository.createBlob(Data("new\n".utf8))
    let updated = try repository.updateTree(
      base, with: [.upsert(path: "src/c.txt", id: blob, mode: .blob), .remove(path: "src/a.txt")])
    #expect(try fixture.git("ls-tree", "-r", "--name-only", updated.hex) == "README.md\nsrc/b.txt\nsrc/c.txt")
  }
}
