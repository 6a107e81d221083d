import Foundation
import Testing

@testable import OctoGit

@Suite("Checkpoints: restoring, browsing, pruning")
struct RestoreTests {
  func state(_ fixture: TestRepository) throws -> [String: String] {
    var files: [String: String] = [:]
    let root = URL(fileURLWithPath: fixture.path)
    guard let walker = FileManager.default.enumerator(atPath: fixture.path) else { return files }
    for case let relative as String in walker where !relative.hasPrefix(".git/") && relative != ".git" {
      let url = root.appendingPathComponent(relative)
      let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
      switch attributes[.type] as? FileAttributeType {
      case .typeSymbolicLink?:
        files[relative] = "link:" + (try FileManager.default.destinationOfSymbolicLink(atPath: url.path))
      case .typeRegular?:
        let mode = (attributes[.posixPermissions] as? Int ?? 0) & 0o111 != 0 ? "x:" : ""
        files[relative] = mode + (try String(contentsOf: url, encoding: .utf8))
      default: continue
      }
    }
    return files
  }

  @Test("restore round-trips modified, deleted, new, renamed, executable and symlinked files, and --index")
  func roundTrip() throws {
    let fixture = try TestRepository()
    try fixture.write(".gitignore", "*.log\n")
    try fixture.write("a.txt", "a\n")
    try fixture.write("b.txt", "b\n")
    try fixture.write("tool.sh", "#!/bin/sh\n", executable: true)
    try FileManager.default.createSymbolicLink(atPath: fixture.path + "/link", withDestinationPath: "a.txt")
    try fixture.commitAll("base")
    try fixture.write("a.txt", "agent edit\n")
    try fixture.write("new.txt", "new\n")
    try fixture.git("add", "new.txt")
    try fixture.write("keep.log", "ignored, untouched\n")
    let saved = try state(fixture)
    let savedStatus = try fixture.gitRaw("status", "--porcelain=v2", "--untracked-files=all")
    let id = try fixture.octo("checkpoint", "-m", "good state").trimmingCharacters(in: .whitespacesAndNewlines)

    // The agent's bad step.
    try fixture.write("a.txt", "broken\n")
    try FileManager.default.removeItem(atPath: fixture.path + "/b.txt")
    try fixture.git("mv", "tool.sh", "renamed.sh")
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: fixture.path + "/renamed.sh")
    try FileManager.default.removeItem(atPath: fixture.path + "/link")
    try fixture.write("link", "now a file\n")
    try fixture.write("junk/deep/file.txt", "junk\n")
    try fixture.git("reset", "-q")
    try fixture.write("keep.log", "changed while broken, still ignored\n")
    let broken = try state(fixture)
    let brokenStatus = try fixture.gitRaw("status", "--porcelain=v2", "--untracked-files=all")

    let result = try OctoGitBinary.run(
      ["restore", String(id.prefix(8)), "--index"], in: fixture.path, home: fixture.home)
    #expect(result.status == 0, "\(result.stderr)")
    // The undo restores the index too, as this restore did.
    let hint = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("undo with: octo-git restore ") })
    let undoArguments = hint.dropFirst("undo with: octo-git ".count).split(separator: " ").map(String.init)
    #expect(undoArguments.count == 3 && undoArguments.last == "--index", "\(hint)")
    var restored = try state(fixture)
    #expect(restored["keep.log"] == "changed while broken, still ignored\n")
    restored["keep.log"] = saved["keep.log"]
    #expect(restored == saved)
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/junk"))
    #expect(try fixture.gitRaw("status", "--porcelain=v2", "--untracked-files=all") == savedStatus)

    // Undo the restore with the command it printed.
    let undo = try CanonicalJSON.parse(try fixture.octo("checkpoints", "list", "--json")).arrayValue?.first?["id"]?
      .stringValue
    #expect(try undo?.hasPrefix(#require(undoArguments.dropFirst().first)) == true)
    let undone = try OctoGitBinary.run(undoArguments, in: fixture.path, home: fixture.home)
    #expect(undone.status == 0, "\(undone.stderr)")
    var again = try state(fixture)
    again["keep.log"] = broken["keep.log"]
    #expect(again == broken)
    #expect(try fixture.gitRaw("status", "--porcelain=v2", "--untracked-files=all") == brokenStatus)
  }

  @Test("restoring named paths changes only them")
  func paths() throws {
    let fixture = try TestRepository()
    try fixture.write("src/a.txt", "a\n")
    try fixture.write("src/b.txt", "b\n")
    try fixture.write("other.txt", "o\n")
    try fixture.commitAll("base")
    let id = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try fixture.write("src/a.txt", "bad\n")
    try fixture.write("src/b.txt", "bad\n")
    try fixture.write("other.txt", "bad\n")
    let restored = try OctoGitBinary.run(["restore", id, "src/a.txt"], in: fixture.path, home: fixture.home)
    #expect(try String(contentsOfFile: fixture.path + "/src/a.txt", encoding: .utf8) == "a\n")
    #expect(try String(contentsOfFile: fixture.path + "/src/b.txt", encoding: .utf8) == "bad\n")
    // Its undo names the same path: undoing it leaves work done since on other paths alone.
    let hint = try #require(restored.stderr.split(separator: "\n").first { $0.hasPrefix("undo with: ") })
    #expect(hint.hasSuffix(" src/a.txt"), "\(hint)")
    try fixture.write("other.txt", "work since\n")
    try fixture.octo(hint.dropFirst("undo with: octo-git ".count).split(separator: " ").map(String.init))
    #expect(try String(contentsOfFile: fixture.path + "/src/a.txt", encoding: .utf8) == "bad\n")
    #expect(try String(contentsOfFile: fixture.path + "/other.txt", encoding: .utf8) == "work since\n")
    try fixture.write("other.txt", "bad\n")
    // From a subfolder, paths are relative to it, as in git.
    try fixture.octo(["restore", id, "b.txt"], in: fixture.path + "/src")
    #expect(try String(contentsOfFile: fixture.path + "/src/b.txt", encoding: .utf8) == "b\n")
    #expect(try String(contentsOfFile: fixture.path + "/other.txt", encoding: .utf8) == "bad\n")
  }

  @Test("restore latest run twice restores the same checkpoint: the undo checkpoint is named by its id only")
  func restoreLatestTwice() throws {
    let fixture = try TestRepository()
    try fixture.write("f.txt", "good\n")
    let taken = try fixture.octo("checkpoint", "--json")
    try fixture.write("f.txt", "broken\n")
    let first = try OctoGitBinary.run(["restore", "latest"], in: fixture.path, home: fixture.home)
    let again = try OctoGitBinary.run(["restore", "latest"], in: fixture.path, home: fixture.home)
    #expect(first.status == 0 && again.status == 0, "\(again.stderr)")
    #expect(try String(contentsOfFile: fixture.path + "/f.txt", encoding: .utf8) == "good\n")
    #expect(
      try CanonicalJSON.parse(try fixture.octo("checkpoints", "show", "latest", "--json"))["id"]
        == CanonicalJSON.parse(taken)["id"])
    // The second has nothing to do: it takes no checkpoint and prints no undo (none that could take back work).
    func undo(_ result: Shell.Result) -> String? {
      result.stderr.split(separator: "\n").first { $0.hasPrefix("undo with: ") }.map(String.init)
    }
    #expect(undo(again) == nil && again.stderr.contains("nothing to restore"), "\(again.stderr)")
    let undoID = try #require(undo(first)?.split(separator: " ").last.map(String.init))
    try fixture.write("new.txt", "later work\n")
    let partial = try OctoGitBinary.run(["restore", "latest", "f.txt"], in: fixture.path, home: fixture.home)
    #expect(partial.status == 0 && undo(partial) == nil, "\(partial.stderr)")
    #expect(try String(contentsOfFile: fixture.path + "/new.txt", encoding: .utf8) == "later work\n")
    try FileManager.default.removeItem(atPath: fixture.path + "/new.txt")
    // Pruned to one, the checkpoint latest names stays (an undo checkpoint counts with the older ones).
    try fixture.octo("checkpoints", "prune", "--keep", "1")
    #expect(
      try CanonicalJSON.parse(try fixture.octo("checkpoints", "show", "latest", "--json"))["id"]
        == CanonicalJSON.parse(taken)["id"])
    try fixture.octo("restore", undoID)
    #expect(try String(contentsOfFile: fixture.path + "/f.txt", encoding: .utf8) == "broken\n")
  }

  @Test("bad input: unknown, ambiguous and malformed ids, paths outside or not in the checkpoint, no repository")
  func badInput() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a\n")
    var ids: [String] = []
    for number in 0..<40 {
      try fixture.write("a.txt", "\(number)\n")
      ids.append(try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines))
    }
    func failure(_ arguments: String...) throws -> Shell.Result {
      let result = try OctoGitBinary.run(arguments, in: fixture.path, home: fixture.home)
      #expect(result.status != 0)
      #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
      return result
    }
    #expect(try failure("restore", "ffffffff").stderr.contains("no checkpoint matches"))
    #expect(try failure("restore", "zz").stderr.contains("not a checkpoint id"))
    #expect(try failure("restore", "latest~99").stderr.contains("only 40"))
    // Among 40 ids, some pair shares a first hex digit… and 4 digits may still collide: find a real prefix shared.
    let grouped = Dictionary(grouping: ids) { String($0.prefix(4)) }.filter { $0.value.count > 1 }
    if let shared = grouped.keys.first {
      let ambiguous = try failure("checkpoints", "show", shared)
      #expect(ambiguous.stderr.contains("matches"))
    }
    #expect(try failure("restore", "latest", "../elsewhere.txt").stderr.contains("outside the repository"))
    #expect(try failure("restore", "latest", "missing.txt").stderr.contains("not in checkpoint"))
    let outside = FileManager.default.temporaryDirectory.appendingPathComponent("octo-git-no-repo-\(UUID())").path
    try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: outside) }
    let none = try OctoGitBinary.run(["checkpoint"], in: outside)
    #expect(none.status == ExitStatus.notARepository.rawValue)
    // latest~N counts back.
    #expect(try fixture.octo("checkpoints", "show", "latest~1", "--json").contains(ids[38]))
  }

  @Test("list, show and diff")
  func browse() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "1\n2\n")
    try fixture.commitAll("base")
    try fixture.write("a.txt", "1\n2\n3\n")
    let first = try fixture.octo("checkpoint", "-m", "added a line").trimmingCharacters(in: .whitespacesAndNewlines)
    try fixture.write("b.txt", "b\n")
    let second = try fixture.octo("checkpoint", "-m", "added b").trimmingCharacters(in: .whitespacesAndNewlines)
    let list = try fixture.octo("checkpoints")
    #expect(list.contains("added a line") && list.contains("added b"))
    #expect(list.range(of: "added b")!.lowerBound < list.range(of: "added a line")!.lowerBound)
    let show = try fixture.octo("checkpoints", "show", String(first.prefix(7)))
    #expect(show.contains("a.txt") && show.contains("added a line"))
    let between = try fixture.octo("checkpoints", "diff", first, second)
    #expect(between.contains("+++ b/b.txt"))
    try fixture.write("a.txt", "changed\n")
    let toWorkTree = try fixture.octo("checkpoints", "diff", second, "a.txt")
    #expect(toWorkTree.contains("-3") && toWorkTree.contains("+changed") && !toWorkTree.contains("b.txt"))
    let stat = try fixture.octo("checkpoints", "diff", second, "--stat")
    // As git says it: "1 file changed, 1 insertion(+), 1 deletion(-)".
    #expect(stat.contains("a.txt") && stat.contains(" 1 file changed, 1 insertion(+), 3 deletions(-)"), "\(stat)")
  }

  @Test("pruning removes the notes of the checkpoints it deleted, and only those: synced notes of others stay")
  func pruneKeepsOthersNotes() throws {
    let fixture = try TestRepository()
    // Another clone's checkpoint note, as notes sync brings it: a note without a checkpoint ref here.
    let other = try fixture.commitAll("a commit another clone checkpointed")
    try fixture.git("notes", "--ref=octo/checkpoints", "add", "-m", "{\"v\":1}", other)
    try fixture.git("config", "octo.checkpoint.keep", "2")
    func count(_ arguments: String...) throws -> Int {
      try fixture.gitRaw(arguments).split(separator: "\n").count
    }
    for number in 0..<5 {
      try fixture.write("a.txt", "\(number)\n")
      try fixture.octo("checkpoint", "-m", "n\(number)")
    }
    #expect(try count("for-each-ref", "refs/octo/checkpoints/") == 2)
    #expect(try count("notes", "--ref=octo/checkpoints", "list") == 3)
    let listed = try CanonicalJSON.parse(try fixture.octo("checkpoints", "list", "--json")).arrayValue ?? []
    #expect(listed.compactMap { $0["message"]?.stringValue } == ["n4", "n3"])
    try fixture.octo("checkpoints", "prune", "--keep", "0")
    #expect(try fixture.git("notes", "--ref=octo/checkpoints", "list").hasSuffix(other))
  }

  @Test("prune by count and age; octo.checkpoint.keep applies after each checkpoint")
  func prune() throws {
    let fixture = try TestRepository()
    for number in 0..<5 {
      try fixture.write("a.txt", "\(number)\n")
      try fixture.octo("checkpoint", "-m", "n\(number)")
    }
    let pruned =
      try CanonicalJSON.parse(try fixture.octo("checkpoints", "prune", "--keep", "3", "--json")).arrayValue ?? []
    #expect(pruned.count == 2)
    #expect(try fixture.git("for-each-ref", "refs/octo/checkpoints/").split(separator: "\n").count == 3)
    #expect(try fixture.git("notes", "--ref=octo/checkpoints", "list").split(separator: "\n").count == 3)
    try fixture.git("config", "octo.checkpoint.keep", "2")
    try fixture.octo("checkpoint", "-m", "newest")
    let left = try CanonicalJSON.parse(try fixture.octo("checkpoints", "list", "--json")).arrayValue ?? []
    #expect(left.compactMap { $0["message"]?.stringValue } == ["newest", "n4"])
    #expect(try fixture.octo("checkpoints", "prune", "--older-than", "1h", "--json") == "[]\n")
    // Both rules: the newest N stay whatever their age; the older ones go only past the age.
    #expect(try fixture.octo("checkpoints", "prune", "--keep", "1", "--older-than", "1h", "--json") == "[]\n")
    let both = try CanonicalJSON.parse(
      try fixture.octo("checkpoints", "prune", "--keep", "1", "--older-than", "0s", "--json"))
    #expect(both.arrayValue?.count == 1)
    #expect(try CanonicalJSON.parse(try fixture.octo("checkpoints", "list", "--json")).arrayValue?.count == 1)
    let bad = try OctoGitBinary.run(
      ["checkpoints", "prune", "--older-than", "soon"], in: fixture.path, home: fixture.home)
    #expect(bad.status == ExitStatus.usage.rawValue)
  }
}
