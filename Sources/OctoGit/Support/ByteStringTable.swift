import Foundation

/// Byte strings numbered from 0 in the order first met, found again by their bytes: one arena of bytes and
/// an open-addressing hash table, no Swift string or allocation per entry.
///
/// What the rollup uses to give each event id and each name a number while reading hundreds of thousands
/// of usage lines.
struct ByteStringTable {
  private var arena: [UInt8] = []
  /// Where each string ends in `arena` (it starts where the previous one ends).
  private var ends: [Int] = []
  private var hashes: [UInt64] = []
  /// String numbers + 1 (0: empty bucket); the count is a power of two, at most half full.
  private var buckets: [Int32]

  init(capacity: Int = 16) {
    var size = 16
    while size < capacity * 2 { size *= 2 }
    buckets = Array(repeating: 0, count: size)
    ends.reserveCapacity(capacity)
    hashes.reserveCapacity(capacity)
  }

  var count: Int { ends.count }

  /// The number of `bytes`, given it when it is new.
  mutating func number(of bytes: UnsafeBufferPointer<UInt8>) -> (number: Int, isNew: Bool) {
    let hash = Self.hash(bytes)
    let mask = buckets.count - 1
    var bucket = Int(truncatingIfNeeded: hash) & mask
    while true {
      let slot = Int(buckets[bucket])
      if slot == 0 { break }
      if hashes[slot - 1] == hash, equals(slot - 1, bytes) { return (slot - 1, false) }
      bucket = (bucket + 1) & mask
    }
    let number = ends.count
    arena.append(contentsOf: bytes)
    ends.append(arena.count)
    hashes.append(hash)
    buckets[bucket] = Int32(number + 1)
    if ends.count * 2 > buckets.count { grow() }
    return (number, true)
  }

  /// Calls `body` with the bytes of string `number`.
  func withBytes<T>(_ number: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
    let start = number == 0 ? 0 : ends[number - 1]
    return arena.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<ends[number]])) }
  }

  private func equals(_ number: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = number == 0 ? 0 : ends[number - 1]
    guard ends[number] - start == bytes.count else { return false }
    guard let base = bytes.baseAddress else { return true }
    return arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + start, base, bytes.count) == 0 }
  }

  private mutating func grow() {
    buckets = Array(repeating: 0, count: buckets.count * 2)
    let mask = buckets.count - 1
    for (number, hash) in hashes.enumerated() {
      var bucket = Int(truncatingIfNeeded: hash) & mask
      while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
      buckets[bucket] = Int32(number + 1)
    }
  }

  /// A fast non-cryptographic hash of `bytes` (eight bytes at a time, multiply and fold).
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    var state = UInt64(truncatingIfNeeded: bytes.count) &* multiplier
    guard let base = bytes.baseAddress else { return state }
    let raw = UnsafeRawPointer(base)
    func mix(_ word: UInt64) {
      let product = (state ^ word).multipliedFullWidth(by: multiplier)
      state = product.high ^ product.low
    }
    var offset = 0
    while offset + 8 <= bytes.count {
      mix(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      offset += 8
    }
    if offset < bytes.count {
      var tail: UInt64 = 0
      for index in offset..<bytes.count { tail |= UInt64(bytes[index]) << UInt64((index - offset) * 8) }
      mix(tail ^ 0xFF)
    }
    let final = state.multipliedFullWidth(by: multiplier)
    return final.high ^ final.low
  }
}
