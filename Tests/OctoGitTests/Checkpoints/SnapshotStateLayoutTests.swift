import Foundation
import Testing

@testable import OctoGit

/// The snapshot state's checksum (``StableHash/xxh64(_:)``) and the layouts read from earlier versions.
@Suite("Checkpoints: the snapshot state's layouts and checksum")
struct SnapshotStateLayoutTests {
  @Test("the checksum is XXH64: its published values, and a change to any bit shows, even where words' did not")
  func checksum() {
    func xxh64(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { StableHash.xxh64($0) } }
    // XXH64 with seed 0, as its reference implementation gives them (the last one crosses a 32-byte stripe).
    #expect(xxh64([]) == 0xEF46_DB37_51D8_E999)
    #expect(xxh64(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
    #expect(xxh64(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
    #expect(xxh64(Array("Nobody inspects the spammish repetition".utf8)) == 0xFBCE_A83C_8A37_8BF1)
    let bytes = (0..<203).map { UInt8(truncatingIfNeeded: $0 &* 37) }
    var seen: Set<UInt64> = [xxh64(bytes)]
    for position in [0, 7, 8, 31, 32, 100, 191, 192, 199, 200, 202] {
      for bit in [0, 7] {
        var changed = bytes
        changed[position] ^= 1 << bit
        #expect(seen.insert(xxh64(changed)).inserted, "byte \(position) bit \(bit)")
      }
    }
    // The top bits of two words a lane apart, and of one word with bits 63 and 34 of the next in its lane:
    // a fold of multiply and shift alone (words) cancels these.
    var pair = bytes
    pair[160 + 7] ^= 0x80
    pair[160 + 15] ^= 0x80
    var chained = bytes
    chained[7] ^= 0x80
    chained[32 + 7] ^= 0x80
    chained[32 + 4] ^= 0x04
    for changed in [pair, chained] { #expect(seen.insert(xxh64(changed)).inserted) }
    #expect(seen.insert(xxh64(Array(bytes.dropLast()))).inserted)
  }

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

  @Test("a state file past 1 GiB is not read (rebuilt, said once); one whose tree gc removed is rebuilt silently")
  func hugeOrOutdated() throws {
    let repository = try TestRepository()
    try repository.write("a.txt", "one\n")
    try repository.octo("checkpoint", "--quiet")
    let path = repository.path + "/.git/octo/snapshot.state"
    // A sparse file: no disk taken, but reading it whole would take 1 GiB of memory.
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.truncate(atOffset: UInt64(FileBuffer.largestCache) + 1)
    try handle.close()
    #expect(SnapshotState.load(from: path) == nil)
    try repository.write("b.txt", "two\n")
    let taken = try OctoGitBinary.run(["checkpoint", "--json"], in: repository.path, home: repository.home)
    #expect(taken.status == 0 && taken.stderr.contains("did not check and was rebuilt"), "\(taken.stderr)")
    let id = try #require(CanonicalJSON.parse(taken.stdout)["id"]?.stringValue)
    let names = try repository.git("ls-tree", "--name-only", id).split(separator: "\n")
    #expect(names.contains("a.txt") && names.contains("b.txt"), "\(names)")

    // Every checkpoint pruned and the objects collected: the state's tree is gone, not damaged.
    try repository.octo("checkpoints", "prune", "--keep", "0")
    try repository.git("gc", "-q", "--prune=now")
    let state = try #require(SnapshotState.load(from: path))
    #expect(!(try Repository.open(at: repository.path).objectExists(state.tree)))
    try repository.write("c.txt", "three\n")
    let after = try OctoGitBinary.run(["checkpoint", "--quiet"], in: repository.path, home: repository.home)
    #expect(after.status == 0 && after.stderr.isEmpty, "\(after.stderr)")
  }
}
