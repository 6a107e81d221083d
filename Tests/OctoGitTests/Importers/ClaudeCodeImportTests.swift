import Foundation
import Testing

@testable import OctoGit

@Suite("Importing Claude Code usage into a repository")
struct ClaudeCodeImportTests {
  func line(_ id: String, at: String, cwd: String, branch: String, out: Int, session: String = "s1") -> String {
    #"""
    {"type":"assistant","timestamp":"\#(at)","cwd":"\#(cwd)","gitBranch":"\#(branch)","sessionId":"\#(session)",\#
    "message":{"id":"\#(id)","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,\#
    "output_tokens":\#(out),"cache_read_input_tokens":1000,"cache_creation":{"ephemeral_5m_input_tokens":0,\#
    "ephemeral_1h_input_tokens":100}}}}
    """#
  }

  @Test("requests go to the first commit after them on their branch, or stay pending; re-importing adds nothing")
  func attribution() throws {
    let fixture = try TestRepository()
    let config = fixture.root + "/claude"
    let project = config + "/projects/-repo"
    try FileManager.default.createDirectory(atPath: project + "/s1/subagents", withIntermediateDirectories: true)
    let worktree = try fixture.addWorktree("wt", branch: "topic")
    func commit(_ message: String, at date: String, in directory: String? = nil) throws -> String {
      try fixture.git(
        "commit", "-q", "--allow-empty", "-m", message, in: directory,
        environment: ["GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date])
      return try fixture.git("rev-parse", "HEAD", in: directory)
    }
    let transcript =
      [
        line("m1", at: "2027-03-01T10:00:00Z", cwd: fixture.path, branch: "main", out: 1),
        line("m1", at: "2027-03-01T10:00:01Z", cwd: fixture.path, branch: "main", out: 50),  // the final line of m1
        line("m2", at: "2027-03-01T11:30:00Z", cwd: fixture.path + "/src", branch: "main", out: 7),
        line("m3", at: "2027-03-01T12:30:00Z", cwd: fixture.path, branch: "main", out: 9),
        line("w1", at: "2027-03-01T10:30:00Z", cwd: worktree, branch: "topic", out: 3),
        line("x1", at: "2027-03-01T10:30:00Z", cwd: "/somewhere/else", branch: "main", out: 3),
        #"{"type":"assistant","message":{"id":"m5","usage":{"input_tokens":1"#,  // a truncated request line
      ].joined(separator: "\n") + "\n"
    try Data(transcript.utf8).write(to: URL(fileURLWithPath: project + "/s1.jsonl"))
    // A resumed session copies m2 into another file; a subagent file repeats m1's first line.
    try Data((line("m2", at: "2027-03-01T11:30:00Z", cwd: fixture.path, branch: "main", out: 7) + "\n").utf8)
      .write(to: URL(fileURLWithPath: project + "/s2.jsonl"))
    try Data((line("m1", at: "2027-03-01T10:00:00Z", cwd: fixture.path, branch: "main", out: 1) + "\n").utf8)
      .write(to: URL(fileURLWithPath: project + "/s1/subagents/agent-1.jsonl"))

    let first = try commit("first", at: "2027-03-01T11:00:00Z")
    let second = try commit("second", at: "2027-03-01T12:00:00Z")
    let onTopic = try commit("topic work", at: "2027-03-01T11:00:00Z", in: worktree)

    let summary = try CanonicalJSON.parse(try fixture.octo("usage", "import", "claude-code", "--dir", config, "--json"))
    #expect(summary["requests"]?.intValue == 4)
    #expect(summary["otherProjects"]?.intValue == 1)
    #expect(summary["malformedLines"]?.intValue == 1)
    #expect(summary["attributed"]?.intValue == 3 && summary["pending"]?.intValue == 1)
    func ids(_ commit: String) throws -> [String] {
      try fixture.git("notes", "--ref=octo/usage", "show", commit).split(separator: "\n").map {
        try UsageEvent(line: String($0)).id
      }
    }
    #expect(try ids(first) == ["cc:m1"])
    #expect(try ids(second) == ["cc:m2"])
    #expect(try ids(onTopic) == ["cc:w1"])
    let m1 = try UsageEvent(line: try fixture.git("notes", "--ref=octo/usage", "show", first))
    #expect(m1.tokens.output == 50 && m1.agent == "claude-code" && m1.session == "s1" && m1.cost != nil)
    #expect(try fixture.octo("usage", "pending", "--json").contains("cc:m3"))

    // Again: nothing new is read or recorded.
    let again = try CanonicalJSON.parse(try fixture.octo("usage", "import", "claude-code", "--dir", config, "--json"))
    #expect(again["lines"]?.intValue == 0 && again["imported"]?.intValue == 0)
    // Appended lines are read on their own.
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: project + "/s1.jsonl"))
    try handle.seekToEnd()
    handle.write(Data((line("m4", at: "2027-03-01T12:40:00Z", cwd: fixture.path, branch: "main", out: 2) + "\n").utf8))
    try handle.close()
    let appended = try CanonicalJSON.parse(
      try fixture.octo("usage", "import", "claude-code", "--dir", config, "--json"))
    #expect(appended["lines"]?.intValue == 1 && appended["pending"]?.intValue == 1)

    // A Claude Code Stop hook imports just its session's transcript and never fails.
    let hook =
      #"{"session_id":"s9","transcript_path":"\#(project)/s9.jsonl","cwd":"\#(fixture.path)","hook_event_name":"Stop"}"#
    try Data(
      (line("m9", at: "2027-03-01T12:50:00Z", cwd: fixture.path, branch: "main", out: 2, session: "s9") + "\n").utf8
    )
    .write(to: URL(fileURLWithPath: project + "/s9.jsonl"))
    // Its subagents' transcripts, in the session's own folder, are read with it.
    try FileManager.default.createDirectory(atPath: project + "/s9/subagents", withIntermediateDirectories: true)
    try Data(
      (line("m9-sub", at: "2027-03-01T12:49:00Z", cwd: fixture.path, branch: "main", out: 7, session: "s9") + "\n").utf8
    )
    .write(to: URL(fileURLWithPath: project + "/s9/subagents/agent-a1.jsonl"))
    let result = try OctoGitBinary.run(
      ["usage", "import", "claude-code", "--hook-input", "-"], in: fixture.root, home: fixture.home, input: hook)
    #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
    let pending = try fixture.octo("usage", "pending", "--json")
    #expect(pending.contains("cc:m9\"") && pending.contains("cc:m9-sub"), "\(pending)")
    let broken = try OctoGitBinary.run(
      ["usage", "import", "claude-code", "--hook-input", "-"], in: fixture.root, home: fixture.home, input: "not json")
    #expect(broken.status == 0)
  }

  @Test("a session that logged its folder through a symbolic link is this repository's")
  func linkedFolder() throws {
    let fixture = try TestRepository()
    let config = fixture.root + "/claude"
    let project = config + "/projects/-linked"
    try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
    let link = fixture.root + "/link-to-repo"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.path)
    // A link inside the repository that leads out of it, and a way back in through `..`.
    let elsewhere = fixture.root + "/elsewhere"
    try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: fixture.path + "/out", withDestinationPath: elsewhere)
    let name = (fixture.path as NSString).lastPathComponent
    try FileManager.default.createDirectory(atPath: fixture.path + "/vendor/lib/src", withIntermediateDirectories: true)
    try Data("gitdir: ../../.git/modules/lib\n".utf8).write(to: URL(fileURLWithPath: fixture.path + "/vendor/lib/.git"))
    let transcript = [
      line("l1", at: "2027-03-01T10:00:00Z", cwd: link, branch: "main", out: 5),
      line("l2", at: "2027-03-01T10:01:00Z", cwd: link + "/src", branch: "main", out: 6),
      line("l3", at: "2027-03-01T10:01:30Z", cwd: elsewhere + "/../" + name, branch: "main", out: 6),
      line("x1", at: "2027-03-01T10:02:00Z", cwd: fixture.root, branch: "main", out: 7),
      line("x2", at: "2027-03-01T10:03:00Z", cwd: fixture.path + "/out/sub", branch: "main", out: 7),
      line("x3", at: "2027-03-01T10:04:00Z", cwd: fixture.path + "/../elsewhere", branch: "main", out: 7),
      line("x4", at: "2027-03-01T10:05:00Z", cwd: fixture.path + "/gone/../../elsewhere", branch: "main", out: 7),
      // A repository nested inside (a submodule's work tree, say) is another repository.
      line("x5", at: "2027-03-01T10:06:00Z", cwd: fixture.path + "/vendor/lib/src", branch: "main", out: 7),
    ]
    try Data((transcript.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: project + "/s.jsonl"))
    let summary = try CanonicalJSON.parse(try fixture.octo("usage", "import", "claude-code", "--dir", config, "--json"))
    #expect(summary["requests"]?.intValue == 3)
    #expect(summary["otherProjects"]?.intValue == 5)
    let pending = try fixture.octo("usage", "pending", "--json")
    #expect(["cc:l1", "cc:l2", "cc:l3"].allSatisfy(pending.contains) && !pending.contains("cc:x"), "\(pending)")
  }

  @Test("a missing folder is a clear message")
  func missingFolder() throws {
    let fixture = try TestRepository()
    let result = try OctoGitBinary.run(
      ["usage", "import", "claude-code", "--dir", fixture.root + "/none"], in: fixture.path, home: fixture.home)
    #expect(result.status == ExitStatus.badInput.rawValue)
    #expect(result.stderr.contains("no Claude Code transcripts folder"))
    let nothing = try OctoGitBinary.run(
      ["usage", "import", "claude-code"], in: fixture.path, home: fixture.home,
      environment: ["CLAUDE_CONFIG_DIR": fixture.root + "/none"])
    #expect(nothing.status == 0 && nothing.stderr.contains("no Claude Code transcripts found"))
  }
}

@Suite("Importing Codex CLI usage")
struct CodexImportTests {
  @Test("the fixture's rollouts: every counted event once, twice imported still once")
  func importTwice() throws {
    let fixture = try TestRepository()
    let home = packageRoot + "/Tests/Fixtures/transcripts-small/codex"
    let first = try CanonicalJSON.parse(
      try fixture.octo("usage", "import", "codex", "--dir", home, "--all-projects", "--json"))
    #expect(first["requests"]?.intValue == 111 && first["pending"]?.intValue == 111)
    #expect((first["lines"]?.intValue ?? 0) > 111, "\(first)")
    let second = try CanonicalJSON.parse(
      try fixture.octo("usage", "import", "codex", "--dir", home, "--all-projects", "--json"))
    #expect(second["imported"]?.intValue == 0 && second["alreadyRecorded"]?.intValue == 111)
    let scoped = try CanonicalJSON.parse(try fixture.octo("usage", "import", "codex", "--dir", home, "--json"))
    #expect(scoped["requests"]?.intValue == 0 && scoped["otherProjects"]?.intValue == 111)
    try fixture.installPostCommitHook()
    try fixture.commitAll("with codex usage")
    let report = try CanonicalJSON.parse(try fixture.octo("usage", "--by", "agent", "--json"))
    #expect(report["rows"]?.arrayValue?.first?["key"]?.stringValue == "codex")
    #expect(report["total"]?["cost"]?.decimalValue == Decimal(string: "4.3563294"))
    let missing = try OctoGitBinary.run(
      ["usage", "import", "codex", "--dir", fixture.root + "/nope"], in: fixture.path, home: fixture.home)
    #expect(missing.status == ExitStatus.badInput.rawValue)
  }

  @Test("a forked thread's rollout repeats its parent's turns: each counted and said once")
  func fork() throws {
    let fixture = try TestRepository()
    let folder = fixture.root + "/codex/sessions/2030/01/02"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    func meta(_ id: String, minute: Int = 0) -> String {
      #"{"timestamp":"2030-01-02T10:0\#(minute):00.000Z","type":"session_meta","#
        + #""payload":{"id":"\#(id)","cwd":"\#(fixture.path)"}}"#
    }
    let context = #"{"timestamp":"2030-01-02T10:00:01.000Z","type":"turn_context","payload":{"model":"gpt-5"}}"#
    func count(_ input: Int, _ output: Int, at second: Int, minute: Int = 0) -> String {
      #"{"timestamp":"2030-01-02T10:0\#(minute):\#(10 + second).000Z","type":"event_msg","#
        + #""payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":\#(input),"#
        + #""cached_input_tokens":0,"output_tokens":\#(output),"total_tokens":\#(input + output)}}}}"#
    }
    let parent = [meta("parent"), context, count(1000, 100, at: 1), count(3000, 300, at: 2)]
    // The copies keep their own times, before the fork's (as older versions wrote them).
    let fork = [meta("fork", minute: 5)] + parent + [count(4000, 400, at: 3, minute: 5)]
    try Data((parent.joined(separator: "\n") + "\n").utf8).write(
      to: URL(fileURLWithPath: folder + "/rollout-2030-01-02T10-00-00-parent.jsonl"))
    try Data((fork.joined(separator: "\n") + "\n").utf8).write(
      to: URL(fileURLWithPath: folder + "/rollout-2030-01-02T10-05-00-fork.jsonl"))
    let summary = try CanonicalJSON.parse(
      try fixture.octo("usage", "import", "codex", "--dir", fixture.root + "/codex", "--json"))
    #expect(summary["requests"]?.intValue == 3 && summary["imported"]?.intValue == 3, "\(summary)")
    let pending = try CanonicalJSON.parse(try fixture.octo("usage", "pending", "--json")).arrayValue ?? []
    #expect(pending.count == 3)
    #expect(pending.reduce(0) { $0 + ($1["out"]?.intValue ?? 0) } == 400)
  }

  @Test("a subagent's fork copies its parent's last turn without the parent's meta: counted once, either way round")
  func forkWithoutParentMeta() throws {
    let fixture = try TestRepository()
    let sessions = fixture.root + "/codex/sessions/2030/01/02"
    let elsewhere = fixture.root + "/other-codex/sessions/2030/01/02"
    for folder in [sessions, elsewhere] {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    func count(_ total: (Int, Int), last: (Int, Int), at time: String) -> String {
      #"{"timestamp":"2030-01-02T\#(time)Z","type":"event_msg","payload":{"type":"token_count","info":{"#
        + #""total_token_usage":{"input_tokens":\#(total.0),"cached_input_tokens":0,"output_tokens":\#(total.1),"#
        + #""total_tokens":\#(total.0 + total.1)},"last_token_usage":{"input_tokens":\#(last.0),"#
        + #""cached_input_tokens":0,"output_tokens":\#(last.1),"total_tokens":\#(last.0 + last.1)}}}}"#
    }
    let parent = [
      #"{"timestamp":"2030-01-02T10:00:00.000Z","type":"session_meta","#
        + #""payload":{"id":"parent","cwd":"\#(fixture.path)"}}"#,
      #"{"timestamp":"2030-01-02T10:00:01.000Z","type":"turn_context","payload":{"model":"gpt-5"}}"#,
      count((1000, 100), last: (1000, 100), at: "10:00:11.000"),
      count((3000, 300), last: (2000, 200), at: "10:00:12.000"),
    ]
    let fork = [
      #"{"timestamp":"2030-01-02T10:05:00.000Z","type":"session_meta","payload":{"id":"fork","#
        + #""cwd":"\#(fixture.path)","source":{"subagent":{"thread_spawn":{"parent_thread_id":"parent"}}}}}"#,
      #"{"timestamp":"2030-01-02T10:05:00.003Z","type":"response_item","payload":{"type":"message"}}"#,
      count((3000, 300), last: (2000, 200), at: "10:05:00.004"),
      #"{"timestamp":"2030-01-02T10:05:00.010Z","type":"turn_context","payload":{"model":"gpt-5"}}"#,
      count((4000, 400), last: (1000, 100), at: "10:05:06.000"),
    ]
    try Data((fork.joined(separator: "\n") + "\n").utf8).write(
      to: URL(fileURLWithPath: sessions + "/rollout-2030-01-02T10-05-00-fork.jsonl"))
    try Data((parent.joined(separator: "\n") + "\n").utf8).write(
      to: URL(fileURLWithPath: elsewhere + "/rollout-2030-01-02T10-00-00-parent.jsonl"))
    func pendingOutput() throws -> (count: Int, output: Int) {
      let pending = try CanonicalJSON.parse(try fixture.octo("usage", "pending", "--json")).arrayValue ?? []
      return (pending.count, pending.reduce(0) { $0 + ($1["out"]?.intValue ?? 0) })
    }
    // The fork read alone: its copy of the parent's last request counts once, under the parent's id.
    _ = try fixture.octo("usage", "import", "codex", "--dir", fixture.root + "/codex")
    #expect(try pendingOutput() == (2, 300))
    #expect(try fixture.octo("usage", "pending", "--json").contains("cx:parent:3300"))
    // The parent's own rollout read later adds its first request only.
    _ = try fixture.octo("usage", "import", "codex", "--dir", fixture.root + "/other-codex")
    #expect(try pendingOutput() == (3, 400))
    // Both read in one run, in a fresh repository: the same.
    let again = try TestRepository()
    try FileManager.default.moveItem(
      atPath: elsewhere + "/rollout-2030-01-02T10-00-00-parent.jsonl",
      toPath: sessions + "/rollout-2030-01-02T10-00-00-parent.jsonl")
    let rewritten = try String(contentsOfFile: sessions + "/rollout-2030-01-02T10-05-00-fork.jsonl", encoding: .utf8)
    for name in ["fork", "parent"] {
      let file = sessions + "/rollout-2030-01-02T10-0\(name == "fork" ? 5 : 0)-00-\(name).jsonl"
      let text = name == "fork" ? rewritten : try String(contentsOfFile: file, encoding: .utf8)
      try text.replacingOccurrences(of: fixture.path, with: again.path).write(
        toFile: file, atomically: true, encoding: .utf8)
    }
    let summary = try CanonicalJSON.parse(
      try again.octo("usage", "import", "codex", "--dir", fixture.root + "/codex", "--json"))
    #expect(summary["requests"]?.intValue == 3, "\(summary)")
    let pending = try CanonicalJSON.parse(try again.octo("usage", "pending", "--json")).arrayValue ?? []
    #expect(pending.reduce(0) { $0 + ($1["out"]?.intValue ?? 0) } == 400)
  }
}
