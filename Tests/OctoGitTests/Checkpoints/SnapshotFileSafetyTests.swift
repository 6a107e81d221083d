import Foundation
import Testing

@testable import OctoGit

/// Checkpoints of files that cannot be read, folders replaced by symlinks, and files over the size limit.
@Suite("Checkpoints: unreadable and big files, symlinks in place of folders")
struct SnapshotFileSafetyTests: SnapshotSafetySuite {
  // MARK: - 3. Files that cannot be read

  @Test("pipes and sockets, untracked or in place of a tracked file, are skipped without reading them")
  func pipesAndSockets() throws {
    let fixture = try TestRepository()
    try fixture.write("tracked.txt", "tracked\n")
    try fixture.commitAll("a file")
    try FileManager.default.removeItem(atPath: fixture.path + "/tracked.txt")
    #expect(mkfifo(fixture.path + "/tracked.txt", 0o644) == 0)
    #expect(mkfifo(fixture.path + "/pipe", 0o644) == 0)
    #expect(mknod(fixture.path + "/socket", S_IFSOCK | 0o644, 0) == 0)
    try fixture.write("plain.txt", "plain\n")

    let taken = try take(fixture)
    #expect(taken.stderr.isEmpty, "\(taken.stderr)")
    #expect(try names(fixture, taken.id) == ["README.md", "plain.txt"])
    let again = try take(fixture)
    #expect(try names(fixture, again.id) == ["README.md", "plain.txt"])
  }

  @Test(
    """
    a file that cannot be read is left out (untracked) or kept as \
    it was (tracked) with a warning, and captured once readable
    """
  )
  func unreadableFiles() throws {
    let fixture = try TestRepository()
    // libgit2 refuses to hash a file whose line endings core.safecrlf forbids converting: a read that
    // fails even for root (who reads a chmod 000 file).
    try fixture.write(".gitattributes", "*.crlf text eol=lf\n")
    try fixture.write("tracked.crlf", "one\ntwo\n")
    try fixture.commitAll("attributes")
    try fixture.git("config", "core.safecrlf", "true")
    try fixture.write("tracked.crlf", "one\r\ntwo\r\nthree\r\n")
    try fixture.write("untracked.crlf", "four\r\n")
    try fixture.write("fine.txt", "fine\n")
    try fixture.write("secret.txt", "secret\n")
    #expect(chmod(fixture.path + "/secret.txt", 0o000) == 0)
    let clock = Clock()
    try clock.age(fixture)

    let first = try take(fixture)
    #expect(first.stderr.contains("octo-git: left out untracked.crlf ("), "\(first.stderr)")
    #expect(first.stderr.contains("octo-git: kept the previous content of tracked.crlf ("), "\(first.stderr)")
    let files = try names(fixture, first.id)
    #expect(files.contains("fine.txt") && !files.contains("untracked.crlf"))
    #expect(try fixture.git("rev-parse", "\(first.id):tracked.crlf") == (try blob(fixture, "one\ntwo\n")))
    if getuid() == 0 {
      #expect(files.contains("secret.txt"))  // root reads it all the same
    } else {
      #expect(!files.contains("secret.txt"))
      #expect(first.stderr.contains("octo-git: left out secret.txt ("), "\(first.stderr)")
    }

    // Readable now, though no folder changed: the next checkpoint looks again and captures them.
    try fixture.git("config", "core.safecrlf", "false")
    #expect(chmod(fixture.path + "/secret.txt", 0o644) == 0)
    try clock.age(fixture)
    let second = try take(fixture)
    #expect(second.stderr.isEmpty, "\(second.stderr)")
    let now = try names(fixture, second.id)
    #expect(now.contains("untracked.crlf") && now.contains("secret.txt"))
    #expect(try fixture.git("rev-parse", "\(second.id):tracked.crlf") == (try blob(fixture, "one\ntwo\nthree\n")))
    #expect(try fixture.git("rev-parse", "\(second.id):untracked.crlf") == (try blob(fixture, "four\n")))
  }

  // MARK: - 4. Symlinks

  @Test(
    "a tracked folder replaced by a symlink to a folder outside is captured as the symlink; nothing outside is read")
  func folderReplacedBySymlink() throws {
    let fixture = try TestRepository()
    try fixture.write("d/sub/target", "inside\n")
    try fixture.write("d/keep.txt", "keep\n")
    try fixture.commitAll("a folder")
    _ = try take(fixture)

    let outside = fixture.root + "/outside"
    try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    let secret = "outside the work tree, never to be captured\n"
    try Data(secret.utf8).write(to: URL(fileURLWithPath: outside + "/target"))
    try Data("more outside\n".utf8).write(to: URL(fileURLWithPath: outside + "/other"))
    try FileManager.default.removeItem(atPath: fixture.path + "/d/sub")
    try FileManager.default.createSymbolicLink(atPath: fixture.path + "/d/sub", withDestinationPath: outside)
    try FileManager.default.createSymbolicLink(atPath: fixture.path + "/out", withDestinationPath: outside)

    func check(_ taken: Taken) throws {
      #expect(taken.stderr.isEmpty, "\(taken.stderr)")
      let entry = try fixture.git("ls-tree", taken.id, "d/sub")
      #expect(entry.hasPrefix("120000 blob "), "\(entry)")
      #expect(try fixture.git("cat-file", "-p", "\(taken.id):d/sub") == outside)
      #expect(try fixture.git("ls-tree", taken.id, "out").hasPrefix("120000 blob "))
      #expect(try names(fixture, taken.id) == ["README.md", "d/keep.txt", "d/sub", "out"])
      #expect(try fixture.git("rev-parse", "\(taken.id)^{tree}") == (try witnessTree(fixture)))
      // No blob of the outside file was ever written.
      let outsideBlob = try fixture.git("hash-object", "--stdin", input: secret)
      #expect(throws: (any Error).self) { try fixture.git("cat-file", "-e", outsideBlob) }
    }
    // From the saved state, then from the index (state deleted).
    try check(try take(fixture))
    try FileManager.default.removeItem(atPath: fixture.path + "/.git/octo/snapshot.state")
    try check(try take(fixture))
  }

  // MARK: - 5. octo.checkpoint.maxFileSize

  @Test(
    "untracked files over octo.checkpoint.maxFileSize are left out and named on stderr and in --json; 0 lifts the limit"
  )
  func maxFileSize() throws {
    let fixture = try TestRepository()
    try fixture.write("tracked-big.txt", String(repeating: "t", count: 2048))
    try fixture.commitAll("a big tracked file")
    try fixture.git("config", "octo.checkpoint.maxFileSize", "10m")
    try Data(count: 30 << 20).write(to: URL(fileURLWithPath: fixture.path + "/big.bin"))
    try fixture.write("small.txt", "small\n")
    let clock = Clock()
    try clock.age(fixture)

    let result = try OctoGitBinary.run(["checkpoint", "--json"], in: fixture.path, home: fixture.home)
    #expect(result.status == 0, "\(result.stderr)")
    let line = "left out big.bin (30 MB > 10 MB octo.checkpoint.maxFileSize)"
    #expect(result.stderr == "octo-git: \(line)\n")
    let json = try CanonicalJSON.parse(result.stdout)
    #expect(json["warnings"]?.arrayValue?.compactMap(\.stringValue) == [line])
    let id = try #require(json["id"]?.stringValue)
    #expect(try names(fixture, id) == ["README.md", "tracked-big.txt", "small.txt"])

    // A smaller limit: a file git tracks is always captured; a file captured while untracked that grows
    // past it leaves the snapshot.
    try fixture.git("config", "octo.checkpoint.maxFileSize", "1k")
    try fixture.write("tracked-big.txt", String(repeating: "u", count: 3072))
    try fixture.write("small.txt", String(repeating: "s", count: 2048))
    try clock.age(fixture)
    let smaller = try take(fixture)
    #expect(
      smaller.stderr.contains("octo-git: left out small.txt (2 KB > 1 KB octo.checkpoint.maxFileSize)\n"),
      "\(smaller.stderr)")
    #expect(
      smaller.stderr.contains("octo-git: left out big.bin (30 MB > 1 KB octo.checkpoint.maxFileSize)\n"),
      "\(smaller.stderr)")
    #expect(try names(fixture, smaller.id) == ["README.md", "tracked-big.txt"])
    #expect(
      try fixture.git("rev-parse", "\(smaller.id):tracked-big.txt")
        == (try blob(fixture, String(repeating: "u", count: 3072))))

    // No limit: both are captured, though no folder changed since.
    try fixture.git("config", "octo.checkpoint.maxFileSize", "0")
    try clock.age(fixture)
    let unlimited = try take(fixture)
    #expect(unlimited.stderr.isEmpty, "\(unlimited.stderr)")
    #expect(try names(fixture, unlimited.id) == ["README.md", "tracked-big.txt", "small.txt", "big.bin"])
    #expect(try fixture.git("rev-parse", "\(unlimited.id)^{tree}") == (try witnessTree(fixture)))
  }

  @Test("octo.checkpoint.maxFileSize reads git's suffixes, defaults to 100 MB; a value not a size, or negative, warns")
  func maxFileSizeSetting() throws {
    #expect(DefaultSettings.value(of: "octo.checkpoint.maxFileSize") == "100m")
    #expect(SnapshotBuilder.parseSize("100m") == 100 << 20)
    #expect(SnapshotBuilder.parseSize("2G") == 2 << 30)
    #expect(SnapshotBuilder.parseSize("512") == 512)
    #expect(SnapshotBuilder.parseSize("lots") == nil)
    #expect(SnapshotBuilder.sizeText(30 << 20) == "30 MB")
    #expect(SnapshotBuilder.sizeText(1536) == "1.5 KB")
    #expect(SnapshotBuilder.sizeText(3 << 30) == "3 GB")
    #expect(SnapshotBuilder.sizeText(100) == "100 bytes")

    let fixture = try TestRepository()
    let repository = try fixture.open()
    #expect(SnapshotBuilder.fileSizeLimit(try repository.config()).limit == 100 << 20)
    try fixture.git("config", "octo.checkpoint.maxFileSize", "5k")
    #expect(SnapshotBuilder.fileSizeLimit(try fixture.open().config()).limit == 5 << 10)
    try fixture.git("config", "octo.checkpoint.maxFileSize", "0")
    #expect(SnapshotBuilder.fileSizeLimit(try fixture.open().config()).limit == nil)
    try fixture.git("config", "octo.checkpoint.maxFileSize", "lots")
    let bad = SnapshotBuilder.fileSizeLimit(try fixture.open().config())
    #expect(bad.limit == 100 << 20 && bad.problem != nil)
    // A negative size is a mistake, not "no limit".
    try fixture.git("config", "octo.checkpoint.maxFileSize", "-5")
    let negative = SnapshotBuilder.fileSizeLimit(try fixture.open().config())
    #expect(negative.limit == 100 << 20 && negative.problem?.contains("negative") == true)
  }
}
