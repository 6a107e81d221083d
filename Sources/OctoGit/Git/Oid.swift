import CGit2

/// A git object id (SHA-1), a plain value.
public struct Oid: Hashable, Sendable, CustomStringConvertible, Comparable {
  var raw: git_oid

  init(_ raw: git_oid) { self.raw = raw }

  init(_ pointer: UnsafePointer<git_oid>) { self.raw = pointer.pointee }

  /// The id whose 20 raw bytes are `bytes` (which must hold exactly 20).
  init(bytes: UnsafeRawBufferPointer) {
    var oid = git_oid()
    withUnsafeMutableBytes(of: &oid.id) { $0.copyMemory(from: bytes) }
    self.raw = oid
  }

  /// Calls `body` with the 20 raw bytes of the id.
  func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
    try withUnsafeBytes(of: raw.id, body)
  }

  /// Parses a full 40-digit hexadecimal id; `nil` when `hex` is not one.
  public init?(hex: String) {
    guard hex.utf8.count == 40, hex.utf8.allSatisfy({ Self.isHexDigit($0) }) else { return nil }
    LibGit2.ensureInitialised()
    var oid = git_oid()
    guard git_oid_fromstr(&oid, hex) == 0 else { return nil }
    self.raw = oid
  }

  /// Parses 40 hexadecimal digits given as bytes (a note's path in a notes tree), without making a
  /// string of them; `nil` when they are not.
  init?(hexBytes digits: [UInt8]) {
    guard digits.count == 40 else { return nil }
    var oid = git_oid()
    let parsed = withUnsafeMutableBytes(of: &oid.id) { target -> Bool in
      func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 97...102: return byte - 87
        case 65...70: return byte - 55
        default: return nil
        }
      }
      for index in 0..<20 {
        guard let high = value(digits[2 * index]), let low = value(digits[2 * index + 1]) else { return false }
        target[index] = high << 4 | low
      }
      return true
    }
    guard parsed else { return nil }
    self.raw = oid
  }

  /// The 40-digit lowercase hexadecimal form.
  public var hex: String {
    var copy = raw
    var buffer = [CChar](repeating: 0, count: 41)
    git_oid_tostr(&buffer, 41, &copy)
    return String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The first `length` hexadecimal digits.
  public func abbreviated(_ length: Int = 12) -> String { String(hex.prefix(length)) }

  public var description: String { hex }

  public var isZero: Bool {
    var copy = raw
    return git_oid_is_zero(&copy) == 1
  }

  public static func == (lhs: Oid, rhs: Oid) -> Bool {
    var left = lhs.raw
    var right = rhs.raw
    return git_oid_equal(&left, &right) == 1
  }

  public static func < (lhs: Oid, rhs: Oid) -> Bool {
    var left = lhs.raw
    var right = rhs.raw
    return git_oid_cmp(&left, &right) < 0
  }

  public func hash(into hasher: inout Hasher) {
    withUnsafeBytes(of: raw.id) { hasher.combine(bytes: $0) }
  }

  static func isHexDigit(_ byte: UInt8) -> Bool {
    (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70)
  }
}
