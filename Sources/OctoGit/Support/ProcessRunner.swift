import CShims
import Foundation

/// Runs a program to completion: stdin fed and stdout and stderr drained in one `poll` loop (so a chatty
/// child never blocks on a full pipe), and the program stopped with everything it started when it
/// outlives its time limit.
///
/// The program starts in a process group of its own (see CShims' spawn_group.c), so a time limit reaches
/// what it started too: git's `git-remote-http`, a test command's background jobs. At the limit the group
/// gets SIGTERM, then SIGKILL a second later, and the runner returns without waiting for the pipes to
/// close. A program that ends while something it started still holds its stdout or stderr open is not
/// waited for beyond a short grace either. SIGINT, SIGTERM, SIGHUP and SIGQUIT that octo-git receives
/// meanwhile are passed on to the group (it is not the terminal's foreground group any more).
///
/// Internal on purpose: in the product only ``GitCLI`` and ``UserCommand`` spawn processes; the tests use
/// it to run git and octo-git as witnesses.
enum ProcessRunner {
  struct Result: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
    let timedOut: Bool
  }

  /// Where one of the program's outputs goes.
  enum Destination: Sendable {
    /// Read into the completion's `stdout` or `stderr`.
    case capture
    /// One of this process's own descriptors (`STDOUT_FILENO`, `STDERR_FILENO`), shared with the program.
    case inherit(Int32)
    /// `/dev/null`.
    case discard
  }

  /// How a program ended.
  struct Completion: Sendable {
    /// Its exit code, or 128 + the signal that ended it (as shells report it).
    let status: Int32
    /// What it wrote where its destination was ``Destination/capture``.
    let stdout: Data
    let stderr: Data
    /// Whether it was stopped at the time limit.
    let timedOut: Bool
    /// Its process id, which is also its process group's id.
    let processID: Int32
    /// Whether it was stopped for writing more than its `outputLimit` on stdout (what it wrote is cut
    /// there).
    var outputOverflowed = false
  }

  /// Why a program could not be started: the system's words for it.
  struct LaunchError: Error, CustomStringConvertible, LocalizedError {
    let code: Int32
    var message: String?

    init(code: Int32, message: String? = nil) {
      self.code = code
      self.message = message
    }

    var description: String { message ?? String(cString: strerror(code)) }
    var errorDescription: String? { description }
  }

  /// How long the group has between SIGTERM and SIGKILL once the time limit is reached.
  static let terminationGrace: TimeInterval = 1
  /// How long to go on reading once the program has ended, when something it started holds the pipes open.
  static let drainGrace: TimeInterval = 0.2

  /// Runs `executable` with `arguments` in `directory`, `input` on its stdin (`/dev/null` when `nil`), and
  /// returns what it wrote on stdout and stderr.
  static func run(
    _ executable: String, _ arguments: [String], in directory: String, environment: [String: String],
    input: Data? = nil, timeout: TimeInterval? = nil
  ) throws -> Result {
    let completion = try execute(
      executable, arguments, in: directory, environment: environment, input: input, stdout: .capture,
      stderr: .capture, timeout: timeout)
    return Result(
      status: completion.status, stdout: String(decoding: completion.stdout, as: UTF8.self),
      stderr: String(decoding: completion.stderr, as: UTF8.self), timedOut: completion.timedOut)
  }

  /// Runs `executable` with `arguments` in `directory`, `input` on its stdin (`/dev/null` when `nil`), its
  /// stdout and stderr sent where asked; stopped with its whole process group after `timeout` seconds.
  ///
  /// A captured stdout longer than `outputLimit` bytes stops the group as the time limit does
  /// (``Completion/outputOverflowed``); a captured stderr keeps its first `errorsLimit` bytes and the rest
  /// is read and dropped, so the program never blocks on it.
  static func execute(
    _ executable: String, _ arguments: [String], in directory: String, environment: [String: String],
    input: Data?, stdout: Destination, stderr: Destination, timeout: TimeInterval?, outputLimit: Int = .max,
    errorsLimit: Int = .max
  ) throws -> Completion {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else {
      throw LaunchError(code: ENOENT, message: "no folder at \(directory)")
    }
    let path = executable.hasPrefix("/") ? executable : FileManager.default.currentDirectoryPath + "/" + executable

    // The child's ends (closed here once it has them) and ours.
    var childEnds: [Int32] = []
    var ourEnds: [Int32] = []
    var childInput: Int32 = -1
    var inputEnd: Int32 = -1
    var childOutput: Int32 = -1
    var outputEnd: Int32 = -1
    var childErrors: Int32 = -1
    var errorsEnd: Int32 = -1
    var processID: Int32 = 0
    do {
      if input != nil {
        let pipe = try makePipe(nonblockingEnd: 1)
        childEnds.append(pipe.read)
        ourEnds.append(pipe.write)
        (childInput, inputEnd) = (pipe.read, pipe.write)
      } else {
        childInput = try openNull(writing: false)
        childEnds.append(childInput)
      }
      (childOutput, outputEnd) = try attach(stdout, childEnds: &childEnds, ourEnds: &ourEnds)
      (childErrors, errorsEnd) = try attach(stderr, childEnds: &childEnds, ourEnds: &ourEnds)
      let code = withCStrings([path] + arguments) { argv in
        withCStrings(environment.map { "\($0.key)=\($0.value)" }) { envp in
          octo_spawn_group(path, argv, envp, directory, childInput, childOutput, childErrors, &processID)
        }
      }
      guard code == 0 else { throw LaunchError(code: code) }
    } catch {
      for descriptor in childEnds + ourEnds { close(descriptor) }
      throw error
    }
    // Only the child holds its ends now: end of file comes when it (and what it started) closes them.
    for descriptor in childEnds { close(descriptor) }
    // Ctrl-C reaches octo-git's group, no longer the program's: passed on while it runs.
    let forwarding = octo_forward_signals_to(processID)

    var loop = PollLoop(
      processID: processID, input: inputEnd, bytes: input ?? Data(), output: outputEnd, errors: errorsEnd,
      outputLimit: outputLimit, errorsLimit: errorsLimit)
    defer { loop.closeAll() }
    let started = now()
    let deadline = timeout.map { started + max(0, $0) }
    let stopped = loop.runUntilExit(deadline: deadline)
    if stopped {
      // SIGTERM to the whole group, a grace to finish (still draining, so nothing blocks on a full pipe),
      // then SIGKILL for whatever is left. The leader is not reaped until after SIGKILL, so the group id
      // cannot have been reused meanwhile.
      kill(-processID, SIGTERM)
      loop.waitForExit(until: now() + terminationGrace)
      kill(-processID, SIGKILL)
    }
    // Our read ends close without waiting for end of file: a grandchild may hold the pipes open.
    loop.closeAll()
    // Before reaping: until then the group id cannot be anyone else's.
    octo_forward_signals_stop(forwarding)
    var raw: Int32 = 0
    var waited: Int32
    repeat {
      waited = waitpid(processID, &raw, 0)
    } while waited < 0 && errno == EINTR
    let status: Int32 = waited == processID ? exitCode(raw) : -1
    return Completion(
      status: status, stdout: loop.outputData, stderr: loop.errorsData, timedOut: stopped && !loop.overflowed,
      processID: processID, outputOverflowed: loop.overflowed)
  }

  /// The exit code in a `waitpid` status, or 128 + the signal that ended the process.
  static func exitCode(_ raw: Int32) -> Int32 {
    let signal = raw & 0x7f
    return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
  }

  /// Seconds on a monotonic clock.
  static func now() -> TimeInterval {
    TimeInterval(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000
  }

  private static func makePipe(nonblockingEnd: Int32) throws -> (read: Int32, write: Int32) {
    var ends: [Int32] = [-1, -1]
    let code = octo_pipe(&ends, nonblockingEnd)
    guard code == 0 else { throw LaunchError(code: code) }
    return (ends[0], ends[1])
  }

  private static func openNull(writing: Bool) throws -> Int32 {
    let descriptor = octo_open_null(writing ? 1 : 0)
    guard descriptor >= 0 else { throw LaunchError(code: errno) }
    return descriptor
  }

  /// The child's descriptor for one output, and ours to read it from (-1 when it is not captured).
  private static func attach(_ destination: Destination, childEnds: inout [Int32], ourEnds: inout [Int32]) throws
    -> (child: Int32, ours: Int32)
  {
    switch destination {
    case .capture:
      let pipe = try makePipe(nonblockingEnd: 0)
      childEnds.append(pipe.write)
      ourEnds.append(pipe.read)
      return (pipe.write, pipe.read)
    case .inherit(let descriptor):
      return (descriptor, -1)
    case .discard:
      let null = try openNull(writing: true)
      childEnds.append(null)
      return (null, -1)
    }
  }

  /// `body` given a NULL-terminated array of C copies of `strings`.
  private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { for copy in copies { free(copy) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
  }
}

/// The one loop that feeds a child's stdin and drains its stdout and stderr until it ends, its time is up
/// or its stdout passes its limit. Owns our ends of the pipes.
private struct PollLoop {
  let processID: Int32
  var input: Int32
  let bytes: Data
  var offset = 0
  var output: Int32
  var errors: Int32
  var outputData = Data()
  var errorsData = Data()
  /// The most bytes of stdout taken: past it the program is stopped (``overflowed``).
  let outputLimit: Int
  /// The most bytes of stderr kept: past it what comes is read and dropped.
  let errorsLimit: Int
  /// Whether stdout passed ``outputLimit``.
  var overflowed = false
  /// Readable once the child has ended (a pidfd); -1 where the system has none, and the loop then looks
  /// every `slice` seconds (2 ms at first, then up to every 50 ms).
  var exitWatch: Int32
  var slice: TimeInterval = 0.002
  var exited = false

  init(
    processID: Int32, input: Int32, bytes: Data, output: Int32, errors: Int32, outputLimit: Int, errorsLimit: Int
  ) {
    self.processID = processID
    self.input = input
    self.bytes = bytes
    self.output = output
    self.errors = errors
    self.outputLimit = outputLimit
    self.errorsLimit = errorsLimit
    exitWatch = octo_pidfd_open(processID)
    if input >= 0 && bytes.isEmpty { closeInput() }
  }

  /// Runs until the child has ended and its pipes are drained (or `ProcessRunner.drainGrace` has passed
  /// since it ended); returns `true` when `deadline` came first or stdout passed its limit.
  mutating func runUntilExit(deadline: TimeInterval?) -> Bool {
    var exitedAt: TimeInterval = 0
    while true {
      if overflowed { return true }
      if !exited, checkExited() { exitedAt = ProcessRunner.now() }
      let current = ProcessRunner.now()
      let wait: TimeInterval
      if exited {
        if output < 0 && errors < 0 { return false }
        wait = exitedAt + ProcessRunner.drainGrace - current
        if wait <= 0 { return false }
      } else if let deadline {
        wait = deadline - current
        if wait <= 0 { return true }
      } else {
        wait = 3600
      }
      step(waiting: wait)
    }
  }

  /// Drains the outputs until the child has ended or `limit` has come.
  mutating func waitForExit(until limit: TimeInterval) {
    while !exited && !checkExited() {
      let wait = limit - ProcessRunner.now()
      if wait <= 0 { return }
      step(waiting: wait)
    }
  }

  /// One `poll`: writes what stdin takes, reads what is there, for at most `seconds`.
  private mutating func step(waiting seconds: TimeInterval) {
    var entries: [pollfd] = []
    if input >= 0 { entries.append(pollfd(fd: input, events: Int16(POLLOUT), revents: 0)) }
    if output >= 0 { entries.append(pollfd(fd: output, events: Int16(POLLIN), revents: 0)) }
    if errors >= 0 { entries.append(pollfd(fd: errors, events: Int16(POLLIN), revents: 0)) }
    if !exited && exitWatch >= 0 { entries.append(pollfd(fd: exitWatch, events: Int16(POLLIN), revents: 0)) }
    var limit = max(0, min(seconds, 3600))
    if !exited && exitWatch < 0 {
      limit = min(limit, slice)
      slice = min(slice * 2, 0.05)
    }
    // Rounded up: a wait rounded down to 0 ms would spin.
    let milliseconds = Int32((limit * 1000).rounded(.up))
    let ready = poll(&entries, nfds_t(entries.count), milliseconds)
    if ready < 0 {
      if errno != EINTR { usleep(10_000) }
      return
    }
    if ready == 0 { return }
    for entry in entries where entry.revents != 0 {
      if entry.fd == input {
        feedInput()
      } else if entry.fd == output {
        if !Self.readAvailable(output, into: &outputData, keeping: outputLimit) {
          closeOutput()
        } else if outputData.count > outputLimit {
          // (One byte past the limit is kept: it tells "at the limit" from "over it".)
          overflowed = true
          closeOutput()
        }
      } else if entry.fd == errors {
        if !Self.readAvailable(errors, into: &errorsData, keeping: errorsLimit) { closeErrors() }
      }
    }
  }

  /// Whether the child has ended (without reaping it); stdin is closed then.
  private mutating func checkExited() -> Bool {
    if exited { return true }
    // -1: it cannot be waited for (SIGCHLD ignored reaps it at once): as good as ended.
    if octo_child_exited(processID) == 0 { return false }
    exited = true
    closeInput()
    return true
  }

  private mutating func feedInput() {
    let remaining = bytes.count - offset
    guard remaining > 0 else {
      closeInput()
      return
    }
    let chunk = min(remaining, 65536)
    let start = offset
    let descriptor = input
    let written = bytes.withUnsafeBytes { raw -> Int in
      guard let base = raw.baseAddress else { return 0 }
      return octo_write_nosigpipe(descriptor, base + start, chunk)
    }
    if written > 0 {
      offset += written
      if offset >= bytes.count { closeInput() }
    } else if written != -Int(EAGAIN) && written != -Int(EINTR) {
      // EPIPE: the program stopped reading its input.
      closeInput()
    }
  }

  /// Reads what is available, appending to `data` while it holds at most `limit` bytes (one more, to
  /// show that there was more); `false` at end of file or on an error.
  private static func readAvailable(_ descriptor: Int32, into data: inout Data, keeping limit: Int) -> Bool {
    let (count, error) = withUnsafeTemporaryAllocation(byteCount: 65536, alignment: 16) { buffer -> (Int, Int32) in
      let count = read(descriptor, buffer.baseAddress, buffer.count)
      let room = limit == .max ? count : max(0, limit + 1 - data.count)
      if count > 0, room > 0 {
        data.append(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: min(count, room))
      }
      return (count, count < 0 ? errno : 0)
    }
    if count > 0 { return true }
    if count == 0 { return false }
    return error == EAGAIN || error == EINTR
  }

  private mutating func closeInput() {
    if input >= 0 { close(input) }
    input = -1
  }

  private mutating func closeOutput() {
    if output >= 0 { close(output) }
    output = -1
  }

  private mutating func closeErrors() {
    if errors >= 0 { close(errors) }
    errors = -1
  }

  mutating func closeAll() {
    closeInput()
    closeOutput()
    closeErrors()
    if exitWatch >= 0 { close(exitWatch) }
    exitWatch = -1
  }
}
