import Foundation
import Testing

@testable import OctoGit

/// What a checkpoint does with what git accepts and what it refuses or cannot read (issue 15): the `git`
/// CLI is the witness throughout.
@Suite("Checkpoints: odd names, unreadable and big files, symlinks in place of folders")
struct SnapshotSafetyTests {
  struct Taken {
    let id: String
    /// What the checkpoint printed on stderr.
    let stderr: String
  }

  /// Runs `octo-git checkpoint`, which must succeed.
  func take(_ fixture: TestRepository, _ arguments: String...) throws -> Taken {
    let result = try OctoGitBinary.run(["checkpoint"] + arguments, in: fixture.path, home: fixture.home)
    guard result.status == 0 else {
      throw Shell.Failure(command: ["octo-git", "checkpoint"] + arguments, result: result)
    }
    return Taken(id: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), stderr: result.stderr)
  }

  /// The tree git itself makes of the work tree (`git add -A` into an empty index).
  func witnessTree(_ fixture: TestRepository) throws -> String {
    let fresh = fixture.root + "/witness-index"
    try? FileManager.default.removeItem(atPath: fresh)
    try fixture.git("add", "-A", environment: ["GIT_INDEX_FILE": fresh])
    return try fixture.git("write-tree", environment: ["GIT_INDEX_FILE": fresh])
  }

  func names(_ fixture: TestRepository, _ id: String) throws -> Set<String> {
    Set(
      try fixture.git("-c", "core.quotepath=false", "ls-tree", "-r", "--name-only", id).split(separator: "\n").map(
        String.init))
  }

  /// The id git gives a blob of `content`.
  func blob(_ fixture: TestRepository, _ content: String) throws -> String {
    try fixture.git("hash-object", "--stdin", input: content)
  }

  struct Failed: Error, CustomStringConvertible {
    let description: String
  }

  /// Calls `body` with the work-tree path `relative` (any bytes) as a C string.
  func withPath<R>(_ fixture: TestRepository, _ relative: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
    let bytes = Array(fixture.path.utf8) + [UInt8(ascii: "/")] + relative + [0]
    return bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
    }
  }

  /// Writes a file whose name is the bytes `relative` (which need not be UTF-8).
  func writeBytes(_ fixture: TestRepository, _ relative: [UInt8], _ content: String) throws {
    let descriptor = withPath(fixture, relative) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
    guard descriptor >= 0 else { throw Failed(description: "cannot create \(relative): errno \(errno)") }
    defer { close(descriptor) }
    let bytes = Array(content.utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    guard written == bytes.count else { throw Failed(description: "short write") }
  }

  /// Makes a folder whose name is the bytes `relative`.
  func makeFolder(_ fixture: TestRepository, _ relative: [UInt8]) throws {
    guard withPath(fixture, relative, { mkdir($0, 0o755) }) == 0 else {
      throw Failed(description: "cannot make \(relative)")
    }
  }

  /// Dates the work tree's recently changed folders back, a step later each time, so that a scan trusts
  /// them by their stamps (folders changed within the last seconds are always read again): a folder left
  /// as it was keeps its stamp, and only what the checkpoint recorded of it makes the next one read it.
  final class Clock {
    let old = Date().addingTimeInterval(-3600)
    var steps = 0.0

    func age(_ fixture: TestRepository) throws {
      steps += 1
      let files = FileManager.default
      var folders = [fixture.path]
      for case let relative as String in files.enumerator(atPath: fixture.path)!
      where !relative.hasPrefix(".git/") && relative != ".git" {
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: fixture.path + "/" + relative, isDirectory: &isFolder), isFolder.boolValue {
          folders.append(fixture.path + "/" + relative)
        }
      }
      for folder in folders {
        let modified = try files.attributesOfItem(atPath: folder)[.modificationDate] as! Date
        if modified > old.addingTimeInterval(600) {
          try files.setAttributes([.modificationDate: old.addingTimeInterval(steps)], ofItemAtPath: folder)
        }
      }
    }
  }

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
    "folders and files named as git refuses (.GIT, .Git, git~1, .git. , a symlink .gitmodules) are left out with a warning each"
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
    "a file that cannot be read is left out (untracked) or kept as it was (tracked) with a warning, and captured once readable"
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

  @Test("octo.checkpoint.maxFileSize reads git's suffixes, defaults to 100 MB, and a value that is not a size warns")
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
}
