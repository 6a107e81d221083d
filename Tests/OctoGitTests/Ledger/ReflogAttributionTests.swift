import Foundation
import Testing

@testable import OctoGit

/// `usage import` charges a request only to a commit made in its work tree at or after it: one the
/// branch's reflog says was made here (a commit, a true merge, a rebase…), or without a reflog one by the
/// configured `user.email`. History that came with the clone, or by a fast-forward to someone else's work,
/// is never charged; the request waits, pending, for the next commit made here.
@Suite("Charging imported requests to commits made here (reflog)")
struct ReflogAttributionTests {
  /// A maintainer's repository (`upstream`, committer test@example.com) and a clone of it by another user
  /// (me@example.com), with a Claude Code transcripts folder beside them.
  final class Setup {
    let upstream: TestRepository
    let clone: String
    let transcripts: String

    init() throws {
      upstream = try TestRepository(name: "upstream")
      clone = upstream.root + "/clone"
      try upstream.git("clone", "-q", upstream.path, clone, in: upstream.root)
      try upstream.git("config", "user.name", "Me", in: clone)
      try upstream.git("config", "user.email", "me@example.com", in: clone)
      let folder = upstream.root + "/claude/projects/-clone"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      transcripts = folder + "/s1.jsonl"
      _ = FileManager.default.createFile(atPath: transcripts, contents: nil)
    }

    /// Appends one Claude Code request made in the clone on `main`.
    func request(_ id: String, at: String, out: Int) throws {
      let line =
        #"""
        {"type":"assistant","timestamp":"\#(at)","cwd":"\#(clone)","gitBranch":"main","sessionId":"s1",\#
        "message":{"id":"\#(id)","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,\#
        "output_tokens":\#(out),"cache_read_input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":0,\#
        "ephemeral_1h_input_tokens":0}}}}
        """#
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: transcripts))
      try handle.seekToEnd()
      handle.write(Data((line + "\n").utf8))
      try handle.close()
    }

    /// Commits (empty) in `directory` at `date` (author and committer time) and returns the commit.
    @discardableResult
    func commit(_ message: String, at date: String, in directory: String) throws -> String {
      try upstream.git(
        "commit", "-q", "--allow-empty", "-m", message, in: directory,
        environment: ["GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date])
      return try upstream.git("rev-parse", "HEAD", in: directory)
    }

    /// Runs `usage import claude-code` in the clone and returns its JSON summary.
    func importRequests() throws -> JSONValue {
      try CanonicalJSON.parse(
        try upstream.octo(["usage", "import", "claude-code", "--dir", upstream.root + "/claude", "--json"], in: clone))
    }

    /// The event ids of `commit`'s usage note in the clone, as git reads them; empty without a note.
    func ids(on commit: String) throws -> Set<String> {
      guard let note = try? upstream.git("notes", "--ref=octo/usage", "show", commit, in: clone) else { return [] }
      return Set(try note.split(separator: "\n").map { try UsageEvent(line: String($0)).id })
    }

    /// The clone's reflog subject of `main`'s latest move.
    func lastMove() throws -> String {
      try upstream.git("reflog", "-1", "--format=%gs", "refs/heads/main", in: clone)
    }

    /// octo-git's post-commit stub in the clone (the usual way pending usage reaches a commit).
    func installPostCommitHook() throws {
      let hooks = try upstream.git("rev-parse", "--path-format=absolute", "--git-path", "hooks", in: clone)
      try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
      let stub = DefaultFiles.content(of: "hooks/post-commit")!.replacingOccurrences(
        of: "@OCTO_GIT_BIN@", with: OctoGitBinary.path)
      try Data(stub.utf8).write(to: URL(fileURLWithPath: hooks + "/post-commit"))
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hooks + "/post-commit")
    }
  }

  @Test(
    "a fast-forward to another committer's commit is not made here: the request waits for the next commit made here")
  func fastForwardIsNotMadeHere() throws {
    let setup = try Setup()
    try setup.installPostCommitHook()
    try setup.request("r1", at: "2027-03-01T10:00:00.500Z", out: 40)
    // The maintainer commits after the request; the clone takes it by git fetch + git merge --ff-only.
    let foreign = try setup.commit("upstream work", at: "2027-03-01T11:00:00Z", in: setup.upstream.path)
    try setup.upstream.git("fetch", "-q", "origin", in: setup.clone)
    try setup.upstream.git("merge", "-q", "--ff-only", "origin/main", in: setup.clone)
    #expect(try setup.upstream.git("rev-parse", "HEAD", in: setup.clone) == foreign)
    #expect(try setup.lastMove() == "merge origin/main: Fast-forward")

    let first = try setup.importRequests()
    #expect(first["requests"]?.intValue == 1)
    #expect(first["attributed"]?.intValue == 0 && first["pending"]?.intValue == 1)
    #expect(try setup.upstream.git("notes", "--ref=octo/usage", "list", in: setup.clone).isEmpty)
    #expect(try setup.upstream.octo(["usage", "pending", "--json"], in: setup.clone).contains("cc:r1"))

    // The next commit made here takes it (through the post-commit hook, as usage record's events).
    let local = try setup.commit("my work", at: "2027-03-01T12:00:00Z", in: setup.clone)
    #expect(try setup.ids(on: local) == ["cc:r1"])
    #expect(try setup.ids(on: foreign).isEmpty)
    #expect(try setup.upstream.octo(["usage", "pending"], in: setup.clone) == "nothing pending\n")

    // git pull (a fast-forward again) brings the maintainer's next commit after another request; the
    // request goes to the commit made here after it, not to the pulled one. A request in the very second
    // of a commit counts as before it (commit times have whole seconds).
    try setup.upstream.git("pull", "-q", "--ff-only", setup.clone, "main")  // the maintainer takes my work
    try setup.request("r2", at: "2027-03-01T13:00:00.250Z", out: 7)
    let pulled = try setup.commit("more upstream work", at: "2027-03-01T14:00:00Z", in: setup.upstream.path)
    try setup.upstream.git("pull", "-q", "--ff-only", in: setup.clone)
    #expect(try setup.upstream.git("rev-parse", "HEAD", in: setup.clone) == pulled)
    let move = try setup.lastMove()
    #expect(move.hasPrefix("pull") && move.hasSuffix("Fast-forward"), "\(move)")
    let mine = try setup.commit("more of my work", at: "2027-03-01T15:00:00Z", in: setup.clone)
    try setup.request("r3", at: "2027-03-01T15:00:00.900Z", out: 5)
    let second = try setup.importRequests()
    #expect(second["requests"]?.intValue == 2)
    #expect(second["attributed"]?.intValue == 2 && second["pending"]?.intValue == 0)
    #expect(try setup.ids(on: mine) == ["cc:r2", "cc:r3"])
    #expect(try setup.ids(on: pulled).isEmpty)
  }

  @Test("without a reflog, the commits whose committer is the configured user.email are the ones made here")
  func withoutReflog() throws {
    let setup = try Setup()
    try setup.upstream.git("config", "core.logAllRefUpdates", "false", in: setup.clone)
    try FileManager.default.removeItem(atPath: setup.clone + "/.git/logs")
    try setup.request("r1", at: "2027-03-01T10:00:00Z", out: 40)
    let foreign = try setup.commit("upstream work", at: "2027-03-01T11:00:00Z", in: setup.upstream.path)
    try setup.upstream.git("fetch", "-q", "origin", in: setup.clone)
    try setup.upstream.git("merge", "-q", "--ff-only", "origin/main", in: setup.clone)
    let local = try setup.commit("my work", at: "2027-03-01T12:00:00Z", in: setup.clone)
    // A later request that only a maintainer's commit follows stays pending.
    try setup.request("r2", at: "2027-03-01T12:30:00Z", out: 3)
    try setup.upstream.git("pull", "-q", "--ff-only", setup.clone, "main")
    let later = try setup.commit("upstream again", at: "2027-03-01T13:00:00Z", in: setup.upstream.path)
    try setup.upstream.git("pull", "-q", "--ff-only", in: setup.clone)
    #expect(try setup.upstream.git("rev-parse", "HEAD", in: setup.clone) == later)
    #expect(!FileManager.default.fileExists(atPath: setup.clone + "/.git/logs/refs/heads/main"))

    let summary = try setup.importRequests()
    #expect(summary["attributed"]?.intValue == 1 && summary["pending"]?.intValue == 1)
    #expect(try setup.ids(on: local) == ["cc:r1"])
    #expect(try setup.ids(on: foreign).isEmpty && setup.ids(on: later).isEmpty)
    #expect(try setup.upstream.octo(["usage", "pending", "--json"], in: setup.clone).contains("cc:r2"))
  }

  @Test("reflog messages: what git writes for commits made here, and for moves to commits made elsewhere")
  func messages() throws {
    for made in [
      "commit: fix the parser", "commit (initial): start", "commit (amend): fix the parser",
      "commit (merge): Merge branch 't3'",
      "commit (cherry-pick): port the fix", "cherry-pick: port the fix", "revert: Revert \"a\"", "am: a patch",
      "merge topic: Merge made by the 'ort' strategy.", "pull -q --no-rebase: Merge made by the 'ort' strategy.",
      "rebase (pick): a", "rebase -i (squash): b", "octo-git feature pass: feat(x): y",
    ] {
      #expect(LocalCommits.kind(of: made) == .made, "\(made)")
    }
    for moved in [
      "clone: from /src/up", "branch: Created from HEAD~2", "reset: moving to HEAD~2",
      "merge origin/main: Fast-forward",
      "pull: Fast-forward", "pull -q --ff-only: Fast-forward", "rebase (start): checkout main", "fetch: fast-forward",
      "update by push", "", "octo-git feature start: from main",
    ] {
      #expect(LocalCommits.kind(of: moved) == .moved, "\(moved)")
    }
    let onto = String(repeating: "ab", count: 20)
    #expect(
      LocalCommits.kind(of: "pull -q --rebase (finish): refs/heads/main onto \(onto)")
        == .replayed(onto: Oid(hex: onto)!))
    #expect(LocalCommits.kind(of: "rebase (finish): refs/heads/topic onto \(onto)") == .replayed(onto: Oid(hex: onto)!))
  }

  @Test("a rebase makes its replayed commits here; a rebase that only fast-forwards makes none")
  func rebase() throws {
    let setup = try Setup()
    try setup.request("r1", at: "2027-03-01T10:00:00Z", out: 4)
    let local = try setup.commit("my work", at: "2027-03-01T10:30:00Z", in: setup.clone)
    _ = try setup.commit("upstream work", at: "2027-03-01T11:00:00Z", in: setup.upstream.path)
    try setup.upstream.git(
      "pull", "-q", "--rebase", in: setup.clone,
      environment: [
        "GIT_COMMITTER_DATE": "2027-03-01T12:00:00Z"
      ])
    let rebased = try setup.upstream.git("rev-parse", "HEAD", in: setup.clone)
    #expect(rebased != local)
    #expect(try setup.lastMove().contains("(finish)"))
    let summary = try setup.importRequests()
    #expect(summary["attributed"]?.intValue == 1)
    #expect(try setup.ids(on: rebased) == ["cc:r1"])
  }
}
