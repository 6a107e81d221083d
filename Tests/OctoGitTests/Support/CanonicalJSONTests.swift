import Foundation
import Testing

@testable import OctoGit

@Suite("Canonical JSON")
struct CanonicalJSONTests {
  @Test("keys sorted, no spaces, UTF-8 kept, control characters escaped, numbers exact")
  func canonicalForm() throws {
    let value = try CanonicalJSON.parse(
      #"{ "b": 1, "a": [true, null, "x\"y\\z\n\u0001é"], "c": 0.000003 , "d": 3e-06 }"#)
    #expect(CanonicalJSON.string(value) == #"{"a":[true,null,"x\"y\\z\n\u0001é"],"b":1,"c":0.000003,"d":3e-06}"#)
    #expect(value["c"]?.decimalValue == Decimal(string: "0.000003"))
    #expect(value["d"]?.decimalValue == Decimal(string: "0.000003"))
    #expect(value["b"]?.intValue == 1)
    #expect(try CanonicalJSON.parse(CanonicalJSON.string(value)) == value)
  }

  @Test("escapes: surrogate pairs and \\/ decode")
  func escapes() throws {
    #expect(try CanonicalJSON.parse(#""\ud83d\ude00 \/""#) == .string("😀 /"))
  }

  @Test(
    "malformed input is refused with a position",
    arguments: ["{", "[1,]", "{\"a\" 1}", "tru", "\"\u{01}\"", "1 2", "-", "01x"])
  func malformed(_ text: String) {
    #expect(throws: CanonicalJSON.ParseError.self) { try CanonicalJSON.parse(text) }
  }

  @Test("decimals print in plain notation without trailing zeros")
  func plainDecimals() {
    #expect(CanonicalJSON.plain(Decimal(string: "0.0000000050")!) == "0.000000005")
    #expect(CanonicalJSON.plain(Decimal(string: "12.500")!) == "12.5")
    #expect(CanonicalJSON.plain(Decimal(string: "1e3")!) == "1000")
    #expect(CanonicalJSON.plain(0) == "0")
    #expect(Money.format(Decimal(string: "3.1")!) == "$3.10")
    #expect(Money.picoDollars(Decimal(string: "0.0693")!) == 69_300_000_000)
    #expect(Money.picoDollars(Decimal(string: "0.0000000000001")!) == nil)
  }

  @Test("a string read again is the earlier string when its text is the same, escapes and all")
  func reusedStrings() throws {
    var previous: String?
    var texts: [String?] = []
    var line = #"["abc","abc","a\u0062c","abd","",7,"abd"]"#
    try line.withUTF8 { bytes in
      var parser = CanonicalJSON.Parser(bytes: bytes)
      parser.position = 1
      while parser.position < bytes.count - 1 {
        texts.append(try parser.stringIfAny(depth: 1, reusing: &previous))
        parser.position += 1  // the comma
      }
    }
    #expect(texts == ["abc", "abc", "abc", "abd", "", nil, "abd"])
    #expect(previous == "abd")
  }
}
