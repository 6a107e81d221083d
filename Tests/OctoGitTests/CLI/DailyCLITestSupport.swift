import Foundation
import Testing

@testable import OctoGit

/// The helpers the everyday command-line suites share: octo-git run in a fixture, usage errors, priced usage.
protocol DailyCLISuite {}

extension DailyCLISuite {
  /// Runs octo-git in `fixture` with extra environment variables, returning the whole result.
  func run(_ fixture: TestRepository, _ arguments: [String], environment: [String: String] = [:], input: String? = nil)
    throws -> Shell.Result
  {
    try OctoGitBinary.run(arguments, in: fixture.path, home: fixture.home, environment: environment, input: input)
  }

  /// Expects a usage error: exit 2, nothing on stdout, one line on stderr holding every one of `parts`.
  func expectUsageError(
    _ fixture: TestRepository, _ arguments: [String], _ parts: [String],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let result = try run(fixture, arguments)
    #expect(
      result.status == ExitStatus.usage.rawValue, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)", sourceLocation: sourceLocation)
    #expect(
      result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
    for part in parts {
      #expect(
        result.stderr.contains(part), "\(arguments): \(result.stderr) lacks \(part)", sourceLocation: sourceLocation)
    }
  }

  /// A repository with a post-commit hook and priced usage (exact costs) committed on main.
  func withUsage(_ lines: [String]) throws -> TestRepository {
    let fixture = try TestRepository()
    try fixture.installPostCommitHook()
    try fixture.octo("usage", "record", input: lines.joined(separator: "\n"))
    try fixture.commitAll("work")
    return fixture
  }
}
