import Foundation
import Testing

@testable import OctoGit

/// The snapshot state's checksum (``StableHash/lanes(_:)``) and the layouts read from earlier versions.
@Suite("Checkpoints: the snapshot state's layouts and checksum")
struct SnapshotStateLayoutTests {
  @Test("the four-lane checksum changes with any one byte, in the lanes or the tail, and with the length")
  func lanesCatchEveryByte() {
    let bytes = (0..<203).map { UInt8(truncatingIfNeeded: $0 &* 37) }
    let original = bytes.withUnsafeBytes { StableHash.lanes($0) }
    var seen: Set<UInt64> = [original]
    for position in [0, 7, 8, 31, 32, 100, 191, 192, 199, 200, 202] {
      var changed = bytes
      changed[position] ^= 0x01
      #expect(seen.insert(changed.withUnsafeBytes { StableHash.lanes($0) }).inserted, "byte \(position)")
    }
    #expect(seen.insert(bytes.dropLast().withUnsafeBytes { StableHash.lanes($0) }).inserted)
    #expect(seen.insert([UInt8]().withUnsafeBytes { StableHash.lanes($0) }).inserted)
    // The value is part of the file format: it must not drift.
    #expect(Array("octo-git".utf8).withUnsafeBytes { StableHash.lanes($0) } == Self.pinned.tail)
    #expect(original == Self.pinned.lanes)
  }

  /// `StableHash.lanes` as the third layout writes it: of the 8 bytes "octo-git" (no round of the lanes), and
  /// of the 203 bytes above (six rounds of the four lanes, then the tail).
  static let pinned: (tail: UInt64, lanes: UInt64) = (10_314_888_008_184_154_739, 3_892_219_605_216_558_555)

  @Test("a state saved in the second layout is read without a word (no rebuild), and saved again in the third")
  func secondLayout() throws {
    let repository = try TestRepository()
    try repository.write("a.txt", "one\n")
    try repository.octo("checkpoint", "-m", "first")
    let path = repository.path + "/.git/octo/snapshot.state"
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(Array(bytes[0..<8]) == SnapshotState.magic)
    // The same records under the second layout's magic and checksum, as an earlier octo-git wrote them.
    bytes.removeLast(SnapshotState.checksumSize)
    bytes.replaceSubrange(0..<8, with: SnapshotState.wordsMagic)
    let words = bytes.withUnsafeBytes { StableHash.words($0) }
    withUnsafeBytes(of: words.littleEndian) { bytes.append(contentsOf: $0) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(SnapshotState.load(from: path) != nil)

    try repository.write("a.txt", "two\n")
    let second = try OctoGitBinary.run(["checkpoint", "-m", "second"], in: repository.path, home: repository.home)
    #expect(second.status == 0 && second.stderr.isEmpty, "\(second.stderr)")
    let latest = try repository.git(
      "for-each-ref", "--sort=-refname", "--count=1", "--format=%(objectname)", "refs/octo/checkpoints/")
    #expect(try repository.git("show", "\(latest):a.txt") == "two")
    let saved = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(Array(saved[0..<8]) == SnapshotState.magic)

    // A second-layout file whose records changed behind its back still fails its own checksum.
    var damaged = bytes
    damaged[SnapshotState.headerSize + 56] ^= 0xFF
    try Data(damaged).write(to: URL(fileURLWithPath: path))
    #expect(SnapshotState.load(from: path) == nil)
  }
}
