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
  /// The id of the empty blob (what `git add -N` stages).
  static let emptyBlob = Oid(hex: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")!

  public init?(hex: String) {
    var copy = hex
    guard let oid = copy.withUTF8({ Oid(hexBytes: $0) }) else { return nil }
    self = oid
  }

  /// Parses 40 hexadecimal digits given as bytes (a note's path in a notes tree), without making a
  /// string of them; `nil` when they are not.
  init?(hexBytes digits: UnsafeBufferPointer<UInt8>) {
    guard digits.count == 40, let base = digits.baseAddress, digits.allSatisfy(Self.isHexDigit) else { return nil }
    LibGit2.ensureInitialised()
    var oid = git_oid()
    let parsed = base.withMemoryRebound(to: CChar.self, capacity: 40) { git_oid_fromstrn(&oid, $0, 40) }
    guard parsed == 0 else { return nil }
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
