import Foundation
import Testing

@testable import OctoGit

/// Restoring whatever is on disk and whatever a checkpoint holds: unsafe paths refused, symlinks never followed.
@Suite("Checkpoints: restoring safely, whatever is on disk")
struct RestoreSafetyTests {
  // MARK: - Safe with anything on disk

  @Test("paths git would refuse to check out are unsafe: .., .git in every spelling, absolute, .git after a backslash")
  func pathRules() {
    for path in [
      "a.txt", "src/main.swift", ".gitignore", ".gitmodules", ".github/workflows/ci.yml", "git", ".gitx", "x/.git2/y",
      "git~2", "..a", "a..", "...", "ünï/cödé.txt", "with space/.git-notes", "a\\b", "..\\x", "back\\slash/f",
    ] {
      #expect(GitPathRules.isSafe(path), "\(path)")
    }
    for path in [
      "", "/etc/passwd", "a/", "a//b", ".", "./a", "a/./b", "..", "../a", "a/../b", "a/..", ".git", ".git/config",
      "x/.git/hooks/post-commit", ".GIT/config", ".Git", "GIT~1/config", "git~1", "sub/.git./x", ".git . ./x",
      ".git::$INDEX_ALLOCATION/x", ".git:stream", "x\\.git", ".GIT\\y", "x\\git~1/y", "a\u{0}b", ".g\u{200C}it/config",
      "\u{FEFF}.git",
      ".GI\u{206F}T/x", ".git\u{200D}", "x/\u{202A}.\u{202E}git/y",
    ] {
      #expect(!GitPathRules.isSafe(path), "\(path)")
    }
  }

  @Test("the work-tree writer never goes through a symlink, replaces what is in the way, keeps what it must")
  func writer() throws {
    let fixture = try TestRepository()
    let outside = fixture.root + "/outside"
    try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    try Data("outside\n".utf8).write(to: URL(fileURLWithPath: outside + "/f.txt"))
    try FileManager.default.createSymbolicLink(atPath: fixture.path + "/link", withDestinationPath: outside)
    let writer = try WorkTreeWriter(root: fixture.path) { $0.hasSuffix(".keep") ? "a test keeps it" : nil }

    // Below a symlink there is nothing to delete; a write there replaces the symlink by a folder.
    #expect(try writer.delete("link/f.txt") == false)
    #expect(FileManager.default.fileExists(atPath: outside + "/f.txt"))
    try writer.writeFile("link/f.txt", contents: Data("inside\n".utf8), executable: true)
    #expect(try String(contentsOfFile: outside + "/f.txt", encoding: .utf8) == "outside\n")
    let type = try FileManager.default.attributesOfItem(atPath: fixture.path + "/link")[.type] as? FileAttributeType
    #expect(type == .typeDirectory)
    #expect(try String(contentsOfFile: fixture.path + "/link/f.txt", encoding: .utf8) == "inside\n")
    #expect(FileManager.default.isExecutableFile(atPath: fixture.path + "/link/f.txt"))

    // A folder in the way of a file goes with what it holds (a symlink in it is removed, not followed)...
    try fixture.write("dir/a/b.txt", "b\n")
    try FileManager.default.createSymbolicLink(atPath: fixture.path + "/dir/a/out", withDestinationPath: outside)
    try writer.writeSymlink("dir", target: Data("README.md".utf8))
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.path + "/dir") == "README.md")
    #expect(FileManager.default.fileExists(atPath: outside + "/f.txt"))
    // ...unless something in it must be kept, or it holds a repository.
    try fixture.write("held/deep/x.keep", "kept\n")
    try fixture.write("held/other.txt", "other\n")
    #expect(throws: WorkTreeWriter.Blocked.self) { try writer.writeFile("held", contents: Data(), executable: false) }
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/held/deep/x.keep"))
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/held/other.txt"))
    try fixture.write("nested/.git/HEAD", "ref: refs/heads/main\n")
    #expect(throws: WorkTreeWriter.Blocked.self) { try writer.writeFile("nested", contents: Data(), executable: false) }
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/nested/.git/HEAD"))
    // A file to be kept where a folder must go stays too.
    try fixture.write("k.keep", "kept\n")
    #expect(throws: WorkTreeWriter.Blocked.self) {
      try writer.writeFile("k.keep/inner.txt", contents: Data(), executable: false)
    }
    #expect(try String(contentsOfFile: fixture.path + "/k.keep", encoding: .utf8) == "kept\n")

    // Deleting the last file of a folder deletes the folders that became empty, never the top one.
    #expect(try writer.delete("link/f.txt"))
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/link"))
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/README.md"))
    // Unsafe paths are refused outright.
    #expect(throws: OctoError.self) { try writer.writeFile("../escaped.txt", contents: Data(), executable: false) }
    #expect(!FileManager.default.fileExists(atPath: fixture.root + "/escaped.txt"))
    #expect(throws: OctoError.self) { try writer.delete(".git/config") }
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/.git/config"))
  }

  @Test(
    "a checkpoint holding .., .GIT/config, .git/hooks/post-commit or another .git spelling is refused, nothing written")
  func unsafeCheckpoints() throws {
    let fixture = try TestRepository()
    let readme = RawTreeEntry(mode: "100644", name: "README.md", id: try fixture.git("rev-parse", "HEAD:README.md"))
    let blob = try fixture.git("hash-object", "-w", "--stdin", input: "#!/bin/sh\necho owned\n")
    let safe = RawTreeEntry(mode: "100644", name: "ok.txt", id: blob)
    func nested(_ folders: [String], _ leaf: String, mode: String = "100644") throws -> RawTreeEntry {
      var entry = RawTreeEntry(mode: mode, name: leaf, id: blob)
      for folder in folders.reversed() {
        entry = RawTreeEntry(mode: "40000", name: folder, id: try fixture.rawTree([entry]))
      }
      return entry
    }
    // Each path as the error shows it (the invisible HFS+ code point escaped), and the entry holding it.
    let cases: [(path: String, entry: RawTreeEntry)] = try [
      ("../escaped.txt", nested([".."], "escaped.txt")),
      (".GIT/config", nested([".GIT"], "config")),
      (".git/hooks/post-commit", nested([".git", "hooks"], "post-commit", mode: "100755")),
      ("sub/GIT~1/config", nested(["sub", "GIT~1"], "config")),
      ("sub/.git. /config", nested(["sub", ".git. "], "config")),
      ("x/.g\\u{200c}it/hooks/post-commit", nested(["x", ".g\u{200C}it", "hooks"], "post-commit", mode: "100755")),
    ]
    let hooks = fixture.path + "/.git/hooks"
    let hooksBefore = try FileManager.default.contentsOfDirectory(atPath: hooks).sorted()
    let configBefore = try fixture.gitFileBytes("config")
    let statusBefore = try fixture.gitRaw("status", "--porcelain=v2", "--untracked-files=all")
    var last = ""
    for (path, entry) in cases {
      let commit = try fixture.git(
        "commit-tree", try fixture.rawTree([readme, safe, entry]), "-p", "HEAD", "-m", "octo-git checkpoint: crafted")
      // Named as octo-git names its refs, so that ids and prefixes find it.
      let millis = Int64(Date().timeIntervalSince1970 * 1000)
      try fixture.git(
        "update-ref",
        "refs/octo/checkpoints/main/" + String(format: "%013lld", millis) + "-" + String(commit.prefix(12)), commit)
      let refs = try fixture.git("for-each-ref", "refs/octo/checkpoints/")

      let result = try OctoGitBinary.run(["restore", String(commit.prefix(12))], in: fixture.path, home: fixture.home)
      #expect(result.status == ExitStatus.badInput.rawValue, "\(path): \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
      #expect(result.stderr.contains(String(commit.prefix(12))) && result.stderr.contains(path), "\(result.stderr)")
      // Refused before the undo checkpoint, and before any file.
      #expect(try fixture.git("for-each-ref", "refs/octo/checkpoints/") == refs)
      #expect(!FileManager.default.fileExists(atPath: fixture.path + "/ok.txt"))
      #expect(!FileManager.default.fileExists(atPath: fixture.root + "/escaped.txt"))
      #expect(try FileManager.default.contentsOfDirectory(atPath: hooks).sorted() == hooksBefore)
      #expect(try fixture.gitFileBytes("config") == configBefore)
      #expect(!FileManager.default.fileExists(atPath: fixture.path + "/sub"))
      #expect(!FileManager.default.fileExists(atPath: fixture.path + "/x"))
      #expect(try fixture.gitRaw("status", "--porcelain=v2", "--untracked-files=all") == statusBefore)
      last = commit
    }
    // Only the paths a restore would write count: the safe file alone can be restored.
    try fixture.octo("restore", String(last.prefix(12)), "ok.txt")
    #expect(try String(contentsOfFile: fixture.path + "/ok.txt", encoding: .utf8) == "#!/bin/sh\necho owned\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: hooks).sorted() == hooksBefore)
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/x"))
  }

  @Test(
    """
    restoring d/sub/target where d/sub is now a symlink out of \
    the work tree replaces the symlink, writes nothing outside
    """
  )
  func symlinkedParent() throws {
    let fixture = try TestRepository()
    try fixture.write("d/sub/target", "good\n")
    try fixture.write("d/other.txt", "other\n")
    try fixture.commitAll("base")
    let id = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    let outside = fixture.root + "/outside"
    try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    try Data("outside, untouched\n".utf8).write(to: URL(fileURLWithPath: outside + "/elsewhere.txt"))
    try FileManager.default.removeItem(atPath: fixture.path + "/d/sub")
    try FileManager.default.createSymbolicLink(atPath: fixture.path + "/d/sub", withDestinationPath: outside)

    let result = try OctoGitBinary.run(["restore", id, "d/sub/target", "--json"], in: fixture.path, home: fixture.home)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["elsewhere.txt"])
    #expect(try String(contentsOfFile: outside + "/elsewhere.txt", encoding: .utf8) == "outside, untouched\n")
    let type = try FileManager.default.attributesOfItem(atPath: fixture.path + "/d/sub")[.type] as? FileAttributeType
    #expect(type == .typeDirectory)
    #expect(try String(contentsOfFile: fixture.path + "/d/sub/target", encoding: .utf8) == "good\n")
    #expect(try String(contentsOfFile: fixture.path + "/d/other.txt", encoding: .utf8) == "other\n")
    #expect(try fixture.git("status", "--porcelain") == "")
    // The undo checkpoint holds the symlink, so the restore can be undone.
    let undo = try #require(try CanonicalJSON.parse(result.stdout)["undo"]?.stringValue)
    #expect(try fixture.git("ls-tree", undo, "d/sub").hasPrefix("120000"))
  }

  @Test(
    "a file ignored now is not overwritten and is reported; --include-ignored restores it, the undo keeps the old one")
  func ignoredNow() throws {
    let fixture = try TestRepository()
    try fixture.write(".gitignore", "*.log\n")
    try fixture.write("a.txt", "a\n")
    try fixture.commitAll("base")
    try fixture.write("secret.env", "v1\n")
    let id = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try fixture.git("show", "\(id):secret.env") == "v1")
    // After the checkpoint, the file becomes ignored and changes.
    try fixture.write(".gitignore", "*.log\n*.env\n")
    try fixture.write("secret.env", "v2\n")
    try fixture.write("a.txt", "changed\n")

    // Named on its own: skipped, listed in the JSON and on stderr.
    let named = try OctoGitBinary.run(["restore", id, "secret.env", "--json"], in: fixture.path, home: fixture.home)
    #expect(named.status == 0, "\(named.stderr)")
    let json = try CanonicalJSON.parse(named.stdout)
    #expect(json["written"]?.arrayValue?.isEmpty == true)
    #expect(json["skipped"]?.arrayValue?.count == 1)
    #expect(json["skipped"]?.arrayValue?.first?["path"]?.stringValue == "secret.env")
    #expect(named.stderr.split(separator: "\n").contains { $0.contains("secret.env") && $0.contains("ignored") })
    #expect(try String(contentsOfFile: fixture.path + "/secret.env", encoding: .utf8) == "v2\n")

    // The whole checkpoint: everything else comes back, one line names the skipped file.
    let whole = try OctoGitBinary.run(["restore", id], in: fixture.path, home: fixture.home)
    #expect(whole.status == 0, "\(whole.stderr)")
    #expect(whole.stderr.split(separator: "\n").filter { $0.contains("secret.env") }.count == 1, "\(whole.stderr)")
    #expect(try String(contentsOfFile: fixture.path + "/secret.env", encoding: .utf8) == "v2\n")
    #expect(try String(contentsOfFile: fixture.path + "/a.txt", encoding: .utf8) == "a\n")
    #expect(try String(contentsOfFile: fixture.path + "/.gitignore", encoding: .utf8) == "*.log\n")

    // Ignored again; with --include-ignored it is restored, and ignored files the checkpoint lacks stay.
    try fixture.write(".gitignore", "*.log\n*.env\n")
    try fixture.write("build.log", "not in the checkpoint\n")
    let forced = try OctoGitBinary.run(
      ["restore", id, "--include-ignored", "--json"], in: fixture.path, home: fixture.home)
    #expect(forced.status == 0, "\(forced.stderr)")
    #expect(try String(contentsOfFile: fixture.path + "/secret.env", encoding: .utf8) == "v1\n")
    #expect(try String(contentsOfFile: fixture.path + "/build.log", encoding: .utf8) == "not in the checkpoint\n")
    let result = try CanonicalJSON.parse(forced.stdout)
    #expect(result["skipped"]?.arrayValue?.isEmpty == true)
    let undo = try #require(result["undo"]?.stringValue)
    #expect(try fixture.git("show", "\(undo):secret.env") == "v2")
    #expect(try fixture.git("show", "\(undo):build.log") == "not in the checkpoint")

    // The undo command printed takes --include-ignored too: run as printed, it brings the ignored file back.
    try fixture.write("secret.env", "v3\n")
    let text = try OctoGitBinary.run(["restore", id, "--include-ignored"], in: fixture.path, home: fixture.home)
    #expect(try String(contentsOfFile: fixture.path + "/secret.env", encoding: .utf8) == "v1\n")
    let hint = try #require(text.stderr.split(separator: "\n").first { $0.hasPrefix("undo with: octo-git restore ") })
    let arguments = hint.dropFirst("undo with: octo-git ".count).split(separator: " ").map(String.init)
    #expect(arguments.last == "--include-ignored", "\(hint)")
    let undone = try OctoGitBinary.run(arguments, in: fixture.path, home: fixture.home)
    #expect(undone.status == 0, "\(undone.stderr)")
    #expect(try String(contentsOfFile: fixture.path + "/secret.env", encoding: .utf8) == "v3\n")
  }

  @Test("restore --index keeps skip-worktree paths marked, and refuses an index with conflicts before writing")
  func indexStates() throws {
    let fixture = try TestRepository()
    try fixture.write("in.txt", "in\n")
    try fixture.write("out.txt", "out\n")
    try fixture.commitAll("base")
    try fixture.git("update-index", "--skip-worktree", "out.txt")
    try FileManager.default.removeItem(atPath: fixture.path + "/out.txt")
    let id = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    try fixture.write("in.txt", "staged\n")
    try fixture.git("add", "in.txt")
    let restored = try OctoGitBinary.run(["restore", id, "--index"], in: fixture.path, home: fixture.home)
    #expect(restored.status == 0, "\(restored.stderr)")
    #expect(try fixture.git("ls-files", "-v", "out.txt") == "S out.txt")
    #expect(try fixture.git("status", "--porcelain").isEmpty)

    // A merge stopped on a conflict: its stages are in no checkpoint, so nothing is touched.
    try fixture.git("update-index", "--no-skip-worktree", "out.txt")
    try fixture.git("checkout", "-q", "--", "out.txt")
    try fixture.git("checkout", "-q", "-b", "other")
    try fixture.write("in.txt", "theirs\n")
    try fixture.commitAll("theirs")
    try fixture.git("checkout", "-q", "-")
    try fixture.write("in.txt", "ours\n")
    try fixture.commitAll("ours")
    _ = try? fixture.git("merge", "-q", "other")
    let conflicted = try fixture.gitRaw("status", "--porcelain")
    let before = try String(contentsOfFile: fixture.path + "/in.txt", encoding: .utf8)
    let refused = try OctoGitBinary.run(["restore", id, "--index"], in: fixture.path, home: fixture.home)
    #expect(refused.status == ExitStatus.badInput.rawValue && refused.stderr.contains("unresolved conflicts"))
    #expect(try String(contentsOfFile: fixture.path + "/in.txt", encoding: .utf8) == before)
    #expect(try fixture.gitRaw("status", "--porcelain") == conflicted)
  }

  @Test("what the undo checkpoint leaves out is never written over: a file too big, a big file in a folder in the way")
  func leftOutIsKept() throws {
    let fixture = try TestRepository()
    try fixture.git("config", "octo.checkpoint.maxFileSize", "1k")
    try fixture.write("notes.txt", "small\n")
    try fixture.write("out", "a file\n")
    try fixture.write("back\\slash", "a name with a backslash\n")
    let id = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    // The file grows past the limit; a folder holding a big file takes the place of `out`.
    let big = String(repeating: "x", count: 5000)
    try fixture.write("notes.txt", big)
    try FileManager.default.removeItem(atPath: fixture.path + "/out")
    try fixture.write("out/data.bin", big)
    try FileManager.default.removeItem(atPath: fixture.path + "/back\\slash")
    let result = try OctoGitBinary.run(["restore", id, "--json"], in: fixture.path, home: fixture.home)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try String(contentsOfFile: fixture.path + "/notes.txt", encoding: .utf8) == big)
    #expect(try String(contentsOfFile: fixture.path + "/out/data.bin", encoding: .utf8) == big)
    let skipped = try CanonicalJSON.parse(result.stdout)["skipped"]?.arrayValue ?? []
    #expect(Set(skipped.compactMap { $0["path"]?.stringValue }) == ["notes.txt", "out"], "\(skipped)")
    // The name with a backslash, which the checkpoint holds, comes back (git checks it out here too).
    #expect(try String(contentsOfFile: fixture.path + "/back\\slash", encoding: .utf8) == "a name with a backslash\n")
  }

  @Test("a checkpoint whose content was pruned is refused whole: nothing is written, nothing is deleted")
  func prunedContent() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "a1\n")
    try fixture.write("b.txt", "only in the checkpoint\n")
    let id = try fixture.octo("checkpoint").trimmingCharacters(in: .whitespacesAndNewlines)
    let blob = try fixture.git("rev-parse", "\(id):b.txt")
    try fixture.write("a.txt", "a2\n")
    try FileManager.default.removeItem(atPath: fixture.path + "/b.txt")
    // The loose object goes, as git gc --prune would take it once nothing refers to it.
    try FileManager.default.removeItem(
      atPath: fixture.path + "/.git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
    let result = try OctoGitBinary.run(["restore", id], in: fixture.path, home: fixture.home)
    #expect(result.status != 0)
    #expect(result.stderr.contains("b.txt") && result.stderr.contains("nothing was restored"), "\(result.stderr)")
    #expect(try String(contentsOfFile: fixture.path + "/a.txt", encoding: .utf8) == "a2\n")
  }

  @Test("a damaged checkpoint notes ref: checkpoints are still taken (with a warning), listed and restored")
  func damagedNotesRef() throws {
    let fixture = try TestRepository()
    try fixture.git("update-ref", "refs/notes/octo/checkpoints", try fixture.git("rev-parse", "HEAD^{tree}"))
    try fixture.write("a.txt", "a1\n")
    let taken = try OctoGitBinary.run(["checkpoint", "-m", "first"], in: fixture.path, home: fixture.home)
    #expect(taken.status == 0, "\(taken.stderr)")
    #expect(taken.stderr.contains("note could not be written"), "\(taken.stderr)")
    let id = taken.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try fixture.octo("checkpoints", "list").contains("first"))
    try fixture.write("a.txt", "a2\n")
    try fixture.octo("restore", "latest")
    #expect(try String(contentsOfFile: fixture.path + "/a.txt", encoding: .utf8) == "a1\n", "\(id)")
  }
}
