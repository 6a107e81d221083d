import Foundation
import Testing

@testable import OctoGit

@Suite("Private index")
struct IndexTests {
  /// A work tree with staged, modified, deleted, untracked and ignored files.
  func messyFixture() throws -> TestRepository {
    let fixture = try TestRepository()
    try fixture.write(".gitignore", "*.log\n")
    try fixture.write("keep.txt", "keep\n")
    try fixture.write("gone.txt", "gone\n")
    try fixture.write("tool.sh", "#!/bin/sh\n", executable: true)
    try fixture.commitAll("base")
    try fixture.write("keep.txt", "changed\n")
    try fixture.write("staged.txt", "staged\n")
    try fixture.git("add", "staged.txt")
    try FileManager.default.removeItem(atPath: fixture.path + "/gone.txt")
    try fixture.write("new dir/ünïcode name.txt", "new\n")
    try fixture.write("debug.log", "ignored\n")
    return fixture
  }

  @Test("a tree built from a private index copy matches git write-tree of the same content; .git/index is untouched")
  func matchesGitWriteTree() throws {
    let fixture = try messyFixture()
    let indexBefore = try fixture.gitFileBytes("index")
    let statusBefore = try fixture.git("status", "--porcelain=v2")

    // octo-git: a second handle whose index is a private copy.
    let repository = try fixture.open()
    let privatePath = fixture.root + "/private-index"
    let index = try repository.privateIndexCopy(at: privatePath)
    try repository.useIndex(index)
    try repository.addAllToIndex()
    let tree = try index.writeTree(to: repository)

    // The witness: git's own snapshot with a copy of the index.
    let witnessIndex = fixture.root + "/witness-index"
    try FileManager.default.copyItem(atPath: fixture.path + "/.git/index", toPath: witnessIndex)
    try fixture.git("add", "-A", environment: ["GIT_INDEX_FILE": witnessIndex])
    let expected = try fixture.git("write-tree", environment: ["GIT_INDEX_FILE": witnessIndex])

    #expect(tree.hex == expected)
    let files = try fixture.git("ls-tree", "-r", "--name-only", tree.hex)
    #expect(!files.contains("debug.log"))
    #expect(!files.contains("gone.txt"))
    #expect(try fixture.gitFileBytes("index") == indexBefore)
    #expect(try fixture.git("status", "--porcelain=v2") == statusBefore)
  }

  @Test("an in-memory index built entry by entry matches git mktree")
  func inMemory() throws {
    let fixture = try TestRepository()
    let repository = try fixture.open()
    let blob = try repository.createBlob(Data("data\n".utf8))
    let index = try Index.inMemory()
    try index.add(path: "a/b.txt", id: blob, mode: .blob)
    try index.add(path: "run", id: blob, mode: .executable)
    try index.add(path: "x", id: blob, mode: .blob)
    try index.remove(path: "x")
    #expect(index.count == 2)
    #expect(index.entry(at: "run")?.mode == .executable)
    let tree = try index.writeTree(to: repository)
    let sub = try fixture.git("mktree", input: "100644 blob \(blob.hex)\tb.txt\n")
    let root = try fixture.git("mktree", input: "040000 tree \(sub)\ta\n100755 blob \(blob.hex)\trun\n")
    #expect(tree.hex == root)
  }

  @Test("an index read from a tree lists that tree's files")
  func readTree() throws {
    let fixture = try messyFixture()
    let repository = try fixture.open()
    let head = try repository.commit(try repository.headCommit()!)
    let index = try Index.inMemory()
    try index.readTree(head.tree, in: repository)
    #expect(
      index.entries.map(\.path)
        == (try fixture.git("ls-tree", "-r", "--name-only", "HEAD")).split(separator: "\n").map(String.init))
  }
}
