import ArgumentParser
import Foundation

/// `-q`/`--quiet` for a command that changes something: nothing on standard output when it works (what it
/// did, its JSON); problems still go to stderr, and the exit status says how it ended.
struct QuietOption: ParsableArguments {
  @Flag(name: .shortAndLong, help: "Print nothing when it works (problems still go to stderr).") var quiet = false

  /// Sends standard output nowhere from now on, when asked: one switch for every line the command prints.
  func silenceStandardOutput() {
    guard quiet else { return }
    fflush(nil)
    let nowhere = open("/dev/null", O_WRONLY)
    guard nowhere >= 0 else { return }
    dup2(nowhere, STDOUT_FILENO)
    close(nowhere)
  }

  /// A line the user must act on (a hook to add by hand, a price not taken as given): on stdout with the
  /// rest, on stderr when quiet.
  func instruct(_ line: String) {
    if quiet {
      FileHandle.standardError.write(Data((line + "\n").utf8))
    } else {
      print(line)
    }
  }
}
