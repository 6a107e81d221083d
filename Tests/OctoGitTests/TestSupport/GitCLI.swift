import Foundation

@testable import OctoGit

/// Runs programs (the `git` CLI, the built `octo-git`) for tests, with every `GIT_*` variable removed from
/// their environment: tests may themselves run inside a git hook, whose `GIT_DIR` would aim them at
/// another repository.
enum Shell {
  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  struct Failure: Error, CustomStringConvertible {
    let command: [String]
    let result: Result
    var description: String {
      "\(command.joined(separator: " ")) exited \(result.status): \(result.stderr)\(result.stdout)"
    }
  }

  /// This process's environment without `GIT_*`, and with a private `HOME` so the user's global git
  /// config cannot change what tests see.
  static func scrubbedEnvironment(home: String? = nil) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
    if let home {
      // A private home means private XDG folders too (the rollup registry, downloaded prices).
      environment["HOME"] = home
      for variable in ["XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"] {
        environment.removeValue(forKey: variable)
      }
    }
    environment["GIT_CONFIG_NOSYSTEM"] = "1"
    environment["NO_COLOR"] = "1"
    return environment
  }

  @discardableResult
  static func run(
    _ executable: String, _ arguments: [String], in directory: String, input: Data? = nil,
    environment extra: [String: String] = [:], home: String? = nil
  ) throws -> Result {
    let result = try ProcessRunner.run(
      executable, arguments, in: directory, environment: scrubbedEnvironment(home: home).merging(extra) { $1 },
      input: input ?? Data())
    return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
  }

  static let git =
    ["/usr/bin/git", "/usr/local/bin/git"].first { FileManager.default.isExecutableFile(atPath: $0) }
    ?? "/usr/bin/git"
}
