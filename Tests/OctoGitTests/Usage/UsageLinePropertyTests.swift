import Foundation
import Testing

@testable import OctoGit

/// Generated usage lines: the byte scanner (cache, rollup) and the general parser (``UsageEvent``) must take
/// and refuse the same lines, with the same values. A fixed seed makes any failure repeatable; the failing
/// line is in the message.
@Suite("Usage lines: the byte scanner and the general parser agree on every generated line")
struct UsageLinePropertyTests {
  /// SplitMix64: small, fast, repeatable.
  struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    /// Mostly one of the first `valid` choices (a line with one bad value is refused whole, so bad values
    /// must stay rare for lines to be taken at all).
    mutating func value(_ choices: [String], valid: Int) -> String {
      chance(90) ? choices[below(valid)] : pick(choices)
    }
  }

  static let strings = [
    "\"a\"", "\"\"", "\"claude-sonnet-4-5\"", "\"sp\\u00e9cial \\\"q\\\"\"", "\"\\u001b[2J\"", "\"é😀\"",
    "\"a\\nb\"", "\"\\ud83d\\ude00\"", "null", "7", "{\"x\":1}", "[1]", "\"\\uZZZZ\"",
  ]
  static let counts = [
    "0", "1", "42", "1000000000000000", "1000000000000001", "999999999999999999", "9223372036854775807",
    "9223372036854775808", "-1", "-0", "1.5", "1e3", "00012", "null", "\"5\"",
  ]
  static let costs = [
    "0", "1.5", "0.000000000001", "0.0000000000001", "6.93e-2", "1E+2", "999999999", "1000000000", "1000000000.5",
    "9223372036854775808", "123456789012345678901234.5", "-1", "-0", "null", "\"1\"", "1.50", "007.10",
  ]
  static let times = [
    "\"2026-03-18T23:30:00.000Z\"", "\"2026-03-18T23:30:00Z\"", "\"2026-01-02T03:04:05.678+02:00\"",
    "\"2026-02-30T00:00:00.000Z\"", "\"not a time\"", "null", "5",
  ]

  func line(_ random: inout Generator) -> String {
    var members: [(String, String)] = []
    if random.chance(97) { members.append(("id", random.value(Self.strings, valid: 8))) }
    if random.chance(97) { members.append(("model", random.value(Self.strings, valid: 8))) }
    if random.chance(97) { members.append(("at", random.value(Self.times, valid: 3))) }
    if random.chance(60) { members.append(("v", random.pick(["1", "2", "0", "null", "1.0"]))) }
    for key in ["in", "out", "cw5m", "cw1h", "cr"] where random.chance(50) {
      members.append((key, random.value(Self.counts, valid: 4)))
    }
    if random.chance(60) { members.append(("cost", random.value(Self.costs, valid: 7))) }
    for key in ["agent", "session", "prices", "user", "machine", "branch", "feature"] where random.chance(25) {
      members.append((key, random.value(Self.strings, valid: 9)))
    }
    if random.chance(15) { members.append((random.pick(["future", "zz", "\\u0069d2"]), random.pick(Self.strings))) }
    if random.chance(5), let first = members.first { members.append(first) }
    // A key given twice with another value, valid or not: the last one is judged (the order is shuffled below).
    if random.chance(8), !members.isEmpty {
      let repeated = members[random.below(members.count)]
      let values = Self.strings + Self.counts + Self.costs + Self.times + ["true", "2"]
      members.append((repeated.0, random.pick(values)))
    }
    // Any member order, and sometimes the spaces another writer would put.
    for index in members.indices.reversed() { members.swapAt(index, random.below(index + 1)) }
    let spaced = random.chance(20)
    let separator = spaced ? " , " : ","
    let colon = spaced ? " : " : ":"
    return "{" + members.map { "\"\($0.0)\"\(colon)\($0.1)" }.joined(separator: separator) + "}"
  }

  @Test("20,000 generated lines")
  func scannerAgreesWithParser() {
    var random = Generator(state: 0x0C70_617)
    var accepted = 0
    for _ in 0..<20_000 {
      let text = line(&random)
      var copy = text
      let scanned = copy.withUTF8 { UsageEvent.scan($0) }
      let parsed = try? UsageEvent(line: text)
      #expect((scanned == nil) == (parsed == nil), "\(text)")
      guard let scanned, let parsed else { continue }
      accepted += 1
      #expect(scanned == parsed, "\(text)")
    }
    // The generator must reach both sides of the rules, or the test proves nothing.
    #expect(accepted > 1_000 && accepted < 19_000)
  }
}
