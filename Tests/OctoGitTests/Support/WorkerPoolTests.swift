import Foundation
import Testing

@testable import OctoGit

@Suite("The worker pool")
struct WorkerPoolTests {
  struct Stop: Error {}

  /// A count the pool's threads share.
  final class Tally: Sendable {
    let count = Locked(0)
    func add(_ amount: Int = 1) { count.withLock { $0 += amount } }
    var value: Int { count.withLock { $0 } }
  }

  @Test("a map returns in the items' order; a reduce folds every item once, one value per worker")
  func mapAndReduce() throws {
    let items = Array(0..<500)
    #expect(WorkerPool.map(items) { $0 + 1 } == items.map { $0 + 1 })
    #expect(WorkerPool.map([Int]()) { $0 + 1 } == [])
    let partials = WorkerPool.reduce(items, into: [Int]()) { $0.append($1) }
    #expect(partials.count == min(WorkerPool.width, items.count))
    #expect(partials.flatMap { $0 }.sorted() == items)
    #expect(WorkerPool.reduce([Int](), into: 7) { $0 += $1 } == [7])

    let folded = Tally()
    #expect(throws: Stop.self) {
      _ = try WorkerPool.reduce(items, into: 0) { (sum: inout Int, item: Int) throws in
        folded.add()
        if item == 20 { throw Stop() }
        usleep(100)
        sum += item
      }
    }
    #expect(folded.value < items.count)
  }

  @Test("a stream hands results over in order while later items are still being made; a failing consumer stops it")
  func streamInOrder() throws {
    let items = Array(0..<200)
    var seen: [Int] = []
    WorkerPool.stream(
      items,
      { item -> Int in
        if item % 7 == 0 { usleep(200) }
        return item * item
      }
    ) { seen.append($0) }
    #expect(seen == items.map { $0 * $0 })

    let made = Tally()
    var consumed = 0
    #expect(throws: Stop.self) {
      try WorkerPool.stream(
        items,
        { item -> Int in
          made.add()
          usleep(100)
          return item
        }
      ) { item in
        if item == 50 { throw Stop() }
        consumed += 1
      }
    }
    #expect(consumed == 50)
    // Nothing is made once the call has returned.
    let after = made.value
    usleep(20_000)
    #expect(made.value == after && after < items.count)
  }

  @Test("a stream with a limit keeps its workers at most that many outputs ahead of a slow consumer")
  func streamHolding() {
    let made = Tally()
    var most = 0
    var taken = 0
    WorkerPool.stream(Array(0..<60), holding: 2) { item -> Int in
      made.add()
      return item
    } consume: { item in
      #expect(item == taken)
      taken += 1
      most = max(most, made.value - taken)
      usleep(500)
    }
    #expect(taken == 60)
    // Without a limit all 60 are made before the consumer is a few items in (making one costs nothing).
    // With one, only items fewer than 2 past the one needed next are handed over, and each worker may
    // have made one more that waits.
    #expect(most <= 2 + WorkerPool.width)
  }

  @Test("a run hands over what the producers send, several per item, keeping them at most about the limit ahead")
  func runWithBackPressure() throws {
    let waiting = Tally()
    let most = Locked(0)
    let total = WorkerPool.run(Array(0..<40), holding: 1000) { (item: Int, sender: WorkerPool.Sender<[UInt8]>) in
      for _ in 0..<10 {
        waiting.add(100)
        most.withLock { $0 = max($0, waiting.value) }
        sender.send([UInt8](repeating: UInt8(item), count: 100), weight: 100)
      }
      sender.send([])
    } receive: { pieces in
      var bytes = 0
      var count = 0
      while let piece = pieces.next() {
        waiting.add(-piece.count)
        usleep(20)
        bytes += piece.count
        count += 1
      }
      #expect(count == 40 * 11)
      return bytes
    }
    #expect(total == 40 * 1000)
    // The queue holds at most the limit and one piece; each producer may count one piece it has yet to send,
    // the receiver one it has taken.
    #expect(most.withLock { $0 } <= 1200 + 100 * WorkerPool.width)

    var nothing = 0
    WorkerPool.run([Int]()) { (item: Int, sender: WorkerPool.Sender<Int>) in
      sender.send(item)
    } receive: { outputs in
      while outputs.next() != nil { nothing += 1 }
    }
    #expect(nothing == 0)
  }

  @Test("a run whose receiver throws stops its producers, even those waiting for room, before it returns")
  func runStops() throws {
    let started = Tally()
    let sent = Tally()
    #expect(throws: Stop.self) {
      try WorkerPool.run(Array(0..<100), holding: 10) { (_: Int, sender: WorkerPool.Sender<Int>) in
        started.add()
        for index in 0..<100 {
          sender.send(index, weight: 5)
          sent.add()
        }
      } receive: { outputs in
        _ = outputs.next()
        throw Stop()
      }
    }
    let after = (started.value, sent.value)
    usleep(20_000)
    #expect(started.value == after.0 && sent.value == after.1)
    #expect(after.0 <= WorkerPool.width)
  }
}
