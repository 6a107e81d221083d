import Foundation
import Testing

@testable import OctoGit

/// The user's own hooks keep doing their work once octo-git's stubs run them: whatever name they look
/// at, whatever the machine's temporary folder, whatever they link to.
@Suite("Hooks octo-git chains")
struct ChainedHookTests {
  func executable(_ text: String, at path: String) throws {
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
  }

  func push(_ fixture: TestRepository, _ arguments: [String], environment: [String: String] = [:]) throws
    -> Shell.Result
  {
    try Shell.run(
      Shell.git, ["push", "-q"] + arguments, in: fixture.path, environment: environment, home: fixture.home)
  }

  @Test("a hook that finds its work by its own name (one script linked as several hooks) still blocks a push")
  func hookByItsName() throws {
    let fixture = try TestRepository()
    _ = try fixture.addBareOrigin()
    try executable(
      "#!/bin/sh\ncase \"$(basename \"$0\")\" in pre-push) echo BLOCKED >&2; exit 1;; esac\n",
      at: fixture.path + "/tools/githook")
    try FileManager.default.createSymbolicLink(
      atPath: fixture.path + "/.git/hooks/pre-push", withDestinationPath: "../../tools/githook")
    #expect(try push(fixture, ["origin", "main"]).status != 0)
    try fixture.octo("install")
    let blocked = try push(fixture, ["origin", "main"])
    #expect(blocked.status != 0 && blocked.stderr.contains("BLOCKED"), "\(blocked.stderr)")
  }

  @Test("hooks run through husky's layout (core.hooksPath .husky/_, install --force) still run the user's")
  func huskyLayout() throws {
    let fixture = try TestRepository()
    _ = try fixture.addBareOrigin()
    // husky 9's own files: each hook sources `h`, which runs .husky/<its own name>.
    let runner = """
      #!/usr/bin/env sh
      n=$(basename "$0")
      s=$(dirname "$(dirname "$0")")/$n
      [ ! -f "$s" ] && exit 0
      sh -e "$s" "$@"
      """
    try executable(runner + "\n", at: fixture.path + "/.husky/_/h")
    for hook in ["pre-push", "post-commit"] {
      try executable("#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n", at: fixture.path + "/.husky/_/" + hook)
    }
    try executable("echo HUSKY-PRE-PUSH >&2\nexit 1\n", at: fixture.path + "/.husky/pre-push")
    try executable("echo ran > .git/husky-post-commit\n", at: fixture.path + "/.husky/post-commit")
    try fixture.git("config", "core.hooksPath", ".husky/_")
    try fixture.octo("install", "--force")
    try fixture.commitAll("husky")
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/.git/husky-post-commit"))
    let blocked = try push(fixture, ["origin", "main"])
    #expect(blocked.status != 0 && blocked.stderr.contains("HUSKY-PRE-PUSH"), "\(blocked.stderr)")
  }

  @Test("the chained pre-push reads every line git gives, even with a temporary folder that cannot be used")
  func standardInputWithoutTemporaryFolder() throws {
    let fixture = try TestRepository()
    _ = try fixture.addBareOrigin()
    try fixture.octo("install")
    try executable(
      "#!/bin/sh\nwhile read local rest; do case \"$local\" in *wip*) echo NO-WIP >&2; exit 1;; esac; done\n",
      at: fixture.path + "/.git/hooks/pre-push.octo-orig")
    try fixture.git("branch", "wip-secret")
    let refused = try push(fixture, ["origin", "wip-secret"], environment: ["TMPDIR": "/nonexistent/folder"])
    #expect(refused.status != 0 && refused.stderr.contains("NO-WIP"), "\(refused.stderr)")
    #expect(try fixture.git("ls-remote", "origin").isEmpty)
  }

  @Test("a hook that links to nothing yet is kept by install and put back by uninstall")
  func danglingLink() throws {
    let fixture = try TestRepository()
    let hook = fixture.path + "/.git/hooks/pre-push"
    try FileManager.default.createSymbolicLink(atPath: hook, withDestinationPath: "../../tools/not-built-yet")
    try fixture.octo("install")
    #expect(
      try FileManager.default.destinationOfSymbolicLink(atPath: hook + ".octo-orig") == "../../tools/not-built-yet")
    try fixture.octo("uninstall")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: hook) == "../../tools/not-built-yet")
  }

  @Test("a hook linked to another hook octo-git replaces still runs the user's script; uninstall puts the link back")
  func hookLinkedToAnother() throws {
    let fixture = try TestRepository()
    let hooks = fixture.path + "/.git/hooks"
    try executable(
      "#!/bin/sh\necho \"ran as $(basename \"$0\")\" >> \"$(git rev-parse --git-dir)/ran\"\n",
      at: hooks + "/post-commit")
    try FileManager.default.createSymbolicLink(atPath: hooks + "/post-rewrite", withDestinationPath: "post-commit")
    try FileManager.default.createSymbolicLink(atPath: hooks + "/pre-push", withDestinationPath: hooks + "/post-commit")
    // A hook octo-git has none of, linked to one it replaces, runs the user's script, never octo-git's stub.
    try FileManager.default.createSymbolicLink(atPath: hooks + "/pre-commit", withDestinationPath: "post-commit")
    try fixture.octo("install")
    try fixture.commitAll("first")
    try fixture.git("commit", "-q", "--amend", "--allow-empty", "-m", "amended")
    let ran = try String(contentsOfFile: fixture.path + "/.git/ran", encoding: .utf8)
    #expect(
      ran == "ran as pre-commit\nran as post-commit\nran as pre-commit\nran as post-commit\nran as post-rewrite\n",
      "\(ran)")
    try fixture.octo("uninstall")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: hooks + "/post-rewrite") == "post-commit")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: hooks + "/pre-push") == hooks + "/post-commit")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: hooks + "/pre-commit") == "post-commit")
    #expect(
      !HookInstaller.isOctoGitHook(hooks + "/post-commit") && !Paths.entryExists(hooks + "/post-commit.octo-orig"))

    // A kept link the user replaced since by a script of their own stays that script at uninstall.
    try fixture.octo("install")
    try FileManager.default.removeItem(atPath: hooks + "/post-rewrite.octo-orig")
    try executable("#!/bin/sh\necho mine\n", at: hooks + "/post-rewrite.octo-orig")
    try fixture.octo("uninstall")
    #expect(try String(contentsOfFile: hooks + "/post-rewrite", encoding: .utf8) == "#!/bin/sh\necho mine\n")
  }

  @Test("uninstall leaves a link on the kept hook when the hook it led to is no longer octo-git's stub")
  func linkToReplacedStub() throws {
    let fixture = try TestRepository()
    let hooks = fixture.path + "/.git/hooks"
    try executable("#!/bin/sh\necho original\n", at: hooks + "/post-commit")
    try FileManager.default.createSymbolicLink(atPath: hooks + "/pre-commit", withDestinationPath: "post-commit")
    try fixture.octo("install")
    try fixture.octo("install")
    // The user writes a new post-commit over octo-git's stub.
    try FileManager.default.removeItem(atPath: hooks + "/post-commit")
    try executable("#!/bin/sh\necho newer\n", at: hooks + "/post-commit")
    let uninstalled = try fixture.octo("uninstall")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: hooks + "/pre-commit") == "post-commit.octo-orig")
    #expect(
      try String(contentsOfFile: hooks + "/post-commit.octo-orig", encoding: .utf8) == "#!/bin/sh\necho original\n")
    #expect(uninstalled.contains("pre-commit: left linking to post-commit.octo-orig"), "\(uninstalled)")
  }

  @Test("a hook linked to a tracked hook octo-git leaves alone keeps leading to it")
  func hookLinkedToTrackedHook() throws {
    let fixture = try TestRepository()
    let hooks = fixture.path + "/.githooks"
    try fixture.git("config", "core.hooksPath", ".githooks")
    try executable(
      "#!/bin/sh\necho \"ran as $(basename \"$0\")\" >> \"$(git rev-parse --git-dir)/ran\"\n",
      at: hooks + "/post-commit")
    try fixture.commitAll("tracked hook")
    try FileManager.default.createSymbolicLink(atPath: hooks + "/post-rewrite", withDestinationPath: "post-commit")
    try fixture.octo("install")
    #expect(
      try FileManager.default.destinationOfSymbolicLink(atPath: hooks + "/post-rewrite.octo-orig") == "post-commit")
    try fixture.git("commit", "-q", "--amend", "--allow-empty", "-m", "amended")
    let ran = try String(contentsOfFile: fixture.path + "/.git/ran", encoding: .utf8)
    #expect(ran.hasSuffix("ran as post-rewrite\n"), "\(ran)")
  }

  @Test("git push --dry-run (or -n among short flags) sends no notes")
  func dryRun() throws {
    let fixture = try TestRepository()
    let remote = try fixture.addBareOrigin()
    try fixture.octo("install")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1")
    try fixture.commitAll("work")
    for flags in [["--dry-run"], ["-fn"]] {
      let result = try push(fixture, flags + ["origin", "main"])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(try fixture.git("for-each-ref", in: remote).isEmpty, "\(flags)")
    }
    #expect(try push(fixture, ["origin", "main"]).status == 0)
    #expect(try fixture.git("notes", "--ref=octo/usage", "list", in: remote).split(separator: "\n").count == 1)
    #expect(PushCommandLine.isDryRun(["git", "-c", "a=b", "push", "-o", "n", "origin"]) == false)
    #expect(PushCommandLine.isDryRun(["git", "push", "-u", "origin", "--", "-n"]) == false)
    #expect(PushCommandLine.isDryRun(["/usr/bin/git", "push", "-vn"]) == true)
    #expect(PushCommandLine.isDryRun(["git", "push", "--dry", "origin"]) == true)
    #expect(PushCommandLine.isDryRun(["git", "push", "-n", "--no-dry-run", "origin"]) == false)
    #expect(PushCommandLine.isDryRun(["git", "push", "--push-option", "-n", "origin"]) == false)
    #expect(PushCommandLine.isDryRun(["python3", "-m", "pre_commit", "hook-impl"]) == nil)
  }

  @Test("a commit with nothing pending starts no octo-git (linked worktrees, GIT_DIR too); pending usage is attached")
  func idleCommitsStartNothing() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    let worktree = try fixture.addWorktree("wt", branch: "topic")
    // A stand-in binary that leaves a trace: with nothing pending it must not run.
    let trace = fixture.root + "/started"
    try executable("#!/bin/sh\necho started >> '\(trace)'\n", at: fixture.root + "/fake-octo-git")
    let fake = ["OCTO_GIT_BIN": fixture.root + "/fake-octo-git"]
    try fixture.git("commit", "-q", "--allow-empty", "-m", "main idle", environment: fake)
    try fixture.git("commit", "-q", "--allow-empty", "-m", "linked idle", in: worktree, environment: fake)
    try fixture.git(
      "--git-dir=.git", "--work-tree=.", "commit", "-q", "--allow-empty", "-m", "GIT_DIR idle", environment: fake)
    #expect(!FileManager.default.fileExists(atPath: trace))
    // Pending in the linked worktree: octo-git runs there and attaches it.
    try fixture.octo(["usage", "record", "--model", "gpt-5", "--in", "3", "--id", "wt-pending"], in: worktree)
    try fixture.git("commit", "-q", "--allow-empty", "-m", "linked busy", in: worktree, environment: fake)
    #expect(FileManager.default.fileExists(atPath: trace))
    try fixture.git("commit", "-q", "--allow-empty", "-m", "linked busy again", in: worktree)
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "topic").contains("wt-pending"))
  }

  @Test("hooks that find their work through readlink -f, or by their name from bash, still block a push")
  func linkedAndBashHooks() throws {
    for script in [
      // Looks itself up through its link, and runs the parts next to the real file.
      "#!/bin/sh\nhere=$(dirname \"$(readlink -f \"$0\")\")\nfor f in \"$here\"/pre-push.d/*; do "
        + "\"$f\" || exit 1; done\n",
      // A bash script run by its name.
      "#!/usr/bin/env bash\ncase \"$(basename \"$0\")\" in pre-push) echo BLOCKED >&2; exit 1;; esac\n",
    ] {
      let fixture = try TestRepository()
      _ = try fixture.addBareOrigin()
      try executable(script, at: fixture.path + "/tools/githooks/pre-push")
      try executable("#!/bin/sh\necho BLOCKED >&2; exit 1\n", at: fixture.path + "/tools/githooks/pre-push.d/lint")
      try FileManager.default.createSymbolicLink(
        atPath: fixture.path + "/.git/hooks/pre-push", withDestinationPath: "../../tools/githooks/pre-push")
      #expect(try push(fixture, ["origin", "main"]).status != 0)
      try fixture.octo("install")
      let blocked = try push(fixture, ["origin", "main"])
      #expect(blocked.status != 0 && blocked.stderr.contains("BLOCKED"), "\(script): \(blocked.stderr)")
      try fixture.octo("uninstall")
      #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.git/hooks/.octo-orig"))
    }
  }

  @Test("a hook that runs its own file again (husky 8's sh -e \"$0\") runs octo-git once; any binary path works")
  func nestedAndQuoted() throws {
    let fixture = try TestRepository()
    try executable(
      "#!/bin/sh\nif [ -z \"$again\" ]; then again=1; export again; sh -e \"$0\" \"$@\"; exit $?; fi\n"
        + "echo inner >> .git/inner.log\n",
      at: fixture.path + "/.git/hooks/post-commit")
    // octo-git installed from a folder whose name holds quotes, braces and a dollar sign.
    let odd = fixture.root + "/we ird/a}b$c\"d'e"
    try FileManager.default.createDirectory(atPath: odd, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: OctoGitBinary.path, toPath: odd + "/octo-git")
    let installed = try Shell.run(odd + "/octo-git", ["install"], in: fixture.path, home: fixture.home)
    #expect(installed.status == 0, "\(installed.stderr)")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "3", "--id", "odd-path")
    let trace = fixture.root + "/trace"
    try executable(
      "#!/bin/sh\necho run >> '\(trace)'\nexec '\(OctoGitBinary.path)' \"$@\"\n", at: fixture.root + "/wrapper")
    try fixture.git(
      "commit", "-q", "--allow-empty", "-m", "nested", environment: ["OCTO_GIT_BIN": fixture.root + "/wrapper"])
    #expect(try String(contentsOfFile: trace, encoding: .utf8) == "run\n")
    #expect(try String(contentsOfFile: fixture.path + "/.git/inner.log", encoding: .utf8) == "inner\n")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").contains("odd-path"))
    // Without OCTO_GIT_BIN, the stub runs the binary it was installed with, whatever its path holds.
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "3", "--id", "odd-path-2")
    try fixture.git("commit", "-q", "--allow-empty", "-m", "installed path", environment: ["PATH": "/usr/bin:/bin"])
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").contains("odd-path-2"))
    #expect(try CanonicalJSON.parse(try fixture.octo("doctor", "--json"))["problems"]?.arrayValue?.isEmpty == true)
  }

  @Test("a hook that commits in another repository lets that repository's octo-git hook run in full")
  func hookInAnotherRepository() throws {
    let fixture = try TestRepository()
    let other = try TestRepository()
    try other.octo("install")
    try other.octo("usage", "record", "--model", "gpt-5", "--in", "3", "--id", "other-pending")
    try executable(
      "#!/bin/sh\ncd '\(other.path)' && git commit -q --allow-empty -m from-hook\n",
      at: fixture.path + "/.git/hooks/post-commit")
    try fixture.octo("install")
    try fixture.git("commit", "-q", "--allow-empty", "-m", "outer")
    #expect(try other.git("notes", "--ref=octo/usage", "show", "HEAD").contains("other-pending"))
  }

  @Test("hooks finding siblings from their path (pre-commit's .legacy, a dispatcher), or run again, still block a push")
  func hooksFindingSiblings() throws {
    for (script, sibling) in [
      // pre-commit's own script, cut down: it runs <hook>.legacy next to itself.
      (
        "#!/usr/bin/env bash\nHERE=\"$(cd \"$(dirname \"$0\")\" && pwd)\"\n"
          + "if [ -x \"$HERE/pre-push.legacy\" ]; then \"$HERE/pre-push.legacy\" \"$@\" || exit $?; fi\n",
        "pre-push.legacy"
      ),
      // A dispatcher: every script in <folder>/<name>.d runs.
      (
        "#!/bin/sh\nfor f in \"$(dirname \"$0\")/$(basename \"$0\").d\"/*; do \"$f\" || exit 1; done\n",
        "pre-push.d/lint"
      ),
      // Run again under bash from inside itself, then blocking.
      (
        "#!/bin/sh\n[ -z \"$BASH_VERSION\" ] && exec bash \"$0\" \"$@\"\n"
          + "if [[ -x \"$(dirname \"$0\")/pre-push.check\" ]]; then \"$(dirname \"$0\")/pre-push.check\"; fi\n",
        "pre-push.check"
      ),
    ] {
      let fixture = try TestRepository()
      _ = try fixture.addBareOrigin()
      try executable(script, at: fixture.path + "/.git/hooks/pre-push")
      try executable("#!/bin/sh\necho BLOCKED >&2\nexit 1\n", at: fixture.path + "/.git/hooks/" + sibling)
      #expect(try push(fixture, ["origin", "main"]).status != 0)
      try fixture.octo("install")
      let blocked = try push(fixture, ["origin", "main"])
      #expect(blocked.status != 0 && blocked.stderr.contains("BLOCKED"), "\(sibling): \(blocked.stderr)")
    }
  }

  @Test("install makes the link to a previous hook again when it is missing, and goes on when it cannot")
  func linkRepaired() throws {
    let fixture = try TestRepository()
    try FileManager.default.createSymbolicLink(
      atPath: fixture.path + "/.git/hooks/pre-push", withDestinationPath: "../../tools/hook")
    try fixture.octo("install")
    try FileManager.default.removeItem(atPath: fixture.path + "/.git/hooks/.octo-orig")
    #expect(try fixture.octo("install").contains("pre-push: link to the previous hook made"))
    #expect(Paths.entryExists(fixture.path + "/.git/hooks/.octo-orig/pre-push"))
    // A file where the links' folder goes: said, and every hook still installed.
    let other = try TestRepository()
    try FileManager.default.createSymbolicLink(
      atPath: other.path + "/.git/hooks/pre-push", withDestinationPath: "../../tools/hook")
    try Data("x".utf8).write(to: URL(fileURLWithPath: other.path + "/.git/hooks/.octo-orig"))
    let result = try OctoGitBinary.run(["install"], in: other.path, home: other.home)
    #expect(result.status == 0 && result.stdout.contains("runs under the name pre-push.octo-orig"), "\(result)")
    #expect(FileManager.default.fileExists(atPath: other.path + "/.git/hooks/post-rewrite"))
  }
}
