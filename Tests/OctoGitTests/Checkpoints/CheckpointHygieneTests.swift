import Foundation
import Testing

@testable import OctoGit

/// What a restore leaves on disk, and refs in octo-git's namespace that octo-git did not write.
@Suite("Checkpoints: permissions, leftovers and foreign refs")
struct CheckpointHygieneTests {
  func permissions(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
  }

  @Test("a restored file keeps its permissions; a restore's temporary file is never captured")
  func permissionsAndLeftovers() throws {
    let fixture = try TestRepository()
    try fixture.write(".env", "TOKEN=old\n")
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: fixture.path + "/.env")
    let checkpoint = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try fixture.write(".env", "TOKEN=new\n")
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: fixture.path + "/.env")
    try fixture.octo("restore", checkpoint)
    #expect(try String(contentsOfFile: fixture.path + "/.env", encoding: .utf8) == "TOKEN=old\n")
    #expect(try permissions(fixture.path + "/.env") == 0o600)
    // What a restore killed part way leaves behind is not work.
    try fixture.write(".octo-restore-12345-678", "half written\n")
    let next = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(!(try fixture.git("ls-tree", "-r", "--name-only", next)).contains(".octo-restore-"))
  }

  @Test("a ref in the checkpoints' namespace that names no commit, or no time, breaks nothing")
  func foreignRefs() throws {
    let fixture = try TestRepository()
    let first = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try fixture.write("a.txt", "changed\n")
    let second = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    let tree = try fixture.git("rev-parse", "HEAD^{tree}")
    try fixture.git("update-ref", "refs/octo/checkpoints/main/tree-by-hand", tree)
    try fixture.git("update-ref", "refs/octo/checkpoints/main/zzz-by-hand", first)
    let list = try CanonicalJSON.parse(try fixture.octo("checkpoints", "list", "--json"))
    let ids = (list.arrayValue ?? list["checkpoints"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    #expect(ids.contains(second) && ids.contains(first), "\(list)")
    #expect(!ids.contains(tree))
    // `latest` is the newest checkpoint octo-git took, and prune never takes a ref it did not name.
    #expect(try fixture.octo("checkpoints", "show", "latest").contains(String(second.prefix(7))))
    try fixture.octo("checkpoints", "prune", "--keep", "1")
    #expect(try fixture.git("for-each-ref", "refs/octo/checkpoints/main/zzz-by-hand").contains(first))
    #expect(try fixture.git("for-each-ref", "refs/octo/checkpoints/main/").contains(second))
    // A negative octo.checkpoint.keep prunes nothing, and says so.
    try fixture.git("config", "octo.checkpoint.keep", "-1")
    let taken = try OctoGitBinary.run(["checkpoint"], in: fixture.path, home: fixture.home)
    #expect(taken.status == 0 && taken.stderr.contains("octo.checkpoint.keep is -1"), "\(taken.stderr)")
  }
}
