import Foundation

/// Runs independent pieces of work on their own threads and collects the results in order.
enum Parallel {
  /// How many threads to use for work that keeps every core busy: one per core, at most eight.
  static var width: Int { min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8) }

  /// `transform` applied to each of `items`, each on a thread of its own (the caller's for the first).
  /// The items need not be `Sendable`: each is handed to exactly one thread and not touched by the
  /// caller until all are done.
  static func map<Item, Output>(_ items: [Item], _ transform: (Item) -> Output) -> [Output] {
    if items.count <= 1 { return items.map(transform) }
    let box = Box<Item, Output>(items: items)
    withoutActuallyEscaping(transform) { transform in
      let work = UncheckedTransform<Item, Output>(transform)
      DispatchQueue.concurrentPerform(iterations: items.count) { index in
        let result = work.transform(box.items[index])
        box.lock.lock()
        box.results[index] = result
        box.lock.unlock()
      }
    }
    return box.results.map { $0! }
  }

  /// `transform` applied to each of `items` on other threads (one per core), while the calling thread
  /// hands each result to `consume`, in order, as soon as it is ready: work that must stay on one thread
  /// (writing to a database) overlaps work that need not. Returns once every item is transformed, even
  /// when `consume` throws.
  static func stream<Item, Output>(
    _ items: [Item], _ transform: (Item) -> Output, consume: (Output) throws -> Void
  ) throws {
    if items.count <= 1 {
      for item in items { try consume(transform(item)) }
      return
    }
    let box = Box<Item, Output>(items: items)
    try withoutActuallyEscaping(transform) { transform in
      // The transform must not outlive this call: the workers reach it only through the box, which lets
      // go of it before they say they are done.
      box.transform = UncheckedTransform<Item, Output>(transform)
      let finished = DispatchSemaphore(value: 0)
      Thread.detachNewThread {
        DispatchQueue.concurrentPerform(iterations: box.items.count) { index in
          let result = box.transform!.transform(box.items[index])
          box.lock.lock()
          box.results[index] = result
          box.lock.broadcast()
          box.lock.unlock()
        }
        box.lock.lock()
        box.transform = nil
        box.lock.unlock()
        finished.signal()
      }
      defer { finished.wait() }
      for index in items.indices {
        box.lock.lock()
        while box.results[index] == nil { box.lock.wait() }
        let result = box.results[index]!
        box.results[index] = nil
        box.lock.unlock()
        try consume(result)
      }
    }
  }

  private final class Box<Item, Output>: @unchecked Sendable {
    let items: [Item]
    var results: [Output?]
    /// What ``Parallel/stream(_:_:consume:)``'s workers apply (set only while they run).
    var transform: UncheckedTransform<Item, Output>?
    let lock = NSCondition()
    init(items: [Item]) {
      self.items = items
      self.results = Array(repeating: nil, count: items.count)
    }
  }

  fileprivate struct UncheckedTransform<Item, Output>: @unchecked Sendable {
    let transform: (Item) -> Output
    init(_ transform: @escaping (Item) -> Output) { self.transform = transform }
  }
}
