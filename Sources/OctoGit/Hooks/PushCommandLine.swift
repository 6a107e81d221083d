import Foundation

/// The `git push` a pre-push hook runs for, read from the process table: git runs the hook for
/// `git push --dry-run` too, and gives the hook no sign of it.
enum PushCommandLine {
  /// The variable the pre-push stub sets to its parent's process id (the `git push` process).
  static let processVariable = "OCTO_GIT_PUSH_PID"

  /// Whether the push the hook runs for is a dry run (`--dry-run`, `-n`, alone or among short flags).
  /// `false` when it cannot tell (no process table, an alias, another parent).
  static func isDryRun(environment: [String: String]) -> Bool {
    guard let text = environment[processVariable], let pid = Int32(text), pid > 1,
      let arguments = arguments(of: pid)
    else { return false }
    return isDryRun(arguments)
  }

  /// Whether `arguments` (a git command line, the program first) are those of a dry-run push.
  static func isDryRun(_ arguments: [String]) -> Bool {
    guard let push = arguments.dropFirst().firstIndex(of: "push") else { return false }
    var skipValue = false
    for argument in arguments[(push + 1)...] {
      if skipValue {
        skipValue = false
        continue
      }
      if argument == "--" { return false }
      if argument == "--dry-run" { return true }
      guard argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 1 else { continue }
      // Short flags bundled (`-fn`); `-o` takes the rest, or the next argument, as its value.
      for flag in argument.dropFirst() {
        if flag == "n" { return true }
        if flag == "o" {
          skipValue = argument.hasSuffix("o")
          break
        }
      }
    }
    return false
  }

  /// The command line of process `pid` (`/proc/<pid>/cmdline`, at most 1 MB read); `nil` when unreadable.
  private static func arguments(of pid: Int32) -> [String]? {
    guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/cmdline") else { return nil }
    defer { try? handle.close() }
    guard let data = try? handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
    return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
  }
}
