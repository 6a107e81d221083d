import Testing

@testable import OctoGit

@Suite("Byte string table")
struct ByteStringTableTests {
  @Test("numbers strings in the order first met, finds them again by their bytes, keeps them through growth")
  func numbersAndFinds() {
    var table = ByteStringTable(capacity: 2)
    let words =
      (0..<5_000).map { "event-\($0 % 2_500)-" + String(repeating: "x", count: $0 % 23) } + ["", "é", "msg_01"]
    var expected: [String: Int] = [:]
    var order: [String] = []
    for word in words {
      var copy = word
      let (number, isNew) = copy.withUTF8 { table.number(of: $0) }
      if let known = expected[word] {
        #expect(!isNew && number == known, "\(word)")
      } else {
        #expect(isNew && number == order.count, "\(word)")
        expected[word] = number
        order.append(word)
      }
    }
    #expect(table.count == order.count)
    for (number, word) in order.enumerated() {
      #expect(table.withBytes(number) { String(decoding: $0, as: UTF8.self) } == word)
    }
  }
}
