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
}
