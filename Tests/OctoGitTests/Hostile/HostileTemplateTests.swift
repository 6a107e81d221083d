import Foundation
import Testing

@testable import OctoGit

@Suite("Hostile pull-request templates")
struct HostileTemplateTests {
  @Test("a pull request's template is never read through a symbolic link; nested list sections are bounded")
  func hostileTemplates() throws {
    let repository = try TestRepository()
    try repository.git("checkout", "-q", "-b", "feature/x")
    try repository.write("x.txt", "x\n")
    try repository.commitAll("feat: x")
    try repository.git("config", "http.https://github.com/.extraheader", "AUTHORIZATION: basic c2VjcmV0")
    try FileManager.default.createDirectory(
      atPath: repository.path + "/.octo/templates", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: repository.path + "/.octo/templates/pr.md.mustache", withDestinationPath: "../../.git/config")
    let linked = try OctoGitBinary.run(["pr", "describe"], in: repository.path, home: repository.home)
    #expect(linked.status == 4 && linked.stderr.contains("symbolic link"), "\(linked.stderr)")
    #expect(!linked.stdout.contains("AUTHORIZATION") && !linked.stderr.contains("AUTHORIZATION"))
    // A linked folder on the way is refused the same way.
    try FileManager.default.removeItem(atPath: repository.path + "/.octo")
    try FileManager.default.createSymbolicLink(atPath: repository.path + "/.octo", withDestinationPath: ".git")
    try FileManager.default.createDirectory(
      atPath: repository.path + "/.git/templates", withIntermediateDirectories: true)
    try "{{title}}".write(toFile: repository.path + "/.git/templates/pr.md.mustache", atomically: true, encoding: .utf8)
    let folder = try OctoGitBinary.run(["pr", "describe"], in: repository.path, home: repository.home)
    #expect(folder.status == 4 && folder.stderr.contains("symbolic link"), "\(folder.stderr)")

    // 30 nested sections over the commits' list: refused before rendering, not run for hours.
    let nested = String(repeating: "{{#commits}}", count: 30) + "x" + String(repeating: "{{/commits}}", count: 30)
    var sizes = BoundedTemplate.Sizes()
    sizes.measure(["commits": [["title": "0123456789"], ["title": "x"]], "note": String(repeating: "n", count: 1000)])
    #expect(BoundedTemplate.estimate(nested, sizes: sizes) > BoundedTemplate.maxOutput)
    // Two rows of "- ", the average title (11 bytes in two, six times as HTML), a line end.
    #expect(BoundedTemplate.estimate("{{#commits}}- {{title}}\n{{/commits}}", sizes: sizes) == 2 * (2 + 6 * 6 + 1))
    // `.` inside a list that is empty writes nothing, however large the other values.
    var large = BoundedTemplate.Sizes()
    large.measure(["paths": [String](), "model": String(repeating: "m", count: 3_000_000)])
    #expect(BoundedTemplate.estimate("{{#paths}}- {{.}}\n{{/paths}}", sizes: large) < 100)
    // A tag naming a list or `.` writes all it holds.
    #expect(BoundedTemplate.estimate("{{{.}}}", sizes: sizes) >= 1011)
    let described = String(repeating: "{{{.}}}", count: 30_000)
    #expect(BoundedTemplate.estimate(described, sizes: sizes) == 30_000 * sizes.whole)
    #expect(
      BoundedTemplate.estimate("{{#commits}}{{#commits}}{{{commits}}}{{/commits}}{{/commits}}", sizes: sizes)
        == 4 * sizes.average("commits"))
    // Through a transform, and text inside the deepest section, counted too.
    let transformed =
      String(repeating: "{{#reversed(commits)}}", count: 30) + "x"
      + String(repeating: "{{/reversed(commits)}}", count: 30)
    #expect(BoundedTemplate.estimate(transformed, sizes: sizes) > BoundedTemplate.maxOutput)
    let wide =
      "{{#commits}}{{#commits}}{{#commits}}{{{note}}}" + String(repeating: "t", count: 2000)
      + "{{/commits}}{{/commits}}{{/commits}}"
    #expect(BoundedTemplate.estimate(wide, sizes: sizes) == 8 * (1000 + 2000))
    let template = try TemplateLimits.parse(nested, name: "nested")
    #expect(throws: OctoError.self) { try template.render(["commits": [["a": 1], ["a": 2]]]) }
    // Thirteen sections over three commits write little but enter their bodies 3^13 times: refused at once.
    let quiet = String(repeating: "{{#commits}}", count: 13) + "." + String(repeating: "{{/commits}}", count: 13)
    let three = ["commits": [["a": 1], ["a": 2], ["a": 3]]]
    var threeSizes = BoundedTemplate.Sizes()
    threeSizes.measure(three)
    #expect(BoundedTemplate.measure(quiet, sizes: threeSizes).bytes < BoundedTemplate.maxOutput)
    #expect(BoundedTemplate.measure(quiet, sizes: threeSizes).runs > BoundedTemplate.maxSectionRuns)
    #expect {
      try TemplateLimits.parse(quiet, name: "quiet").render(three)
    } throws: { "\($0)".contains("would enter its sections over") }
    // Three entries at depth 1, nine at depth 2.
    #expect(BoundedTemplate.measure("{{#commits}}{{#commits}}.{{/commits}}{{/commits}}", sizes: threeSizes).runs == 21)
    // A list inside each item of another (each group's commits) runs at its own length: 2 groups at depth 1,
    // then their 3 commits, about 2 per group, at depth 2.
    var grouped = BoundedTemplate.Sizes()
    grouped.measure(["groups": [["commits": [1, 2]], ["commits": [3]]], "commits": [1, 2, 3, 4, 5, 6, 7, 8]])
    #expect(BoundedTemplate.measure("{{#groups}}{{#commits}}.{{/commits}}{{/groups}}", sizes: grouped).runs == 10)
    // Any white space in a name (as the renderer skips it), and a transform over a dictionary's members.
    let broken = String(repeating: "{{#commits\n}}", count: 30) + "x" + String(repeating: "{{/commits\n}}", count: 30)
    #expect(BoundedTemplate.estimate(broken, sizes: sizes) > BoundedTemplate.maxOutput)
    var dictionary = BoundedTemplate.Sizes()
    dictionary.measure(["cost": ["a": "1", "b": "2", "c": "3"]])
    let members =
      String(repeating: "{{#enumerated(cost)}}", count: 20) + "x"
      + String(repeating: "{{/enumerated(cost)}}", count: 20)
    #expect(BoundedTemplate.estimate(members, sizes: dictionary) > BoundedTemplate.maxOutput)

    // The built-in description of a long pull request (2,000 one-line commits in 8 groups) is not refused.
    let commits: [[String: Any]] = (0..<250).map {
      ["description": "change \($0)", "short": "abc1234", "breaking": false]
    }
    var big = BoundedTemplate.Sizes()
    big.measure([
      "title": "t", "groups": (0..<8).map { ["title": "Group \($0)", "commits": commits] as [String: Any] },
    ])
    let builtIn = try #require(DefaultFiles.content(of: PullRequestDescriber.templatePath))
    #expect(BoundedTemplate.estimate(builtIn, sizes: big) < 1 << 20)
  }

  @Test("pr describe escapes what the repository holds: names, subjects, paths, branch, usage's models")
  func describeEscapes() throws {
    let repository = try TestRepository()
    let branch = "feature/a--><img_src=x_onerror=alert(1)>"
    try repository.git("checkout", "-q", "-b", branch)
    try repository.write("a`b|c.txt", "x\n")
    try repository.git("add", "-A")
    try repository.git(
      "commit", "-q", "-m", "fix: ping @octocat [x](http://evil) <!-- \u{1B}[31mred\u{07}",
      "-m", "body <script>alert(1)</script> \u{202E}reversed \\<img src=x onerror=alert(1) x=\\>")
    let model = "m\u{1B}]0;title\u{07}<script>|x"
    let line =
      #"{"at":"2026-01-05T10:00:00.000Z","cost":1,"id":"e1","in":1,"model":"#
      + CanonicalJSON.string(.string(model)) + #","out":1,"v":1}"#
    try repository.git("notes", "--ref=octo/usage", "add", "-f", "-m", line, "HEAD")
    let output = try repository.octo("pr", "describe")
    // The title goes to GitHub as plain text; on the terminal it is escaped.
    let title = try #require(output.split(separator: "\n").first)
    #expect(title.hasPrefix("# fix: ping") && title.contains("\\\\e\\[31m") && !title.contains("\u{1B}"), "\(title)")
    #expect(!title.replacingOccurrences(of: "\\<", with: "").contains("<") && !title.contains("@octocat"), "\(title)")
    let body = output.split(separator: "\n").dropFirst().joined(separator: "\n")
    #expect(!body.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" } && !body.contains("\u{202E}"))
    // No HTML from data: every < but the footer's is escaped.
    let html = body.split(separator: "\n").filter { !$0.hasPrefix("<!-- octo-git:v1 ") }.joined(separator: "\n")
    let unescaped = html.replacingOccurrences(of: "\\\\", with: "").replacingOccurrences(of: "\\<", with: "")
    #expect(!unescaped.contains("<"), "\(html)")
    #expect(!body.contains("@octocat"))
    // The footer is one comment whatever the branch name holds.
    let footer = try #require(body.split(separator: "\n").last { $0.hasPrefix("<!-- octo-git:v1 ") })
    #expect(footer.hasSuffix(" -->") && footer.dropFirst(5).dropLast(4).contains("-->") == false, "\(footer)")
    // Every table row keeps its columns: a | from data is escaped.
    for row in body.split(separator: "\n") where row.hasPrefix("| ") {
      let columns = row.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
      #expect(columns == 4 || columns == 5, "\(row)")
    }
  }
}
