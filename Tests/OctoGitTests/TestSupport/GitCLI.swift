import Foundation

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
    if let home { environment["HOME"] = home }
    environment["GIT_CONFIG_NOSYSTEM"] = "1"
    environment["NO_COLOR"] = "1"
    return environment
  }

  @discardableResult
  static func run(
    _ executable: String, _ arguments: [String], in directory: String, input: Data? = nil,
    environment extra: [String: String] = [:], home: String? = nil
  ) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = scrubbedEnvironment(home: home).merging(extra) { $1 }
    let output = Pipe()
    let errors = Pipe()
    let inputPipe = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = inputPipe
    try process.run()
    if let input { inputPipe.fileHandleForWriting.write(input) }
    try inputPipe.fileHandleForWriting.close()
    // Read both pipes to the end before waiting, so a chatty child never blocks on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var errorData = Data()
    group.enter()
    DispatchQueue.global().async {
      errorData = errors.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
      stderr: String(decoding: errorData, as: UTF8.self))
  }

  static let git = ["/usr/bin/git", "/usr/local/bin/git"].first { FileManager.default.isExecutableFile(atPath: $0) }
    ?? "/usr/bin/git"
}
