import Foundation
import Testing

@testable import OctoGit

/// Checkpoints of names git accepts (not UTF-8 included) and names it refuses, and paths kept as bytes.
@Suite("Checkpoints: odd names, those git accepts and those it refuses")
struct SnapshotSafetyTests: SnapshotSafetySuite {
  // MARK: - 1. Names git accepts

  @Test(
    "names that are not UTF-8 (tracked, untracked, a folder) are captured with their blobs, as git add -A captures them"
  )
  func namesThatAreNotUTF8() throws {
    let fixture = try TestRepository()
    let tracked: [UInt8] = Array("tracked-".utf8) + [0xFF, 0xFE] + Array(".txt".utf8)
    try writeBytes(fixture, tracked, "one\n")
    try fixture.git("add", "-A")
    try fixture.git("commit", "-q", "-m", "a name that is not UTF-8")
    try writeBytes(fixture, tracked, "two\n")
    let folder: [UInt8] = Array("dir-".utf8) + [0xE9]  // Latin-1
    try makeFolder(fixture, folder)
    try writeBytes(fixture, folder + Array("/new-".utf8) + [0xC3, 0x28], "three\n")  // a broken UTF-8 sequence
    try writeBytes(fixture, Array("untracked-".utf8) + [0x80], "four\n")

    let first = try take(fixture)
    #expect(first.stderr.isEmpty, "\(first.stderr)")
    #expect(try fixture.git("rev-parse", "\(first.id)^{tree}") == (try witnessTree(fixture)))
    let listing = try fixture.git("ls-tree", "-r", first.id)
    #expect(listing.contains("\(try blob(fixture, "two\n"))\t\"tracked-\\377\\376.txt\""), "\(listing)")
    #expect(listing.contains("\(try blob(fixture, "three\n"))\t\"dir-\\351/new-\\303(\""), "\(listing)")
    #expect(listing.contains("\(try blob(fixture, "four\n"))\t\"untracked-\\200\""), "\(listing)")

    // Again, from the saved state and folder cache: the names are still their bytes.
    try writeBytes(fixture, tracked, "five\n")
    try writeBytes(fixture, folder + Array("/later".utf8), "six\n")
    try writeBytes(fixture, Array("untracked-".utf8) + [0x80], "seven\n")
    let second = try take(fixture)
    #expect(second.stderr.isEmpty, "\(second.stderr)")
    #expect(try fixture.git("rev-parse", "\(second.id)^{tree}") == (try witnessTree(fixture)))
    let again = try fixture.git("ls-tree", "-r", second.id)
    #expect(again.contains("\(try blob(fixture, "five\n"))\t\"tracked-\\377\\376.txt\""), "\(again)")
    #expect(again.contains("\(try blob(fixture, "seven\n"))\t\"untracked-\\200\""), "\(again)")

    // Deleted: gone from the next one.
    _ = withPath(fixture, tracked) { unlink($0) }
    let third = try take(fixture)
    #expect(!(try fixture.git("ls-tree", "-r", third.id).contains("\ttracked-")))
  }

  @Test("names that are not UTF-8 come back with restore, byte for byte, tracked and untracked")
  func restoreNamesThatAreNotUTF8() throws {
    let fixture = try TestRepository()
    let tracked = Array("kept-".utf8) + [0xFF, 0xFE]
    let untracked = Array("loose-".utf8) + [0x80]
    try writeBytes(fixture, tracked, "one\n")
    try fixture.git("add", "-A")
    try fixture.git("commit", "-q", "-m", "tracked")
    try writeBytes(fixture, untracked, "two\n")
    let saved = try take(fixture)
    try writeBytes(fixture, tracked, "changed\n")
    _ = withPath(fixture, untracked) { unlink($0) }
    let result = try OctoGitBinary.run(["restore", saved.id], in: fixture.path, home: fixture.home)
    #expect(result.status == 0, "\(result.stderr)")
    func content(_ name: [UInt8]) -> String? {
      let descriptor = withPath(fixture, name) { open($0, O_RDONLY) }
      guard descriptor >= 0 else { return nil }
      defer { close(descriptor) }
      var buffer = [UInt8](repeating: 0, count: 64)
      let count = read(descriptor, &buffer, 64)
      return String(decoding: buffer.prefix(max(0, count)), as: UTF8.self)
    }
    #expect(content(tracked) == "one\n")
    #expect(content(untracked) == "two\n")
    #expect(try fixture.git("status", "--porcelain").isEmpty == false)  // the loose file is untracked again
  }

  // MARK: - 2. Names git refuses

  @Test(
    """
    folders and files named as git refuses (.GIT, .Git, git~1, \
    .git. , a symlink .gitmodules) are left out with a warning each
    """
  )
  func namesGitRefuses() throws {
    let fixture = try TestRepository()
    try fixture.write(".GIT/config", "x\n")
    try fixture.write("sub/.Git/HEAD", "y\n")
    try fixture.write("git~1/file", "z\n")
    try fixture.write("sub/.git. /file", "w\n")
    try fixture.write("sub/keep.txt", "keep\n")
    // Near misses git accepts.
    try fixture.write(".github/workflow.yml", "on: push\n")
    try fixture.write("GIT~1.txt", "fine\n")
    try fixture.write("lib/.gitmodules-notes", "fine\n")
    try FileManager.default.createSymbolicLink(
      atPath: fixture.path + "/lib/.gitmodules", withDestinationPath: "elsewhere")
    // git itself refuses the whole `git add -A` over them.
    #expect(throws: (any Error).self) {
      try fixture.git("add", "-A", environment: ["GIT_INDEX_FILE": fixture.root + "/refusing-index"])
    }

    let taken = try take(fixture)
    for path in [".GIT/", "sub/.Git/", "git~1/", "sub/.git. /", "lib/.gitmodules"] {
      #expect(taken.stderr.contains("octo-git: left out \(path) (a name git refuses)\n"), "\(path): \(taken.stderr)")
    }
    #expect(
      try names(fixture, taken.id)
        == ["README.md", "sub/keep.txt", ".github/workflow.yml", "GIT~1.txt", "lib/.gitmodules-notes"])
    // Without them, git's own snapshot is the checkpoint's.
    for path in [".GIT", "sub/.Git", "git~1", "sub/.git. ", "lib/.gitmodules"] {
      try FileManager.default.removeItem(atPath: fixture.path + "/" + path)
    }
    #expect(try fixture.git("rev-parse", "\(taken.id)^{tree}") == (try witnessTree(fixture)))

    // Unchanged, the next checkpoint says the same (the folders holding them are read again).
    try fixture.write("sub/.Git/HEAD", "y\n")
    let clock = Clock()
    try clock.age(fixture)
    let first = try take(fixture)
    #expect(first.stderr.contains("octo-git: left out sub/.Git/ (a name git refuses)\n"), "\(first.stderr)")
    let second = try take(fixture)
    #expect(second.stderr.contains("octo-git: left out sub/.Git/ (a name git refuses)\n"), "\(second.stderr)")
  }

  // MARK: - Paths kept as bytes

  @Test("RawPath carries any bytes through a String and back")
  func rawPathRoundTrip() {
    let samples: [[UInt8]] = [
      Array("plain/ascii.txt".utf8), Array("ünïcode ñame".utf8), [0xFF, 0xFE], [0x61, 0xC3], [0xC3, 0x28],
      [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], Array("\u{10FF41}".utf8),
      [0xF4, 0x8F, 0xBD, 0x81, 0x80],
    ]
    for bytes in samples {
      let path = RawPath.string(bytes)
      #expect(RawPath.bytes(path) == bytes, "\(bytes)")
      #expect(RawPath.withCString(path) { strlen($0) } == bytes.count)
    }
    #expect(RawPath.string(Array("ünïcode".utf8)) == "ünïcode")
    #expect(RawPath.shown(RawPath.string([0x61, 0xFF])) == "a\\xFF")
  }

  @Test("checkpoints show escapes file names and the agent's names: no escape sequence reaches the terminal")
  func showEscapes() throws {
    let fixture = try TestRepository()
    try fixture.write("evil\u{1B}[31mRED\u{1B}[0m", "x\n")
    try fixture.write("nl\nfake line | 99 ++++", "y\n")
    try fixture.octo("checkpoint", "--quiet", "--agent", "a\u{1B}]0;title\u{07}")
    let shown = try fixture.octo("checkpoints", "show")
    #expect(!shown.utf8.contains(0x1B) && !shown.utf8.contains(0x07), "\(shown)")
    #expect(shown.contains("evil\\e[31mRED") && shown.contains("nl\\nfake line"), "\(shown)")
  }
}
