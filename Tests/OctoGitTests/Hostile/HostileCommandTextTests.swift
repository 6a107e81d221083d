import Foundation
import Testing

@testable import OctoGit

/// Text from outside (a harness's feature description and id, a branch name, a price file's model names)
/// printed by commands that change something, and written into commits.
@Suite("Hostile text printed by feature and pricing commands")
struct HostileCommandTextTests {
  static let escape = "\u{1B}"

  @Test("feature pass and start print control characters escaped and write none into the commit")
  func featureText() throws {
    let fixture = try TestRepository()
    try fixture.write("x.txt", "x\n")
    let description = "harness \(Self.escape)]0;TITLE\u{07} desc"
    let passed = try OctoGitBinary.run(
      ["feature", "pass", "--id", "T-1", "--description", description, "--test", "true"], in: fixture.path,
      home: fixture.home)
    #expect(passed.status == 0 && passed.stdout.contains("harness \\e]0;TITLE\\x07 desc"), "\(passed.stdout)")
    #expect(!passed.stdout.contains(Self.escape))
    let subject = try fixture.git("log", "-1", "--format=%B")
    #expect(!subject.contains(Self.escape) && subject.contains("\\e]0;TITLE"), "\(subject)")
    for (flag, value) in [("--id", ""), ("--id", "T\n2"), ("--description", " ")] {
      var arguments = ["feature", "pass", "--test", "true", "--id", "T-3", "--description", "d"]
      arguments[arguments.firstIndex(of: flag)! + 1] = value
      let refused = try OctoGitBinary.run(arguments, in: fixture.path, home: fixture.home)
      #expect(refused.status == ExitStatus.usage.rawValue, "\(flag) \(value): \(refused.stderr)")
    }
    try fixture.git("checkout", "-q", "-b", "evil\u{202E}RTL")
    let started = try fixture.octo("feature", "start", "from evil")
    #expect(started.contains("evil\\u{202e}RTL") && !started.contains("\u{202E}"), "\(started)")
  }

  @Test("pricing update prints a price file's model names escaped")
  func priceFileNames() throws {
    let fixture = try TestRepository()
    let file = fixture.root + "/prices.json"
    let prices = #"""
      {"claude-sonnet-4-5": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "mode": "chat"},
       "evil\u001b[31mRED\r\u202eOVER\u0007": {"input_cost_per_token": 0.001, "output_cost_per_token": 0.002}}
      """#
    try Data(prices.utf8).write(to: URL(fileURLWithPath: file))
    let result = try OctoGitBinary.run(
      ["pricing", "update", "--url", file], in: fixture.path, home: fixture.home,
      environment: ["XDG_CACHE_HOME": fixture.root + "/cache"])
    #expect(result.status == 0 && result.stdout.contains("evil\\e[31mred\\r\\u{202e}over\\x07"), "\(result.stdout)")
    #expect(!result.stdout.contains(Self.escape) && !result.stdout.contains("\r"))
  }
}

@Suite("A file's own bytes shown on a terminal")
struct HostileFileContentTests {
  @Test("checkpoints diff on a terminal shows a file's escape sequences escaped, tabs kept; piped, the bytes")
  func diffOnTerminal() throws {
    let fixture = try TestRepository()
    try fixture.octo("checkpoint", "--quiet")
    try fixture.write("evil.txt", "x\u{1B}]0;PWNED\u{07}\u{1B}[2J\n\tindented\n")
    let command = ShellWord.quoted(OctoGitBinary.path) + " checkpoints diff latest"
    let shown = try Shell.run("/usr/bin/script", ["-qec", command, "/dev/null"], in: fixture.path, home: fixture.home)
    #expect(shown.status == 0, "\(shown.stderr)")
    #expect(
      shown.stdout.contains("+x\\e]0;PWNED\\x07\\e[2J") && shown.stdout.contains("+\tindented"), "\(shown.stdout)")
    #expect(!shown.stdout.contains("\u{1B}]0;"))
    let piped = try fixture.octo("checkpoints", "diff", "latest")
    #expect(piped.contains("+x\u{1B}]0;PWNED\u{07}"))
    #expect(SafeText.terminalLines("a\tb\u{1B}\nc", keepingTabs: true) == "a\tb\\e\nc")
    #expect(SafeText.terminalLines("a\r\nb\rc\r\n", keepingTabs: true) == "a\r\nb\\rc\r\n")
    #expect(SafeText.terminalLines("a\r\nb\t") == "a\\r\nb\\t")
  }
}
