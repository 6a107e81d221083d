import Foundation

/// The one pool of worker threads: up to ``width`` threads share out a list of items, each taking the next
/// item when done with its last.
///
/// Items, outputs and the work are `Sendable`, checked by the compiler: what a worker needs beyond its item
/// (a repository, an object database) it opens itself, on its own thread. Outputs reach the calling thread
/// all at the end in the items' order (``map(_:_:)``, and ``reduce(_:into:_:)`` one value per worker), in
/// the items' order as they come (``stream(_:holding:threads:_:consume:)``), or in the order the workers
/// send them, any number per item, with an optional bound on what waits untaken
/// (``run(_:holding:threads:_:receive:)``).
///
/// Every entry point returns only once every worker has stopped, also when it throws (a throwing worker or
/// calling thread first stops the others: no item is started after it): nothing a worker runs (libgit2
/// above all) outlives the call.
enum WorkerPool {
  /// How many threads to use for work that keeps every core busy: one per core, at most eight.
  static var width: Int { min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8) }

  /// `transform` applied to each of `items` on up to ``width`` threads (the calling thread one of them);
  /// the outputs in the items' order.
  static func map<Item: Sendable, Output: Sendable>(
    _ items: [Item], _ transform: @Sendable (Item) -> Output
  ) -> [Output] {
    if items.count <= 1 { return items.map(transform) }
    let tickets = Tickets(count: items.count)
    let outputs = Locked([Output?](repeating: nil, count: items.count))
    DispatchQueue.concurrentPerform(iterations: min(width, items.count)) { _ in
      while let index = tickets.take() {
        let output = transform(items[index])
        outputs.withLock { $0[index] = output }
      }
    }
    // Handed over, not shared: the caller may change them without copying.
    return outputs.withLock { outputs in
      defer { outputs = [] }
      return outputs.map { $0! }
    }
  }

  /// `items` shared out over up to ``width`` workers (the calling thread one of them), each taking the next
  /// item when done with its last and folding it into a value of its own, started as `initial`: those
  /// values, one per worker, in the workers' order (which items each folded is down to timing). When `fold`
  /// throws, its worker stops and no worker starts another item; the first error is thrown once all have
  /// stopped.
  static func reduce<Item: Sendable, Partial: Sendable, Failure: Error>(
    _ items: [Item], into initial: Partial, _ fold: @Sendable (inout Partial, Item) throws(Failure) -> Void
  ) throws(Failure) -> [Partial] {
    let workers = max(1, min(width, items.count))
    let tickets = Tickets(count: items.count)
    let partials = Locked([Partial?](repeating: nil, count: workers))
    let failure = Locked<Failure?>(nil)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      var partial = initial
      while let index = tickets.take() {
        do throws(Failure) {
          try fold(&partial, items[index])
        } catch {
          failure.withLock { $0 = $0 ?? error }
          tickets.stop()
        }
      }
      partials.withLock { $0[worker] = partial }
    }
    if let error = failure.withLock({ $0 }) { throw error }
    // Handed over, not shared: the caller may merge into them without copying.
    return partials.withLock { partials in
      defer { partials = [] }
      return partials.map { $0! }
    }
  }

  /// `transform` applied to each of `items` on up to `threads` (``width``) threads of their own, while the
  /// calling thread hands each output to `consume`, in the items' order, as soon as it and those before it
  /// are ready: work that must stay on one thread (writing to a database) overlaps work that need not. When
  /// `consume` throws, no item is started any more; the error is thrown once the workers have stopped.
  /// With `holding`, an item's output is handed over only while it is fewer than that many items past the
  /// one `consume` needs next (the workers wait): large outputs read faster than they are consumed do not
  /// pile up in memory, and the item needed next is never the one waiting.
  static func stream<Item: Sendable, Output: Sendable>(
    _ items: [Item], holding limit: Int = .max, threads: Int = width, _ transform: @Sendable (Item) -> Output,
    consume: (Output) throws -> Void
  ) rethrows {
    if items.count <= 1 {
      for item in items { try consume(transform(item)) }
      return
    }
    // The item `consume` needs next; -1 once it is done (a waiting worker then goes on, to be stopped).
    let needed = Locked(0)
    try run(Array(items.indices), threads: threads) { (index: Int, sender: Sender<Numbered<Output>>) in
      let output = transform(items[index])
      if limit != .max { needed.withLock(when: { $0 < 0 || index < $0 &+ limit }) { _ in } }
      sender.send(Numbered(index: index, value: output))
    } receive: { outputs in
      defer { needed.withLock { $0 = -1 } }
      // Outputs that came before an earlier item's, until that one comes.
      var early: [Int: Output] = [:]
      var next = 0
      while let output = outputs.next() {
        early[output.index] = output.value
        while let ready = early.removeValue(forKey: next) {
          next += 1
          if limit != .max { needed.withLock { $0 = next } }
          try consume(ready)
        }
      }
    }
  }

  /// Hands each of `items` to `produce` on up to `threads` (``width``) threads of their own, while the calling
  /// thread runs `receive`, which takes what the producers send (``Receiver/next()``) in the order they sent
  /// it.
  ///
  /// Back-pressure: a send with a weight (``Sender/send(_:weight:)``, say its bytes) first waits while more
  /// than `limit` of weight waits untaken, so the producers keep only about that much ahead of the calling
  /// thread. Once `receive` returns or throws, the producers are stopped (no item is started, whatever they
  /// send is dropped, a waiting send returns at once) and waited for; then its result or error is passed on.
  static func run<Item: Sendable, Output: Sendable, Result>(
    _ items: [Item], holding limit: Int = .max, threads: Int = width,
    _ produce: @Sendable (Item, Sender<Output>) -> Void, receive: (Receiver<Output>) throws -> Result
  ) rethrows -> Result {
    let channel = Channel<Output>(count: items.count, limit: limit)
    // The producers reach `produce` only through the channel, which lets go of it once they are done:
    // nothing keeps it past this call.
    return try withoutActuallyEscaping(produce) { produce in
      let sender = Sender(channel: channel)
      channel.start(threads: min(max(threads, 1), items.count)) { index in produce(items[index], sender) }
      defer { channel.stop() }
      return try receive(Receiver(channel: channel))
    }
  }

  /// How a producer of ``run(_:holding:threads:_:receive:)`` hands outputs to the calling thread.
  struct Sender<Output: Sendable>: Sendable {
    fileprivate let channel: Channel<Output>

    /// Queues `output` for the calling thread; with a `weight`, first waits while more than the run's limit
    /// of weight waits untaken (returning at once, `output` dropped, if the run is stopped meanwhile).
    func send(_ output: Output, weight: Int = 0) { channel.send(output, weight: weight) }
  }

  /// How the calling thread of ``run(_:holding:threads:_:receive:)`` takes what the producers send.
  struct Receiver<Output: Sendable> {
    fileprivate let channel: Channel<Output>

    /// The next output sent, waiting for one; `nil` once every item is done and all it sent is taken.
    func next() -> Output? { channel.next() }
  }

  /// An output of ``stream(_:holding:threads:_:consume:)`` with the position of its item.
  struct Numbered<Value: Sendable>: Sendable {
    let index: Int
    let value: Value
  }

  /// Hands out the positions of a list's items, in order, until none is left or it is stopped.
  private final class Tickets: Sendable {
    private let count: Int
    private let state = Locked((next: 0, stopped: false))

    init(count: Int) { self.count = count }

    /// The next position, or `nil` when all are taken or the work was stopped.
    func take() -> Int? {
      state.withLock { state in
        guard !state.stopped, state.next < count else { return nil }
        state.next += 1
        return state.next - 1
      }
    }

    func stop() { state.withLock { $0.stopped = true } }
  }

  /// What one ``run(_:holding:threads:_:receive:)`` shares between its producers and the calling thread.
  fileprivate final class Channel<Output: Sendable>: Sendable {
    struct State: Sendable {
      /// The next item to hand out.
      var next = 0
      /// Set when the calling thread is done: no item is handed out and nothing sent is kept any more.
      var stopped = false
      /// Outputs sent and not yet taken, with their weights, and those weights' sum.
      var queue: [(output: Output, weight: Int)] = []
      var held = 0
      /// Producer threads still running.
      var running = 0
      /// What a producer does with an item (by position), kept only while producers run.
      var work: (@Sendable (Int) -> Void)?
    }

    private let count: Int
    private let limit: Int
    private let state = Locked(State())

    init(count: Int, limit: Int) {
      self.count = count
      self.limit = limit
    }

    /// Starts `threads` producers, each doing `work` with the next item until none is left.
    func start(threads: Int, _ work: @escaping @Sendable (Int) -> Void) {
      state.withLock { state in
        state.work = work
        state.running = threads
      }
      for _ in 0..<threads {
        Thread.detachNewThread {
          self.produce()
          self.state.withLock { $0.running -= 1 }
        }
      }
    }

    /// A producer's loop (on its own thread). Its hold on the work ends when it returns.
    private func produce() {
      guard let work = state.withLock({ $0.work }) else { return }
      while let index = take() { work(index) }
    }

    private func take() -> Int? {
      state.withLock { state in
        guard !state.stopped, state.next < count else { return nil }
        state.next += 1
        return state.next - 1
      }
    }

    func send(_ output: Output, weight: Int) {
      state.withLock(when: { weight <= 0 || $0.held <= limit || $0.stopped }) { state in
        guard !state.stopped else { return }
        state.queue.append((output, weight))
        state.held += weight
      }
    }

    func next() -> Output? {
      state.withLock(when: { !$0.queue.isEmpty || $0.running == 0 }) { state in
        guard !state.queue.isEmpty else { return nil }
        let first = state.queue.removeFirst()
        state.held -= first.weight
        return first.output
      }
    }

    /// Stops the producers (what they send is dropped, a waiting send returns) and waits until every one
    /// has returned; then lets go of the work.
    func stop() {
      state.withLock { $0.stopped = true }
      state.withLock(when: { $0.running == 0 }) { state in
        state.work = nil
        state.queue = []
      }
    }
  }
}
