import Foundation
import Testing

@testable import OctoGit

@Suite("Work on every core")
struct ParallelTests {
  struct Stop: Error {}

  @Test("a stream hands results over in order while later items are still being made; a failing consumer stops it")
  func streamInOrder() throws {
    let items = Array(0..<200)
    var seen: [Int] = []
    try Parallel.stream(
      items,
      { item -> Int in
        if item % 7 == 0 { usleep(200) }
        return item * item
      }
    ) { seen.append($0) }
    #expect(seen == items.map { $0 * $0 })
    #expect(Parallel.map(items) { $0 + 1 } == items.map { $0 + 1 })

    var consumed = 0
    #expect(throws: Stop.self) {
      try Parallel.stream(items, { $0 }) { item in
        if item == 50 { throw Stop() }
        consumed += 1
      }
    }
    #expect(consumed == 50)
  }
}
