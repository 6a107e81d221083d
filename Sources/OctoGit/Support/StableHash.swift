/// FNV-1a, 64 bits: a hash that is the same in every process and on every machine (Swift's `Hasher` is
/// seeded per process), for fingerprints kept in files and databases. Not for security.
public struct StableHash: Sendable {
  public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

  public init() {}

  public mutating func combine<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
    for byte in bytes {
      value ^= UInt64(byte)
      value = value &* 0x0100_0000_01b3
    }
  }

  /// The hash of `bytes`.
  public static func of<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
    var hash = StableHash()
    hash.combine(bytes)
    return hash.value
  }

  /// ``value`` as sixteen hexadecimal digits.
  public var hex: String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
