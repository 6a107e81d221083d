import Foundation
import Testing

@testable import OctoGit

/// `octo.checkpoint.keep` from 20 up: pruned in batches, never more than keep/20 beyond it.
@Suite("Checkpoints: pruning in batches")
struct PruneScheduleTests {
  @Test("with keep 20, at most 21 stand; a damaged count or a new keep prunes at once; the newest stay")
  func batches() throws {
    let fixture = try TestRepository()
    try fixture.git("config", "octo.checkpoint.keep", "20")
    let checkpoints = Checkpoints(repository: try Repository.open(at: fixture.path))
    func standing() throws -> [String] {
      try fixture.gitRaw(["for-each-ref", "--format=%(objectname)", "refs/octo/checkpoints/"])
        .split(separator: "\n").map(String.init)
    }
    var taken: [String] = []
    var counts: [Int] = []
    for number in 0..<24 {
      try fixture.write("a.txt", "\(number)\n")
      // A second apart, so that the refs' names (their times) order them whatever the machine's speed.
      let at = Date(timeIntervalSince1970: 1_700_000_000 + Double(number))
      taken.append(try checkpoints.take(.init(message: "n\(number)", now: at)).id.hex)
      counts.append(try standing().count)
    }
    // One checkpoint in two prunes (keep / 20 = 1 may stand beyond keep).
    #expect(counts.max() == 21, "\(counts)")
    #expect(counts.suffix(4) == [20, 21, 20, 21], "\(counts)")
    #expect(Set(try standing()) == Set(taken.suffix(21)))
    // git's own view agrees: the pruned checkpoints' notes went with them.
    #expect(try fixture.git("notes", "--ref=octo/checkpoints", "list").split(separator: "\n").count == 21)

    let count = fixture.path + "/.git/octo/checkpoint-prune"
    try Data("octo-git prune 1\n20 9999999999999999999999\n".utf8).write(to: URL(fileURLWithPath: count))
    try fixture.write("a.txt", "damaged count\n")
    try checkpoints.take(.init(message: "after a damaged count"))
    #expect(try standing().count == 20)
    // A second name for the count file is left as it is: the count is written over in place only when the
    // file is its own.
    let otherName = fixture.root + "/count-elsewhere"
    #expect(link(count, otherName) == 0)
    let before = try String(contentsOfFile: otherName, encoding: .utf8)
    try checkpoints.take(.init(message: "counted"))
    #expect(try standing().count == 21)
    #expect(try String(contentsOfFile: otherName, encoding: .utf8) == before)
    #expect(try String(contentsOfFile: count, encoding: .utf8) != before)
    // No limit for a while, then one again: the first checkpoint under it prunes at once, whatever was counted.
    try fixture.git("config", "octo.checkpoint.keep", "0")
    for number in 0..<3 { try checkpoints.take(.init(message: "unlimited \(number)")) }
    #expect(try standing().count == 24)
    try fixture.git("config", "octo.checkpoint.keep", "20")
    try checkpoints.take(.init(message: "limited again"))
    #expect(try standing().count == 20)
    try fixture.git("config", "octo.checkpoint.keep", "19")
    try checkpoints.take(.init(message: "below 20: every checkpoint prunes"))
    #expect(try standing().count == 19)
    try checkpoints.take(.init(message: "again"))
    #expect(try standing().count == 19)
    #expect(!FileManager.default.fileExists(atPath: count))
  }
}
