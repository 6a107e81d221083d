import Foundation

/// The `git push` a pre-push hook runs for, read from the process table: git runs the hook for
/// `git push --dry-run` too, and gives the hook no sign of it.
enum PushCommandLine {
  /// The variable the pre-push stub sets to its parent's process id (the `git push` process, or a hook
  /// manager that git started).
  static let processVariable = "OCTO_GIT_PUSH_PID"

  /// Whether the push the hook runs for is a dry run. From the process the stub names, up its parents (a
  /// hook manager between git and the stub), to the first that is a `git … push`. `false` when it cannot
  /// tell (no process table, an alias that names no push).
  static func isDryRun(environment: [String: String]) -> Bool {
    guard let text = environment[processVariable], var pid = Int32(text), pid > 1 else { return false }
    for _ in 0..<4 {
      guard let arguments = arguments(of: pid) else { return false }
      if let dryRun = isDryRun(arguments) { return dryRun }
      guard let parent = parent(of: pid), parent > 1 else { return false }
      pid = parent
    }
    return false
  }

  /// Options of `git push` that take the next argument as their value (when not written `--name=value`).
  private static let valued = ["--push-option", "--repo", "--receive-pack", "--exec"]

  /// Whether `arguments` (a command line, the program first) are those of a dry-run push (`--dry-run` or a
  /// prefix git accepts of it, `-n` alone or among short flags; the last of it and `--no-dry-run` wins);
  /// `nil` when they are not a git push.
  static func isDryRun(_ arguments: [String]) -> Bool? {
    guard let program = arguments.first, program.split(separator: "/").last == "git",
      let push = arguments.dropFirst().firstIndex(of: "push")
    else { return nil }
    var dryRun = false
    var skipValue = false
    for argument in arguments[(push + 1)...] {
      if skipValue {
        skipValue = false
        continue
      }
      if argument == "--" { break }
      if argument.hasPrefix("--") {
        let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
        // git takes a unique prefix of a long option: --dry and --dry-run alike (--d is ambiguous).
        if name.count >= 5 && "--dry-run".hasPrefix(name) { dryRun = true }
        if name.count >= 6 && "--no-dry-run".hasPrefix(name) { dryRun = false }
        if !argument.contains("="), valued.contains(where: { name == $0 || (name.count >= 6 && $0.hasPrefix(name)) }) {
          skipValue = true
        }
        continue
      }
      guard argument.hasPrefix("-"), argument.count > 1 else { continue }
      // Short flags bundled (`-fn`); `-o` takes the rest, or the next argument, as its value.
      for flag in argument.dropFirst() {
        if flag == "n" { dryRun = true }
        if flag == "o" {
          skipValue = argument.hasSuffix("o")
          break
        }
      }
    }
    return dryRun
  }

  /// The command line of process `pid` (`/proc/<pid>/cmdline`, at most 1 MB read); `nil` when unreadable.
  private static func arguments(of pid: Int32) -> [String]? {
    guard let data = read("/proc/\(pid)/cmdline") else { return nil }
    return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The parent of process `pid` (`/proc/<pid>/stat`: the field after the command's closing parenthesis).
  private static func parent(of pid: Int32) -> Int32? {
    guard let data = read("/proc/\(pid)/stat"), let close = data.lastIndex(of: UInt8(ascii: ")")) else { return nil }
    let fields = data[(close + 1)...].split(separator: UInt8(ascii: " "))
    guard fields.count > 1 else { return nil }
    return Int32(String(decoding: fields[1], as: UTF8.self))
  }

  /// Reads a `/proc` file, at most 1 MB (not through ``RegularFile``: `fstat` gives such files size 0).
  private static func read(_ path: String) -> Data? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    guard let data = try? handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
    return data
  }
}
