import Foundation

/// Where a command's time goes, phase by phase, when the environment sets `OCTO_GIT_TIMINGS=1`: the
/// benchmarks print it under their tables, so the next thing worth speeding up is visible. Costs one
/// environment lookup when off.
enum PhaseTimings {
  /// Whether timings are kept in this process.
  static let enabled = ProcessInfo.processInfo.environment["OCTO_GIT_TIMINGS"] == "1"
  private static let phases = Locked<(last: UInt64, done: [(name: String, nanoseconds: UInt64)])>((0, []))

  private static func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }

  /// Starts timing from now (what came before is not counted).
  static func start() {
    guard enabled else { return }
    let time = now()
    phases.withLock { $0 = (time, []) }
  }

  /// Ends the phase `name`: the time since the previous mark (or ``start()``) is its own.
  static func mark(_ name: String) {
    guard enabled else { return }
    let time = now()
    phases.withLock { state in
      state.done.append((name, time &- state.last))
      state.last = time
    }
  }

  /// Writes the phases timed so far to standard error as one line (`timings: stat 4.1 ms, hash 0.2 ms, …,
  /// total 9.3 ms`), and starts again.
  static func report() {
    guard enabled else { return }
    let done = phases.withLock { state -> [(name: String, nanoseconds: UInt64)] in
      defer { state.done = [] }
      return state.done
    }
    func milliseconds(_ nanoseconds: UInt64) -> String { String(format: "%.1f ms", Double(nanoseconds) / 1e6) }
    let total = done.reduce(0) { $0 &+ $1.nanoseconds }
    let parts = done.map { "\($0.name) \(milliseconds($0.nanoseconds))" } + ["total \(milliseconds(total))"]
    FileHandle.standardError.write(Data(("timings: " + parts.joined(separator: ", ") + "\n").utf8))
  }
}
