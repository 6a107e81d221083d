import Foundation
import Testing

@testable import OctoGit

/// Files hashed from their bytes when no attribute or line-ending setting can change what git stores
/// (without loading the index for attributes), through git's filters otherwise: either way each checkpoint's
/// tree is the one `git add -A` makes of the same work tree.
@Suite("Checkpoints: files hashed as git hashes them, from their bytes when nothing filters them")
struct SnapshotRawContentTests: SnapshotSafetySuite {
  /// Commits a few files, takes a checkpoint (the state), then rewrites them with CRLF line endings and a
  /// NUL and takes another: both trees must be git's.
  func rewriteAndCheck(_ fixture: TestRepository, _ label: String) throws {
    let clock = Clock()
    try clock.age(fixture)
    let first = try take(fixture)
    #expect(try fixture.git("rev-parse", "\(first.id)^{tree}") == (try witnessTree(fixture)), "\(label): first")
    try fixture.write("a.txt", "one\r\ntwo\r\n")
    try fixture.write("src/b.txt", "three\r\n\u{0}four\n")
    try fixture.write("src/new.txt", "five\r\n")
    try clock.age(fixture)
    let second = try take(fixture)
    #expect(try fixture.git("rev-parse", "\(second.id)^{tree}") == (try witnessTree(fixture)), "\(label): second")
  }

  func repository() throws -> TestRepository {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "one\ntwo\n")
    try fixture.write("src/b.txt", "three\n")
    return fixture
  }

  @Test("no attributes, no conversion: the bytes as they are (CRLF kept)")
  func bytesAsTheyAre() throws {
    let fixture = try repository()
    try fixture.commitAll("base")
    try rewriteAndCheck(fixture, "plain")
    let repository = try Repository.open(at: fixture.path)
    let state = try #require(SnapshotState.load(from: fixture.path + "/.git/octo/snapshot.state"))
    #expect(SnapshotBuilder.storesBytesUnfiltered(repository, config: try repository.config(), state: state))
  }

  @Test(
    "core.autocrlf, a nested .gitattributes, info/attributes or a top-level one just created: git's filters",
    arguments: ["autocrlf", "nested", "info", "top"])
  func filtered(_ source: String) throws {
    let fixture = try repository()
    switch source {
    case "autocrlf": try fixture.git("config", "core.autocrlf", "true")
    case "nested": try fixture.write("src/.gitattributes", "*.txt text eol=lf\n")
    case "info":
      try FileManager.default.createDirectory(atPath: fixture.path + "/.git/info", withIntermediateDirectories: true)
      try Data("*.txt text eol=lf\n".utf8).write(to: URL(fileURLWithPath: fixture.path + "/.git/info/attributes"))
    default: break
    }
    try fixture.commitAll("base")
    if source == "top" {
      let clock = Clock()
      try clock.age(fixture)
      _ = try take(fixture)
      try fixture.write(".gitattributes", "*.txt text eol=lf\n")
    }
    try rewriteAndCheck(fixture, source)
    // The filters ran: what git stores of src/new.txt has no CR.
    let stored = try fixture.git("cat-file", "-p", "\(try take(fixture).id):src/new.txt")
    #expect(!stored.contains("\r"), "\(source)")
  }

  @Test("a file beside the work tree whose name begins with the work tree's is never read in place of a file in it")
  func neighbourFile() throws {
    let fixture = try repository()
    try fixture.commitAll("base")
    let clock = Clock()
    try clock.age(fixture)
    _ = try take(fixture)
    // `<work tree>a.txt` and `<work tree>src/b.txt`: what a path joined without its slash would name.
    try FileManager.default.createDirectory(atPath: fixture.path + "src", withIntermediateDirectories: true)
    defer {
      try? FileManager.default.removeItem(atPath: fixture.path + "a.txt")
      try? FileManager.default.removeItem(atPath: fixture.path + "src")
    }
    try Data("FOREIGN\n".utf8).write(to: URL(fileURLWithPath: fixture.path + "a.txt"))
    try Data("FOREIGN\n".utf8).write(to: URL(fileURLWithPath: fixture.path + "src/b.txt"))
    try fixture.write("a.txt", "mine\n")
    try fixture.write("src/b.txt", "mine too\n")
    try clock.age(fixture)
    let second = try take(fixture)
    #expect(try fixture.git("show", "\(second.id):a.txt") == "mine")
    #expect(try fixture.git("show", "\(second.id):src/b.txt") == "mine too")
    #expect(try fixture.git("rev-parse", "\(second.id)^{tree}") == (try witnessTree(fixture)))
  }

  @Test("with nothing to filter, a changed file is hashed without reading the index (a damaged one goes unnoticed)")
  func noIndexRead() throws {
    let fixture = try repository()
    try fixture.commitAll("base")
    let clock = Clock()
    try clock.age(fixture)
    _ = try take(fixture)
    // The index's entries damaged, its checksum and time kept: anything that parses it fails.
    let index = fixture.path + "/.git/index"
    let modified = try FileManager.default.attributesOfItem(atPath: index)[.modificationDate] as! Date
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: index)))
    for offset in 12..<(bytes.count - 20) { bytes[offset] = 0xA5 }
    try Data(bytes).write(to: URL(fileURLWithPath: index))
    try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: index)
    try fixture.write("a.txt", "changed\n")
    try clock.age(fixture)
    let second = try take(fixture)
    #expect(!second.stderr.contains("kept the previous content"), "\(second.stderr)")
    #expect(try fixture.git("show", "\(second.id):a.txt") == "changed")
  }
}
