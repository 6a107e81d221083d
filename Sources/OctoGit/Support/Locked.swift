import Foundation

/// A value shared between threads, reached only under its lock (in the manner of GRDB's `Mutex`): the one
/// `@unchecked Sendable` a type needs, checked for its payload.
///
/// A thread may also wait, the lock let go, until the value is as it needs (``withLock(when:_:)``): each
/// time another thread leaves the lock, the waiting ones look again.
final class Locked<Value>: @unchecked Sendable where Value: Sendable {
  private let condition = NSCondition()
  private var value: Value
  /// Threads asleep in ``withLock(when:_:)`` (changed under the lock): none, and nobody is woken.
  private var waiting = 0

  init(_ value: Value) { self.value = value }

  /// Runs `body` with the value, alone.
  func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
    condition.lock()
    defer { unlock() }
    return try body(&value)
  }

  /// Runs `body` with the value, alone, once `isReady` holds of it: until then the thread sleeps with the
  /// lock let go, and looks again each time another thread leaves the lock.
  func withLock<Result>(when isReady: (Value) -> Bool, _ body: (inout Value) throws -> Result) rethrows -> Result {
    condition.lock()
    defer { unlock() }
    while !isReady(value) {
      waiting += 1
      condition.wait()
      waiting -= 1
    }
    return try body(&value)
  }

  /// Lets go of the lock, waking the threads waiting for the value to change (it may have).
  private func unlock() {
    if waiting > 0 { condition.broadcast() }
    condition.unlock()
  }
}
