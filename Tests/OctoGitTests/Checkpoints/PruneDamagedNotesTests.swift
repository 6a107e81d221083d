import Foundation
import Testing

@testable import OctoGit

@Suite("prune with a damaged checkpoints notes ref")
struct PruneDamagedNotesTests {
  @Test("the checkpoints are pruned and the command says so, exit 0; the notes left are said in one line")
  func damagedNotesRef() throws {
    let fixture = try TestRepository()
    try fixture.octo("checkpoint", "--quiet", "-m", "one")
    try fixture.octo("checkpoint", "--quiet", "-m", "two")
    let junk = try fixture.git("hash-object", "-w", "--stdin", input: "junk")
    try fixture.git("update-ref", "refs/notes/octo/checkpoints", junk)
    let result = try OctoGitBinary.run(["checkpoints", "prune", "--keep", "0"], in: fixture.path, home: fixture.home)
    #expect(result.status == 0 && result.stdout.contains("pruned 2 checkpoints"), "\(result.stdout) \(result.stderr)")
    #expect(result.stderr.contains("notes of the pruned checkpoints were left"), "\(result.stderr)")
    #expect(try fixture.git("for-each-ref", "refs/octo/").isEmpty)
  }
}
