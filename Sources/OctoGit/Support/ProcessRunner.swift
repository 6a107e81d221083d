import Foundation

/// Runs a program to completion: stdin fed, stdout and stderr both drained while it runs (so a chatty
/// child never blocks on a full pipe), and killed when it outlives its time limit.
///
/// Internal on purpose: in the product only ``GitCLI`` spawns processes (network fetch and push, notes
/// merge); the tests use it to run git and octo-git as witnesses.
enum ProcessRunner {
  struct Result: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
    let timedOut: Bool
  }

  static func run(
    _ executable: String, _ arguments: [String], in directory: String, environment: [String: String],
    input: Data? = nil, timeout: TimeInterval? = nil
  ) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = environment
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    let inputPipe = input.map { _ in Pipe() }
    process.standardInput = inputPipe ?? FileHandle.nullDevice
    try process.run()
    if let input, let inputPipe {
      inputPipe.fileHandleForWriting.write(input)
      try inputPipe.fileHandleForWriting.close()
    }
    let deadline = KillTimer(process, after: timeout)
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
    deadline.cancel()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
      stderr: String(decoding: errorData, as: UTF8.self), timedOut: deadline.fired)
  }
}

/// Kills a process with SIGKILL when it outlives its time limit (SIGKILL: a child may have inherited a
/// blocked SIGTERM from the thread that started it).
final class KillTimer: @unchecked Sendable {
  private let lock = NSLock()
  private var didFire = false
  private var work: DispatchWorkItem?

  /// Whether the process was killed.
  var fired: Bool { lock.withLock { didFire } }

  /// Arms the timer; no limit when `timeout` is `nil`.
  init(_ process: Process, after timeout: TimeInterval?) {
    guard let timeout else { return }
    let work = DispatchWorkItem { [weak self] in
      guard process.isRunning else { return }
      self?.lock.withLock { self?.didFire = true }
      kill(process.processIdentifier, SIGKILL)
    }
    self.work = work
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: work)
  }

  func cancel() { work?.cancel() }
}
