import Foundation
import Testing

@testable import OctoGit

@Suite("An import batch")
struct ImportBatchTests {
  @Test("the same request read twice (two homes) is written once, the copy with the most output kept")
  func largestCopies() {
    func event(_ id: String, _ output: Int) -> UsageEvent {
      UsageEvent(id: id, atMs: 0, model: "m", tokens: TokenCounts(output: output))
    }
    let kept = ImportBatch.largestCopies([event("x", 3), event("y", 1), event("x", 9), event("x", 5)])
    #expect(kept.map(\.id) == ["x", "y"] && kept.map(\.tokens.output) == [9, 1])
  }
}
