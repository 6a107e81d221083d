import Foundation
import Testing

@testable import OctoGit

@Suite("Feature slugs and commit messages")
struct FeatureNamingTests {
  @Test("slugs: lowercase ASCII and single dashes, accents folded, at most 48 characters cut at a word")
  func slugs() throws {
    #expect(FeatureSlug.make(from: "Add CSV export (invoices) — v2") == "add-csv-export-invoices-v2")
    #expect(FeatureSlug.make(from: "Résumé générateur für Übersicht") == "resume-generateur-fur-ubersicht")
    #expect(FeatureSlug.make(from: "Don't   panic!\nsecond line") == "dont-panic")
    #expect(FeatureSlug.make(from: "!!! ???") == "feature")
    let long = FeatureSlug.make(from: "make the importer read every transcript folder in parallel and twice as fast")
    #expect(long.count <= 48 && !long.hasSuffix("-") && long.hasPrefix("make-the-importer-read-every"))
    #expect(Repository.isValidBranchName("feature/" + long))
    #expect(try FeatureSlug.validate("ok-slug-2") == "ok-slug-2")
    #expect(throws: OctoError.self) { try FeatureSlug.validate("Bad Slug") }
    #expect(throws: OctoError.self) { try FeatureSlug.validate("a--b") }
  }

  @Test("subjects: type from the words, scope from the changed folder, at most 72 characters")
  func subjects() {
    #expect(
      CommitMessage.subject(description: "Add CSV export for invoices.", scope: "billing")
        == "feat(billing): add CSV export for invoices")
    #expect(
      CommitMessage.subject(description: "Fix crash when the cache is empty", scope: nil)
        == "fix: crash when the cache is empty")
    #expect(
      CommitMessage.subject(description: "Document the rollup JSON schema", scope: nil)
        == "docs: document the rollup JSON schema")
    #expect(CommitMessage.subject(description: "Make the importer faster", scope: nil).hasPrefix("perf: "))
    #expect(CommitMessage.subject(description: "Refactor the ledger store", scope: nil).hasPrefix("refactor: "))
    #expect(CommitMessage.subject(description: "Add tests for the slug rules", scope: nil).hasPrefix("test: "))
    #expect(
      CommitMessage.subject(description: "feat(api)!: drop the v1 endpoints", scope: "x")
        == "feat(api)!: drop the v1 endpoints")
    #expect(
      CommitMessage.subject(description: "API keys are read from the environment", scope: nil)
        == "feat: API keys are read from the environment")
    let long = CommitMessage.subject(
      description: "Add an export of every invoice of every client as CSV, JSON and Markdown, with totals per cycle",
      scope: "billing")
    #expect(long.count <= 72 && long.hasPrefix("feat(billing): add an export") && !long.hasSuffix(" "))
    #expect(CommitMessage.scope(of: ["Sources/Billing/Export.swift", "Sources/Billing/CSV/Writer.swift"]) == "billing")
    #expect(CommitMessage.scope(of: ["README.md", "Sources/Billing/Export.swift"]) == nil)
    #expect(CommitMessage.scope(of: ["src/a.ts", "lib/b.ts"]) == nil)
  }
}

@Suite("Feature branches and passing runs")
struct FeatureWorkflowTests {
  @Test(
    "start: slug, -2 on collision, base from octo.baseBranch or origin/HEAD, description kept, a blocking branch named")
  func start() throws {
    let fixture = try TestRepository()
    try fixture.git("branch", "develop")
    try fixture.git("config", "octo.baseBranch", "develop")
    let started = try CanonicalJSON.parse(
      try fixture.octo("feature", "start", "Add CSV export", "--id", "T-7", "--json"))
    #expect(started["branch"]?.stringValue == "feature/add-csv-export" && started["base"]?.stringValue == "develop")
    #expect(try fixture.git("symbolic-ref", "--short", "HEAD") == "feature/add-csv-export")
    #expect(try fixture.git("config", "branch.feature/add-csv-export.description") == "Add CSV export")
    #expect(try fixture.git("config", "branch.feature/add-csv-export.octoFeatureId") == "T-7")
    try fixture.git("switch", "-q", "main")
    let again = try CanonicalJSON.parse(try fixture.octo("feature", "start", "Add CSV export!", "--json"))
    #expect(again["branch"]?.stringValue == "feature/add-csv-export-2")

    // Without octo.baseBranch, the remote's default branch.
    try fixture.git("config", "--unset", "octo.baseBranch")
    try fixture.git("update-ref", "refs/remotes/origin/trunk", "HEAD")
    try fixture.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    let fromRemote = try CanonicalJSON.parse(try fixture.octo("feature", "start", "Use the remote default", "--json"))
    #expect(fromRemote["base"]?.stringValue == "trunk")

    try fixture.git("config", "octo.featurePrefix", "topic/")
    try fixture.git("branch", "topic")
    let blocked = try OctoGitBinary.run(["feature", "start", "Blocked one"], in: fixture.path, home: fixture.home)
    #expect(blocked.status == 1 && blocked.stderr.contains("a branch named 'topic' blocks feature branches"))
  }

  @Test("start carries local changes along, and refuses (changing nothing) when the switch would overwrite them")
  func startWithLocalChanges() throws {
    let fixture = try TestRepository()
    try fixture.write("shared.txt", "one\n")
    try fixture.commitAll("shared")
    try fixture.git("branch", "old-base", "HEAD~1")
    try fixture.write("notes.txt", "work in progress\n")
    _ = try fixture.octo("feature", "start", "Carry my notes", "--base", "old-base")
    #expect(try String(contentsOfFile: fixture.path + "/notes.txt", encoding: .utf8) == "work in progress\n")
    #expect(!FileManager.default.fileExists(atPath: fixture.path + "/shared.txt"))
    #expect(try fixture.octo("checkpoints", "list", "--json").contains("before feature start carry-my-notes"))

    try fixture.git("switch", "-q", "main")
    try fixture.write("shared.txt", "edited locally\n")
    let refused = try OctoGitBinary.run(
      ["feature", "start", "Would clobber", "--base", "old-base"], in: fixture.path, home: fixture.home)
    #expect(refused.status == 1 && refused.stderr.contains("would overwrite local changes to shared.txt"))
    #expect(try fixture.git("symbolic-ref", "--short", "HEAD") == "main")
    #expect(try fixture.git("branch", "--list", "feature/would-clobber").isEmpty)
    #expect(try String(contentsOfFile: fixture.path + "/shared.txt", encoding: .utf8) == "edited locally\n")
  }

  @Test("pass: commits everything when the tests pass, with hooks, trailers, usage and the feature record")
  func passCommits() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try fixture.octo("feature", "start", "Add invoice export")
    try fixture.write("Sources/Billing/Export.swift", "// export\n")
    try fixture.write("Sources/Billing/CSV.swift", "// csv\n")
    try fixture.octo(
      "usage", "record", "--model", "claude-sonnet-4-5", "--in", "10", "--out", "20", "--agent", "claude-code")
    let hooks = try fixture.git("rev-parse", "--path-format=absolute", "--git-path", "hooks")
    try Data("#!/bin/sh\necho pre-commit ran >> \"$(git rev-parse --git-dir)/hook.log\"\n".utf8)
      .write(to: URL(fileURLWithPath: hooks + "/pre-commit"))
    try Data("#!/bin/sh\nprintf 'Reviewed-by: Hook <hook@example.com>\\n' >> \"$1\"\n".utf8)
      .write(to: URL(fileURLWithPath: hooks + "/commit-msg"))
    for hook in ["pre-commit", "commit-msg"] {
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hooks + "/" + hook)
    }
    // The test command sees no GIT_* variable, whatever octo-git was started with.
    let result = try OctoGitBinary.run(
      ["feature", "pass", "--test", "env | grep '^GIT_' && exit 9; echo tests ok", "--json"], in: fixture.path,
      home: fixture.home, environment: ["GIT_INDEX_FILE": "/nonexistent/index"])
    #expect(result.status == 0, "\(result.stderr)")
    let outcome = try CanonicalJSON.parse(result.stdout)
    #expect(outcome["result"]?.stringValue == "committed")
    #expect(outcome["subject"]?.stringValue == "feat(billing): add invoice export")
    #expect(result.stderr.contains("tests ok"))
    #expect(try fixture.git("status", "--porcelain").isEmpty)
    let trailers = try fixture.git("log", "-1", "--format=%(trailers:only,unfold)")
    #expect(trailers.contains("Octo-Feature: add-invoice-export"))
    #expect(trailers.contains("Co-authored-by: Claude <noreply@anthropic.com>"))
    #expect(trailers.contains("Reviewed-by: Hook <hook@example.com>"))
    #expect(try fixture.git("log", "-1", "--format=%b").contains("passed in"))
    #expect(try String(contentsOfFile: fixture.path + "/.git/hook.log", encoding: .utf8) == "pre-commit ran\n")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").contains("claude-sonnet-4-5"))
    // Usage recorded on the feature's branch names the feature: usage --by feature groups it as feature list.
    let byFeature = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "feature", "--json"))
    #expect(byFeature["rows"]?.arrayValue?.first?["key"]?.stringValue == "add-invoice-export", "\(byFeature)")
    let record = try CanonicalJSON.parse(try fixture.git("notes", "--ref=octo/features", "show", "HEAD"))
    #expect(record["feature"]?.stringValue == "add-invoice-export" && record["result"]?.stringValue == "passed")
    #expect(record["test"]?.stringValue?.contains("echo tests ok") == true)

    // A failing pre-commit hook: nothing committed.
    try Data("#!/bin/sh\necho 'lint: no' >&2\nexit 1\n".utf8).write(to: URL(fileURLWithPath: hooks + "/pre-commit"))
    try fixture.write("more.txt", "more\n")
    let head = try fixture.git("rev-parse", "HEAD")
    let refused = try OctoGitBinary.run(["feature", "pass", "--test", "true"], in: fixture.path, home: fixture.home)
    #expect(refused.status == 1 && refused.stderr.contains("the pre-commit hook failed"))
    #expect(try fixture.git("rev-parse", "HEAD") == head)
    // --no-verify skips it; -m gives the subject.
    try fixture.octo("feature", "pass", "--test", "true", "--no-verify", "-m", "chore: add more")
    #expect(try fixture.git("log", "-1", "--format=%s") == "chore: add more")

    let listed = try CanonicalJSON.parse(try fixture.octo("feature", "list", "--json")).arrayValue?.first
    #expect(listed?["commits"]?.intValue == 2 && listed?["passes"]?.intValue == 2)
    #expect(listed?["cost"]?["events"]?.intValue == 1 && listed?["merged"]?.boolValue == false)
    try fixture.git("switch", "-q", "main")
    try fixture.git("merge", "-q", "--ff-only", "feature/add-invoice-export")
    let merged = try CanonicalJSON.parse(try fixture.octo("feature", "list", "--json")).arrayValue?.first
    #expect(merged?["merged"]?.boolValue == true)
  }

  @Test("pass: failing tests commit nothing, take a checkpoint and exit 1; --id and --description need no branch")
  func passFails() throws {
    let fixture = try TestRepository()
    try fixture.write("work.txt", "half done\n")
    let head = try fixture.git("rev-parse", "HEAD")
    let failed = try OctoGitBinary.run(
      ["feature", "pass", "--test", "echo boom; exit 3", "--id", "H-1", "--description", "Fix the parser", "--json"],
      in: fixture.path, home: fixture.home)
    #expect(failed.status == 1 && failed.stderr.contains("tests failed (exit 3)"))
    let outcome = try CanonicalJSON.parse(failed.stdout)
    #expect(outcome["result"]?.stringValue == "failed" && outcome["exit"]?.intValue == 3)
    let checkpoint = try #require(outcome["checkpoint"]?.stringValue)
    #expect(try fixture.git("rev-parse", "HEAD") == head)
    #expect(try fixture.git("show", "\(checkpoint):work.txt") == "half done")
    #expect(try fixture.git("status", "--porcelain") == "?? work.txt")

    try fixture.octo("feature", "pass", "--test", "true", "--id", "H-1", "--description", "Fix the parser")
    #expect(try fixture.git("log", "-1", "--format=%s") == "fix: the parser")
    #expect(try fixture.git("log", "-1", "--format=%(trailers:key=Octo-Feature-Id,valueonly)") == "H-1")
    let notOnFeature = try OctoGitBinary.run(
      ["feature", "pass", "--test", "true"], in: fixture.path, home: fixture.home)
    #expect(notOnFeature.status == ExitStatus.usage.rawValue && notOnFeature.stderr.contains("not on a feature branch"))
  }

  @Test("pass: tests that delete files, switch branch or are blank commit nothing and lose nothing")
  func passGuards() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "tracked\n")
    try fixture.commitAll("base")
    try fixture.octo("feature", "start", "Add b")
    let head = try fixture.git("rev-parse", "HEAD")
    try fixture.write("w.txt", "precious\n")

    // A passing test that deletes files: nothing committed, the work comes back from the checkpoint named.
    let deleting = try OctoGitBinary.run(
      ["feature", "pass", "--test", "rm -f w.txt a.txt"], in: fixture.path, home: fixture.home)
    #expect(deleting.status != 0 && deleting.stderr.contains("changed 2 file(s)"), "\(deleting.stderr)")
    #expect(try fixture.git("rev-parse", "HEAD") == head)
    let named = try #require(deleting.stderr.components(separatedBy: "octo-git restore ").dropFirst().first?.prefix(12))
    try fixture.octo("restore", String(named))
    #expect(try String(contentsOfFile: fixture.path + "/w.txt", encoding: .utf8) == "precious\n")
    #expect(try String(contentsOfFile: fixture.path + "/a.txt", encoding: .utf8) == "tracked\n")

    // A failing test that deletes files: its checkpoint holds the work as it was before.
    let failing = try CanonicalJSON.parse(
      try OctoGitBinary.run(
        ["feature", "pass", "--test", "rm -f w.txt; exit 1", "--json"], in: fixture.path, home: fixture.home
      ).stdout)
    let checkpoint = try #require(failing["checkpoint"]?.stringValue)
    #expect(try fixture.git("show", "\(checkpoint):w.txt") == "precious")
    try fixture.octo("restore", checkpoint)

    // A test that switches branch: refused, the index left alone.
    try fixture.git("add", "w.txt")
    let switching = try OctoGitBinary.run(
      ["feature", "pass", "--test", "git checkout -q main", "--json"], in: fixture.path, home: fixture.home)
    #expect(switching.status != 0 && switching.status != 5 && switching.stderr.contains("moved HEAD"))
    let refusal = try CanonicalJSON.parse(switching.stdout)
    #expect(refusal["result"]?.stringValue == "refused" && refusal["checkpoint"]?.stringValue?.count == 40)
    #expect(try fixture.git("rev-parse", "feature/add-b") == head)
    #expect(try fixture.git("status", "--porcelain") == "A  w.txt")

    try fixture.git("checkout", "-q", "feature/add-b")
    let blank = try OctoGitBinary.run(["feature", "pass", "--test", "   "], in: fixture.path, home: fixture.home)
    #expect(blank.status == ExitStatus.usage.rawValue && blank.stderr.contains("no test command"))

    // A repository nested in the work tree (no submodule) is left out; the rest is committed.
    try fixture.write("vendor/lib/lib.c", "int x;\n")
    try fixture.git("init", "-q", fixture.path + "/vendor/lib")
    let nested = try OctoGitBinary.run(["feature", "pass", "--test", "true"], in: fixture.path, home: fixture.home)
    #expect(nested.status == 0, "\(nested.stderr)")
    #expect(try fixture.git("show", "--name-only", "--format=", "HEAD") == "w.txt")

    // A file larger than octo.checkpoint.maxFileSize (no checkpoint holds it) changed by the tests: refused.
    try fixture.git("config", "octo.checkpoint.maxFileSize", "1000")
    try fixture.write("big.bin", String(repeating: "b", count: 3000))
    let big = try OctoGitBinary.run(
      ["feature", "pass", "--test", "echo MORE >> big.bin"], in: fixture.path, home: fixture.home)
    #expect(big.status != 0 && big.stderr.contains("big.bin"), "\(big.stderr)")
    #expect(try fixture.git("show", "--name-only", "--format=", "HEAD") == "w.txt")
    // Left as it was by the tests, it is committed.
    let same = try OctoGitBinary.run(["feature", "pass", "--test", "true"], in: fixture.path, home: fixture.home)
    #expect(same.status == 0, "\(same.stderr)")
    #expect(try fixture.git("show", "--name-only", "--format=", "HEAD") == "big.bin")

    // A skip-worktree path (outside a sparse checkout's cone) absent from disk is no deletion, as for git.
    try fixture.git("update-index", "--skip-worktree", "a.txt")
    try FileManager.default.removeItem(atPath: fixture.path + "/a.txt")
    try fixture.write("c.txt", "c\n")
    let sparse = try OctoGitBinary.run(["feature", "pass", "--test", "true"], in: fixture.path, home: fixture.home)
    #expect(sparse.status == 0, "\(sparse.stderr)")
    #expect(try fixture.git("show", "--name-status", "--format=", "HEAD") == "A\tc.txt")
    #expect(try fixture.git("ls-files", "-v", "a.txt") == "S a.txt")
  }

  @Test("pass with commit.gpgsign commits through git, so the commit is signed")
  func passSigned() throws {
    let fixture = try TestRepository()
    try fixture.octo("feature", "start", "Sign this")
    // A stand-in for gpg that answers as gpg does.
    let fakeGPG = fixture.root + "/fake-gpg"
    try Data(
      """
      #!/bin/sh
      cat >/dev/null
      echo '[GNUPG:] SIG_CREATED D 1 8 00 1700000000 FAKE' >&2
      printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nZmFrZQ==\\n-----END PGP SIGNATURE-----\\n'
      """.utf8
    ).write(to: URL(fileURLWithPath: fakeGPG))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fakeGPG)
    try fixture.git("config", "commit.gpgsign", "true")
    try fixture.git("config", "gpg.program", fakeGPG)
    try fixture.git("config", "user.signingkey", "FAKE")
    try fixture.write("signed.txt", "signed\n")
    try fixture.octo("feature", "pass", "--test", "true")
    let raw = try fixture.git("cat-file", "-p", "HEAD")
    #expect(raw.contains("gpgsig -----BEGIN PGP SIGNATURE-----"))
    #expect(try fixture.git("log", "-1", "--format=%s") == "feat: sign this")
    #expect(try fixture.git("notes", "--ref=octo/features", "show", "HEAD").contains("\"feature\":\"sign-this\""))
  }
}
