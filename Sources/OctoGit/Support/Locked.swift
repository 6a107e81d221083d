import Foundation

/// A value shared between threads, reached only under its lock (in the manner of GRDB's `Mutex`): the one
/// `@unchecked Sendable` a type needs, checked for its payload.
final class Locked<Value>: @unchecked Sendable where Value: Sendable {
  private let lock = NSLock()
  private var value: Value

  init(_ value: Value) { self.value = value }

  /// Runs `body` with the value, alone.
  func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
    lock.lock()
    defer { lock.unlock() }
    return try body(&value)
  }
}
