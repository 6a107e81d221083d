import CShims
import Foundation

/// What one agent's files gave: its requests, each id once, and what could not be read.
///
/// An agent may write one request several times (Gemini CLI rewrites a message as its tokens and tool calls
/// arrive, OpenCode's legacy files repeat its database rows): the copy with the most output tokens is kept,
/// and of equal copies the one from the earliest file (``origin``), however the files were shared out.
public struct AgentScan: Sendable {
  struct Kept: Sendable {
    var request: AgentRequest
    var origin: Int
  }

  var kept: [String: Kept] = [:]
  /// Records looked at (lines of a JSON-lines file, messages of a JSON file, rows of a database).
  public var records = 0
  /// Records that should hold a request but cannot be read: not JSON, a count that is not a whole number,
  /// negative or past ``UsageLimits/maxTokens``, a missing time.
  public var malformed = 0
  /// Files or databases read.
  public var files = 0
  /// Files that could not be read (not a regular file, too large, no permission, not a database).
  public var unreadable = 0
  /// The rank of the file being read.
  var origin = 0

  public init() {}

  /// The requests kept, in no particular order.
  public var requests: [AgentRequest] { kept.values.map(\.request) }

  /// Keeps `request` unless a copy with as many output tokens or more was kept from this file or an earlier
  /// one.
  mutating func keep(_ request: AgentRequest) {
    if let existing = kept[request.id] {
      if existing.request.tokens.output > request.tokens.output { return }
      if existing.request.tokens.output == request.tokens.output, existing.origin <= origin { return }
    }
    kept[request.id] = Kept(request: request, origin: origin)
  }

  /// Adds another scan's requests and counts.
  mutating func merge(_ other: AgentScan) {
    for (_, entry) in other.kept {
      let saved = origin
      origin = entry.origin
      keep(entry.request)
      origin = saved
    }
    records += other.records
    malformed += other.malformed
    files += other.files
    unreadable += other.unreadable
  }
}

/// A record that should hold a request and cannot be read.
struct MalformedRecord: Error {}

/// Reading the numbers agents write, strictly: what is not a plausible count makes the record malformed.
enum AgentFields {
  /// A token count: 0 when absent or `null`.
  ///
  /// - Throws: ``MalformedRecord`` when it is not a whole number from 0 to ``UsageLimits/maxTokens``.
  static func tokens(_ value: JSONValue?) throws -> Int {
    guard let value, value != .null else { return 0 }
    guard let number = value.intValue, number >= 0, number <= UsageLimits.maxTokens else { throw MalformedRecord() }
    return number
  }

  /// A cost in USD: `nil` when absent or `null`.
  ///
  /// - Throws: ``MalformedRecord`` when it is not a number from 0 to ``UsageLimits/maxCostDollars``.
  static func cost(_ value: JSONValue?) throws -> PicoDollars? {
    guard let value, value != .null else { return nil }
    guard case .number(let text) = value, let cost = PicoDollars(cost: text.utf8) else { throw MalformedRecord() }
    return cost
  }

  /// A moment written as milliseconds since 1970 (a whole or fractional number).
  ///
  /// - Throws: ``MalformedRecord`` when it is not such a number, or not between 1970 and 9999.
  static func milliseconds(_ value: JSONValue?) throws -> Date {
    guard let decimal = value?.decimalValue, !decimal.isNaN else { throw MalformedRecord() }
    let number = NSDecimalNumber(decimal: decimal).doubleValue
    guard number.isFinite, number >= 0, number < 253_402_300_800_000 else { throw MalformedRecord() }
    return Date(timeIntervalSince1970: number / 1000)
  }

  /// An ISO-8601 time.
  ///
  /// - Throws: ``MalformedRecord`` when it is missing or not a time.
  static func time(_ value: JSONValue?) throws -> Date {
    guard let text = value?.stringValue, let date = Timestamp.parse(text) else { throw MalformedRecord() }
    return date
  }

  /// Token counts checked once more after the agent's classes were combined: each class within the limit.
  ///
  /// - Throws: ``MalformedRecord`` when a class is past ``UsageLimits/maxTokens``.
  static func checked(_ tokens: TokenCounts) throws -> TokenCounts {
    for value in [tokens.input, tokens.output, tokens.cacheWrite5m, tokens.cacheWrite1h, tokens.cacheRead]
    where value < 0 || value > UsageLimits.maxTokens {
      throw MalformedRecord()
    }
    return tokens
  }

  /// A non-empty string.
  static func text(_ value: JSONValue?) -> String? {
    guard let text = value?.stringValue, !text.isEmpty else { return nil }
    return text
  }
}

/// Reading JSON without building what is not needed: members and elements walked one by one.
enum JSONWalk {
  /// Calls `body` with each member's key (its bytes, escapes as written) and the parser at its value;
  /// `body` must move past the value.
  static func members(
    _ parser: inout CanonicalJSON.Parser, depth: Int,
    _ body: (inout CanonicalJSON.Parser, UnsafeBufferPointer<UInt8>) throws -> Void
  ) throws {
    guard parser.position < parser.bytes.count, parser.bytes[parser.position] == UInt8(ascii: "{") else {
      throw parser.error("expected an object")
    }
    try parser.forEachMember(depth: depth) { parser, range in
      try body(&parser, UnsafeBufferPointer(rebasing: parser.bytes[range]))
    }
  }

  /// Calls `body` with the parser at each element of the array at the parser's position; `body` must move
  /// past the element.
  static func elements(
    _ parser: inout CanonicalJSON.Parser, depth: Int, _ body: (inout CanonicalJSON.Parser) throws -> Void
  )
    throws
  {
    guard depth < 256 else { throw parser.error("nesting too deep") }
    guard parser.position < parser.bytes.count, parser.bytes[parser.position] == UInt8(ascii: "[") else {
      throw parser.error("expected an array")
    }
    parser.position += 1
    parser.skipSpace()
    if parser.position < parser.bytes.count, parser.bytes[parser.position] == UInt8(ascii: "]") {
      parser.position += 1
      return
    }
    while true {
      parser.skipSpace()
      guard parser.position < parser.bytes.count else { throw parser.error("unterminated array") }
      try body(&parser)
      parser.skipSpace()
      guard parser.position < parser.bytes.count else { throw parser.error("unterminated array") }
      if parser.bytes[parser.position] == UInt8(ascii: ",") {
        parser.position += 1
      } else if parser.bytes[parser.position] == UInt8(ascii: "]") {
        parser.position += 1
        return
      } else {
        throw parser.error("expected ',' or ']'")
      }
    }
  }

  /// Whether a key's bytes spell `name` (keys with escapes never match: no agent writes them).
  static func key(_ bytes: UnsafeBufferPointer<UInt8>, is name: StaticString) -> Bool {
    bytes.count == name.utf8CodeUnitCount
      && memcmp(bytes.baseAddress!, name.utf8Start, bytes.count) == 0
  }

  /// Whether `needle` occurs in `bytes`.
  static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
    guard let base = bytes.baseAddress, bytes.count >= needle.utf8CodeUnitCount else { return false }
    return octo_memmem(base, bytes.count, needle.utf8Start, needle.utf8CodeUnitCount) != nil
  }

  /// Walks the JSON document at `path` (a regular file of at most `limit` bytes): `body` reads its one value
  /// from the parser, after which only whitespace may follow.
  static func document(_ path: String, _ body: (inout CanonicalJSON.Parser) throws -> Void) throws {
    try withFile(path) { bytes in
      var parser = CanonicalJSON.Parser(bytes: bytes)
      parser.skipSpace()
      try body(&parser)
      parser.skipSpace()
      guard parser.position == bytes.count else { throw parser.error("unexpected text after the value") }
    }
  }

  /// The whole JSON file at `path` (a regular file of at most `limit` bytes) handed to `body` as bytes.
  static func withFile<T>(
    _ path: String, limit: Int = AgentFiles.largestFile, _ body: (UnsafeBufferPointer<UInt8>) throws -> T
  )
    throws -> T
  {
    let data = try RegularFile.contents(path, limit: limit)
    return try data.withUnsafeBytes { raw in
      try body(raw.bindMemory(to: UInt8.self))
    }
  }
}

/// Finding and stamping agents' files.
enum AgentFiles {
  /// The largest whole-JSON file read (a session or task file of an agent, rewritten in place), and the
  /// largest database row.
  static let largestFile = 256 << 20

  /// What a file is now: its size, modification time and inode, as text; `nil` when it cannot be seen.
  /// A file whose stamp did not change since the last import is not read again.
  static func stamp(_ path: String) -> String? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    return "\(status.st_size):\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec):\(status.st_ino)"
  }

  /// The size of the regular file at `path` (0 when it is not one).
  static func size(_ path: String) -> UInt64 {
    var status = stat()
    guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return 0 }
    return UInt64(max(0, status.st_size))
  }

  /// The names in `folder` (none when it cannot be read), sorted.
  static func names(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  /// Whether `path` is a regular file (symlinks followed).
  static func isFile(_ path: String) -> Bool { RegularFile.exists(path) }

  /// The text of a small file, trimmed; `nil` when it is missing, not a regular file or larger than `limit`.
  static func smallText(_ path: String, limit: Int = 1 << 20) -> String? {
    guard let data = try? RegularFile.contents(path, limit: limit) else { return nil }
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? nil : text
  }

  /// A small JSON file, parsed; `nil` when it is missing, unreadable or not JSON.
  static func smallJSON(_ path: String, limit: Int = 64 << 20) -> JSONValue? {
    guard let data = try? RegularFile.contents(path, limit: limit) else { return nil }
    return data.withUnsafeBytes { raw in try? CanonicalJSON.parse(bytes: raw.bindMemory(to: UInt8.self)) }
  }
}
