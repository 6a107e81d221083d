import Foundation
import Testing

@testable import OctoGit

@Suite("Attributing usage to commits")
struct AttributionTests {
  @Test("recorded, committed, visible with git notes show; the hook clears pending")
  func recordAndCommit() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    try fixture.octo("usage", "record", "--model", "claude-sonnet-4-5", "--in", "100", "--out", "200", "--id", "a")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--out", "10", "--id", "b")
    try fixture.write("f.txt", "x\n")
    try fixture.commitAll("feature work")
    let note = try fixture.git("notes", "--ref=octo/usage", "show", "HEAD")
    let ids = try note.split(separator: "\n").map { try UsageEvent(line: String($0)).id }
    #expect(ids == ["a", "b"])
    #expect(try fixture.octo("usage", "pending") == "nothing pending\n")
    // The next commit has nothing pending, so it gets no note.
    try fixture.commitAll("no usage")
    #expect((try? fixture.git("notes", "--ref=octo/usage", "show", "HEAD")) == nil)
  }

  @Test("amend and rebase carry the notes (notes.rewriteRef, set up by NotesSetup)")
  func amendAndRebase() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    let changes = try NotesSetup.configure(try fixture.open())
    #expect(changes.contains("notes.rewriteRef += refs/notes/octo/*"))
    #expect(try NotesSetup.configure(try fixture.open()).isEmpty)
    #expect(try fixture.git("config", "notes.octo/usage.mergeStrategy") == "cat_sort_uniq")

    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "one")
    try fixture.write("a.txt", "a\n")
    try fixture.commitAll("first")
    try fixture.git("commit", "-q", "--amend", "-m", "first, amended")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").contains("\"id\":\"one\""))

    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "two")
    try fixture.write("b.txt", "b\n")
    try fixture.commitAll("second")
    try fixture.git("checkout", "-q", "-b", "side", "HEAD~2")
    try fixture.write("c.txt", "c\n")
    try fixture.commitAll("side work")
    try fixture.git("checkout", "-q", "main")
    try fixture.git("rebase", "-q", "side")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").contains("\"id\":\"two\""))
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD~1").contains("\"id\":\"one\""))
    // Reports count each event once although the old commits keep their notes.
    let report = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "model", "--json"))
    #expect(report["total"]?["events"]?.intValue == 2)
  }

  /// `base` on main, then a `topic` branch writing `topicWrites`, and main changing a.txt: topic checked out.
  func divergedTopic(_ fixture: TestRepository, topicWrites: (path: String, text: String)) throws {
    try fixture.write("a.txt", "1\n")
    try fixture.commitAll("base")
    try fixture.git("checkout", "-q", "-b", "topic")
    try fixture.write(topicWrites.path, topicWrites.text)
    try fixture.commitAll("topic change")
    try fixture.git("checkout", "-q", "main")
    try fixture.write("a.txt", "main\n")
    try fixture.commitAll("main change")
    try fixture.git("checkout", "-q", "topic")
  }

  /// A repository with octo-git installed and commits base, a and b.
  func installedWithTwoCommits() throws -> TestRepository {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try fixture.commitAll("base")
    for name in ["a", "b"] {
      try fixture.write("\(name).txt", "\(name)\n")
      try fixture.commitAll(name)
    }
    return fixture
  }

  @Test("the hook returns at once during a rebase and leaves usage pending")
  func quietDuringRebase() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    try divergedTopic(fixture, topicWrites: ("b.txt", "b\n"))
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "later")
    try fixture.git("rebase", "-q", "main")
    #expect(try fixture.git("notes", "--ref=octo/usage", "list") == "")
    #expect(try fixture.octo("usage", "pending").contains("gpt-5"))
    // A commit made while bisecting is thrown away by bisect reset: the usage waits for the next one.
    try fixture.git("bisect", "start", "HEAD", "HEAD~2")
    try fixture.write("probe.txt", "p\n")
    try fixture.commitAll("probe")
    #expect(try fixture.git("notes", "--ref=octo/usage", "list") == "")
    // A bisect left unfinished while work goes on on a branch holds nothing back.
    try fixture.git("checkout", "-q", "topic")
    let kept = try fixture.commitAll("after the bisect")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", kept).contains("\"id\":\"later\""))
    try fixture.git("bisect", "reset")
  }

  @Test("usage spent at a conflict goes onto the commit --continue makes of the resolution; earlier usage waits")
  func usageDuringRebase() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try divergedTopic(fixture, topicWrites: ("a.txt", "topic\n"))
    // Usage of work not committed yet, recorded before the rebase, is not the rebase's.
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "before")
    let stopped = try Shell.run(Shell.git, ["rebase", "main"], in: fixture.path, home: fixture.home)
    #expect(stopped.status != 0)
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "resolving")
    try fixture.write("a.txt", "both\n")
    try fixture.git("add", "a.txt")
    try fixture.git("rebase", "--continue", environment: ["GIT_EDITOR": "true"])
    let resolved = try fixture.git("notes", "--ref=octo/usage", "show", "HEAD")
    #expect(resolved.contains("\"id\":\"resolving\"") && !resolved.contains("\"before\""))
    try fixture.git("checkout", "-q", "main")
    let hotfix = try fixture.commitAll("hotfix")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", hotfix).contains("\"id\":\"before\""))
  }

  @Test("usage spent at a rebase's edit stop goes onto the commits made there, each onto the next one made")
  func usageAtEditStop() throws {
    let fixture = try installedWithTwoCommits()
    try fixture.git(
      "rebase", "-q", "-i", "HEAD~2", environment: ["GIT_SEQUENCE_EDITOR": "sed -i 1s/^pick/edit/"])
    // Each recorded in the same second as the commit before it; the second commit amended after.
    var made: [String: String] = [:]
    for name in ["e1", "e2"] {
      try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", name)
      try fixture.write("\(name).txt", "\(name)\n")
      made[name] = try fixture.commitAll("made at the stop: \(name)")
    }
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "e3")
    try fixture.git("commit", "-q", "--amend", "-m", "made at the stop: e2, amended")
    let amended = try fixture.git("rev-parse", "HEAD")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "after")
    try fixture.git("rebase", "--continue")
    made["e2"] = amended
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", amended).contains("\"id\":\"e3\""))
    #expect(try fixture.octo("usage", "pending").contains("after"))
    // Recorded while HEAD was detached on the rebase's commits: the rebased branch's.
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", amended).contains("\"branch\":\"main\""))
    for (name, commit) in made {
      let note = try fixture.git("notes", "--ref=octo/usage", "show", commit)
      #expect(note.contains("\"id\":\"\(name)\""), "\(name): \(note)")
    }
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", made["e1"]!).split(separator: "\n").count == 1)
    #expect(throws: (any Error).self) { try fixture.git("notes", "--ref=octo/usage", "show", "HEAD") }
  }

  @Test("a commit made at an edit stop and folded by the fixup after it passes its usage on to the fold")
  func usageAtStopFoldedByFixup() throws {
    let fixture = try installedWithTwoCommits()
    try fixture.git(
      "rebase", "-q", "-i", "HEAD~2",
      environment: ["GIT_SEQUENCE_EDITOR": "sed -i -e 1s/^pick/edit/ -e 2s/^pick/fixup/"])
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "folded")
    try fixture.write("x.txt", "x\n")
    let made = try fixture.commitAll("made at the stop")
    try fixture.git("rebase", "--continue")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").contains("\"id\":\"folded\""))
    #expect(throws: (any Error).self) { try fixture.git("notes", "--ref=octo/usage", "show", made) }
  }

  @Test("at an edit stop, an amend then a new commit: the new one does not take the amended commit's usage")
  func amendThenCommitAtEditStop() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try fixture.commitAll("base")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "spent-on-b")
    try fixture.write("b.txt", "b\n")
    try fixture.commitAll("b")
    try fixture.git(
      "rebase", "-q", "-i", "HEAD~1", environment: ["GIT_SEQUENCE_EDITOR": "sed -i 1s/^pick/edit/"])
    try fixture.write("b.txt", "b, amended\n")
    try fixture.git("add", "b.txt")
    try fixture.git("commit", "-q", "--amend", "--no-edit")
    let amended = try fixture.git("rev-parse", "HEAD")
    try fixture.write("n.txt", "n\n")
    let made = try fixture.commitAll("new at the stop")
    try fixture.git("rebase", "--continue")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", amended).contains("\"id\":\"spent-on-b\""))
    #expect(throws: (any Error).self) { try fixture.git("notes", "--ref=octo/usage", "show", made) }
  }

  @Test("a rebase that rewrites nothing (a break, picks that fast-forward): its commits' usage is settled next")
  func usageAtBreakOfRebaseRewritingNothing() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try fixture.commitAll("base")
    try fixture.write("a.txt", "a\n")
    try fixture.commitAll("a")
    try fixture.git("rebase", "-q", "-i", "HEAD~1", environment: ["GIT_SEQUENCE_EDITOR": "sed -i 1abreak"])
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "at-break")
    try fixture.write("z.txt", "z\n")
    let fix = try fixture.commitAll("fix")
    try fixture.git("rebase", "--continue")
    // The next commit made on another branch: the commit made at the break is still its branch's.
    try fixture.git("switch", "-q", "-c", "other", "HEAD~2")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "later")
    let next = try fixture.commitAll("next")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", fix).contains("\"id\":\"at-break\""))
    let nextNote = try fixture.git("notes", "--ref=octo/usage", "show", next)
    #expect(nextNote.contains("\"id\":\"later\"") && !nextNote.contains("at-break"), "\(nextNote)")

    // Again, and a rebase that rewrites the commit made at the break before any other commit: it follows.
    try fixture.git("switch", "-q", "main")
    try fixture.git("rebase", "-q", "-i", "HEAD~1", environment: ["GIT_SEQUENCE_EDITOR": "sed -i 1abreak"])
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "second-break")
    try fixture.write("y.txt", "y\n")
    try fixture.commitAll("fix again")
    try fixture.git("rebase", "--continue")
    try fixture.git("rebase", "-q", "other")
    let rewritten = try fixture.git("log", "--format=%H", "--grep=^fix again$", "-1")
    #expect(
      try fixture.git("notes", "--ref=octo/usage", "show", rewritten).contains("\"id\":\"second-break\""))

    // A rebase left with --quit (HEAD stays where it is, detached): the commit made at its break is HEAD's.
    try fixture.git("rebase", "-q", "-i", "HEAD~1", environment: ["GIT_SEQUENCE_EDITOR": "sed -i 1abreak"])
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "before-quit")
    try fixture.write("q.txt", "q\n")
    let quitting = try fixture.commitAll("made before quitting")
    try fixture.git("rebase", "--quit")
    try fixture.commitAll("after quitting")
    #expect(
      try fixture.git("notes", "--ref=octo/usage", "show", quitting).contains("\"id\":\"before-quit\""))
  }

  @Test("a commit made at a rebase's edit stop does not take the usage of the commit it was made on")
  func commitAtEditStop() throws {
    let fixture = try TestRepository()
    try fixture.octo("install")
    try fixture.commitAll("base")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "u1")
    let first = try fixture.commitAll("c1")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "5", "--id", "u2")
    try fixture.commitAll("c2")
    try fixture.git(
      "rebase", "-q", "-i", "HEAD~2", environment: ["GIT_SEQUENCE_EDITOR": "sed -i 1s/^pick/edit/"])
    try fixture.write("n.txt", "n\n")
    let inserted = try fixture.commitAll("inserted")
    try fixture.git("rebase", "--continue")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", first).contains("\"id\":\"u1\""))
    #expect(throws: (any Error).self) { try fixture.git("notes", "--ref=octo/usage", "show", inserted) }
    let report = try fixture.octo("usage", "--by", "commit", "--json")
    #expect(!report.contains("inserted"), "\(report)")
  }

  @Test("an interrupted attachment is finished by the next run: nothing lost, nothing doubled")
  func crashRecovery() throws {
    let fixture = try TestRepository()
    let first = try fixture.open().headCommit()!
    let ledger = try Ledger(repository: try fixture.open())
    try ledger.record(
      [UsageEvent(id: "e1", at: Date(), model: "gpt-5", tokens: TokenCounts(input: 1))], prices: .builtIn)
    // Crash 1: claimed for the first commit, then killed before the note was written.
    _ = try ledger.store.claimPending(worktree: "main", for: first.hex)
    try ledger.record(
      [UsageEvent(id: "e2", at: Date(), model: "gpt-5", tokens: TokenCounts(input: 2))], prices: .builtIn)
    // Crash 2: the note for e2 was written, but the pending row was not removed.
    try fixture.commitAll("second")
    let second = try fixture.open().headCommit()!
    _ = try ledger.store.claimPending(worktree: "main", for: second.hex)
    try ledger.repository.updateNote(on: second, ref: UsageNote.ref, author: TestRepository.signature) {
      UsageNote.merging($0, adding: [UsageEvent(id: "e2", at: Date(), model: "gpt-5", tokens: TokenCounts(input: 2))])
    }
    // The next commit's hook run finishes both.
    try fixture.commitAll("third")
    let third = try fixture.open().headCommit()!
    try Ledger(repository: try fixture.open()).attachPending(to: third)
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", first.hex).contains("\"id\":\"e1\""))
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", second.hex).split(separator: "\n").count == 1)
    #expect((try? fixture.git("notes", "--ref=octo/usage", "show", third.hex)) == nil)
    let ids = try fixture.allUsageLines().map { try UsageEvent(line: $0).id }.sorted()
    #expect(ids == ["e1", "e2"])
    #expect(try ledger.store.pending().isEmpty)
  }

  @Test("linked worktrees keep their own pending usage, each attached to its own commits")
  func worktrees() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    let other = try fixture.addWorktree("other tree", branch: "topic")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "main-1")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "2", "--id", "topic-1", in: other)
    try fixture.write("m.txt", "m\n")
    try fixture.commitAll("on main")
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "main").contains("main-1"))
    #expect(!(try fixture.git("notes", "--ref=octo/usage", "show", "main").contains("topic-1")))
    try fixture.git("commit", "-q", "--allow-empty", "-m", "on topic", in: other)
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "topic").contains("topic-1"))
    let report = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "branch", "--json"))
    let keys = report["rows"]?.arrayValue?.compactMap { $0["key"]?.stringValue }.sorted()
    #expect(keys == ["main", "topic"])
  }

  @Test("a worktree removed and added again under its name does not take the old one's pending usage")
  func worktreeAddedAgain() throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    let first = try fixture.addWorktree("wt", branch: "x")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "old-1", in: first)
    try fixture.git("worktree", "remove", first)
    usleep(20_000)
    let second = try fixture.addWorktree("wt", branch: "y")
    try fixture.octo("usage", "record", "--model", "gpt-5", "--in", "1", "--id", "new-1", in: second)
    try fixture.git("commit", "-q", "--allow-empty", "-m", "on y", in: second)
    let note = try fixture.git("notes", "--ref=octo/usage", "show", "y")
    #expect(note.contains("new-1") && !note.contains("old-1"), "\(note)")
    // The old event stays pending, where usage pending lists it and usage drop can remove it, saying
    // where it came from; it keeps no marker, so the next commits' hook does not open the ledger for it.
    #expect(try fixture.octo("usage", "pending", "--json", in: second).contains("old-1"))
    #expect(try fixture.octo("usage", "pending", in: second).contains("since removed"))
    let marker = fixture.path + "/.git/octo/pending/worktrees_wt"
    #expect(!FileManager.default.fileExists(atPath: marker))
    // The main worktree says it is there.
    #expect(try fixture.octo("usage", "pending").contains("1 more pending in other worktrees"))
  }

  @Test("concurrent commits in 8 worktrees: every event lands exactly once")
  func concurrentWorktrees() async throws {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    let worktrees = try (0..<8).map { try fixture.addWorktree("wt\($0)", branch: "b\($0)") }
    let home = fixture.home
    let commitsEach = 6
    try await withThrowingTaskGroup(of: Void.self) { group in
      for (index, worktree) in worktrees.enumerated() {
        group.addTask {
          for commit in 0..<commitsEach {
            for event in 0..<2 {
              let result = try OctoGitBinary.run(
                ["usage", "record", "--model", "gpt-5", "--in", "7", "--id", "w\(index)-c\(commit)-e\(event)"],
                in: worktree,
                home: home)
              guard result.status == 0 else { throw Shell.Failure(command: ["usage record"], result: result) }
            }
            let result = try Shell.run(
              Shell.git, ["commit", "-q", "--allow-empty", "-m", "w\(index) c\(commit)"], in: worktree, home: home)
            guard result.status == 0 else { throw Shell.Failure(command: ["git commit"], result: result) }
            // The hook never fails the commit; anything it had to say is a problem here.
            #expect(result.stderr.isEmpty, "w\(index) c\(commit): \(result.stderr)")
          }
        }
      }
      try await group.waitForAll()
    }
    let notes = try fixture.git("notes", "--ref=octo/usage", "list").split(separator: "\n")
    #expect(try fixture.octo("usage", "pending", "--all", "--json") == "[]\n")
    #expect(notes.count == 8 * commitsEach)
    let ids = try fixture.allUsageLines().map { try UsageEvent(line: $0).id }
    #expect(ids.count == 8 * commitsEach * 2)
    #expect(Set(ids).count == ids.count)
  }
}
