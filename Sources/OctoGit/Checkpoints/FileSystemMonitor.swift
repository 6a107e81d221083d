import Foundation

/// The file-system monitor a repository has configured (`core.fsmonitor`), asked as git asks it which
/// paths may have changed since the last checkpoint, so that a checkpoint looks only at those instead of
/// calling `lstat` on every file (what `git status` does with it).
///
/// `core.fsmonitor` is read as git reads it: a boolean `true` is git's built-in daemon (`git
/// fsmonitor--daemon`, spoken to over IPC, which this octo-git does not do: checkpoints stat every file),
/// `false` or unset is none, and any other value is the command of a hook (`~/` expanded, a relative path
/// taken from the work tree's root). Only version 2 of the hook protocol is used: with
/// `core.fsmonitorHookVersion` set to 1 the hook is not run (version 1 answers by time, which can miss a
/// change made in the same instant).
///
/// The hook runs as git runs it: through the shell in the work tree's root, as `<command> 2 <token>`, with
/// `/dev/null` on stdin and octo-git's environment less `GIT_*` (see ``UserCommand``). Its answer on
/// stdout is the token to give next time, a NUL, then the paths that may have changed since `token`, each
/// relative to the work tree's root and ended or separated by a NUL; a `/` right after the first NUL says
/// everything may have changed. A hook that fails, exits non-zero, takes longer than ``timeout`` or
/// answers something else leaves the checkpoint to stat every file, as git does.
enum FileSystemMonitor {
  /// What `core.fsmonitor` (and `core.fsmonitorHookVersion`) configure.
  enum Mode: Equatable, Sendable {
    case off
    /// A hook octo-git asks: the command as the shell will run it.
    case hook(String)
    /// git's built-in daemon (`core.fsmonitor=true`), which this octo-git does not speak to.
    case daemon
    /// A hook configured for version 1 of the protocol, which octo-git does not use.
    case hookVersionOne(String)
  }

  /// What a hook answered.
  enum Answer: Equatable, Sendable {
    /// These paths (in ``RawPath`` form, relative to the work tree's root) may have changed; any other
    /// path has not. Each may name a file or a folder (everything below it). `token` is the one to ask
    /// with next time.
    case changed(token: String, paths: [String])
    /// Anything may have changed; ask with `token` next time.
    case everything(token: String)
    /// No usable answer, and why (one line).
    case failed(String)
  }

  /// How long a hook may take: past it, it is stopped with what it started and every file is looked at.
  static let timeout: TimeInterval = 10
  /// The most a hook may print on stdout (64 MB): past it, it is stopped and every file is looked at.
  static let outputLimit = 64 << 20
  /// The longest token taken.
  static let maxTokenLength = 4096
  /// The most paths taken from one answer: more are read as "everything may have changed".
  static let maxPaths = 1 << 20

  // MARK: - Configuration

  /// What the configuration asks for; `.off` without a configuration.
  static func mode(_ config: Config?) -> Mode {
    guard let config else { return .off }
    let value: String
    do {
      guard let configured = try config.string("core.fsmonitor") else { return .off }
      value = configured
    } catch {
      // A key without a value (`fsmonitor` alone in `[core]`) is git's `true`.
      return ((try? config.bool("core.fsmonitor")) ?? false) ? .daemon : .off
    }
    if let flag = maybeBool(value) { return flag ? .daemon : .off }
    let command = value.hasPrefix("~/") ? NSHomeDirectory() + String(value.dropFirst(1)) : value
    // git tries version 2 first when the version is unset (or not 1 or 2): so does octo-git.
    if let version = try? config.int("core.fsmonitorHookVersion"), version == 1 { return .hookVersionOne(command) }
    return .hook(command)
  }

  /// `text` read as git's `git_parse_maybe_bool` reads it: `true`, `yes`, `on` and non-zero numbers are
  /// true; `false`, `no`, `off`, `` and zero are false; anything else (a hook's command) is `nil`.
  static func maybeBool(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off", "": return false
    default: break
    }
    var digits = Substring(text)
    if let last = digits.last, "kKmMgG".contains(last) { digits = digits.dropLast() }
    guard let number = Int64(digits) else { return nil }
    return number != 0
  }

  /// Why `command` cannot run, when that can be told without running it: a path, or a name looked up in
  /// `PATH`, that names no executable file. `nil` when it looks runnable, or when it is a shell command
  /// line (spaces, quotes, `$`…) that only the shell can judge.
  static func unrunnable(_ command: String, workTree: String) -> String? {
    if isCommandLine(command) { return nil }
    func isProgram(_ path: String) -> Bool {
      var isFolder: ObjCBool = false
      return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
        && FileManager.default.isExecutableFile(atPath: path)
    }
    if command.contains("/") {
      let path = command.hasPrefix("/") ? command : workTree + "/" + command
      if isProgram(path) { return nil }
      return FileManager.default.fileExists(atPath: path) ? "\(command) is not executable" : "\(command) does not exist"
    }
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    if folders.contains(where: { isProgram(String($0) + "/" + command) }) { return nil }
    return "\(command) is not a program on PATH"
  }

  /// Whether `command` is a shell command line (spaces, quotes, `$`…) rather than a program's path or name.
  static func isCommandLine(_ command: String) -> Bool {
    command.contains(where: { " \t\n'\"\\$`;&|<>()*?[]{}~#=".contains($0) })
  }

  // MARK: - Asking

  /// The token of a first question, as git seeds it: the time now in nanoseconds, in decimal. A hook
  /// answers it with everything it knows (Watchman's sample hook: every file, or `/`) and a real token.
  static func firstToken() -> String {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return String(UInt64(max(0, now.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, now.tv_nsec)))
  }

  /// Asks the hook `command` what changed since `token`, running it in `workTree`.
  static func query(
    _ command: String, since token: String, workTree: String, timeout: TimeInterval = FileSystemMonitor.timeout
  ) -> Answer {
    let captured: UserCommand.Captured
    do {
      // git's way with a hook command that may be a command line: `sh -c '<command> "$@"' <command> ARGS`.
      captured = try UserCommand.capture(
        "/bin/sh", ["-c", command + " \"$@\"", command, "2", token], in: workTree, timeout: timeout,
        outputLimit: outputLimit, errorsLimit: 4096)
    } catch {
      return .failed("\(error)")
    }
    if captured.timedOut { return .failed("no answer within \(Int(timeout)) s") }
    if captured.outputOverflowed { return .failed("answered more than \(outputLimit >> 20) MB") }
    if captured.status != 0 {
      let said = firstLine(of: captured.stderr)
      return .failed("exited with status \(captured.status)" + (said.map { ": " + $0 } ?? ""))
    }
    return captured.stdout.withUnsafeBytes { parse($0.bindMemory(to: UInt8.self)) }
  }

  /// The first line of `data` holding something, trimmed and cut at 200 characters.
  static func firstLine(of data: Data) -> String? {
    let text = String(decoding: data, as: UTF8.self)
    for line in text.split(whereSeparator: \.isNewline) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if !trimmed.isEmpty { return trimmed.count > 200 ? String(trimmed.prefix(200)) + "…" : trimmed }
    }
    return nil
  }

  // MARK: - Reading an answer

  /// Reads a version 2 hook's answer (see ``FileSystemMonitor``).
  ///
  /// Failed: no NUL after the token, an empty token, one longer than ``maxTokenLength`` or holding
  /// anything but printable ASCII (it goes back to the hook as an argument), and any path git could not
  /// hold (empty, absolute, with an empty, `.` or `..` component): an answer that names such a path is
  /// not trusted at all. One trailing `/` (a folder) is dropped; paths in `.git` are dropped. More than
  /// ``maxPaths`` paths read as everything.
  static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Answer {
    guard let end = bytes.firstIndex(of: 0) else { return .failed("answered no NUL after the token") }
    let tokenBytes = bytes[..<end]
    if tokenBytes.isEmpty { return .failed("answered an empty token") }
    if tokenBytes.count > maxTokenLength { return .failed("answered a token longer than \(maxTokenLength) bytes") }
    guard tokenBytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
      return .failed("answered a token that is not printable ASCII")
    }
    let token = String(decoding: tokenBytes, as: UTF8.self)
    var start = end + 1
    if start < bytes.count, bytes[start] == UInt8(ascii: "/") { return .everything(token: token) }
    var paths: [String] = []
    while start < bytes.count {
      let stop = bytes[start...].firstIndex(of: 0) ?? bytes.count
      var entry = bytes[start..<stop]
      start = stop + 1
      if entry.last == UInt8(ascii: "/") { entry = entry.dropLast() }
      guard isRelativePath(entry) else {
        let shown = RawPath.shown(RawPath.string(Array(entry.prefix(200))))
        return .failed("answered a path that is not one in the work tree: \(shown.isEmpty ? "(empty)" : shown)")
      }
      // What happens in .git is not the work tree's.
      if entry.starts(with: dotGit) && (entry.count == 4 || entry[entry.startIndex + 4] == UInt8(ascii: "/")) {
        continue
      }
      if paths.count == maxPaths { return .everything(token: token) }
      paths.append(RawPath.string(Array(entry)))
    }
    return .changed(token: token, paths: paths)
  }

  /// The same, for an answer held in an array.
  static func parse(_ bytes: [UInt8]) -> Answer {
    bytes.withUnsafeBufferPointer { parse($0) }
  }

  private static let dotGit = Array(".git".utf8)

  /// Whether `entry` is a relative path without an empty, `.` or `..` component.
  private static func isRelativePath(_ entry: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
    if entry.isEmpty { return false }
    for component in entry.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
      if component.isEmpty || component.elementsEqual([0x2E]) || component.elementsEqual([0x2E, 0x2E]) {
        return false
      }
    }
    return true
  }
}
