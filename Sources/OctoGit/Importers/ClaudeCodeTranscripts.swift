import CShims
import Foundation

/// Reads Claude Code's transcripts (`<config>/projects/**/*.jsonl`, subagent files included).
///
/// A request is an `assistant` line with `message.usage` whose model is not `<synthetic>`. Claude Code
/// writes one line per content block, sharing `message.id`, with a partial `output_tokens` on all but the
/// last, and resumed sessions copy lines into new files: requests are therefore keyed by `message.id`
/// across every file, and the line with the largest `output_tokens` counts.
public enum ClaudeCodeTranscripts {
  /// The `projects` folders to read: each folder of `CLAUDE_CONFIG_DIR` (a comma-separated list), else
  /// `~/.config/claude` and `~/.claude`. Only those that exist.
  public static func projectFolders(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    let home = Paths.home(environment)
    return Paths.folders(
      listedIn: "CLAUDE_CONFIG_DIR", otherwise: [home + "/.config/claude", home + "/.claude"], environment: environment
    ).map { $0 + "/projects" }.filter(Paths.isFolder)
  }

  /// Every `.jsonl` file below `folders`, with its size, sorted. With `cachePath`, folders that did not
  /// change since the previous listing are not read again (see ``FileTree/files(under:suffix:cachePath:)``).
  public static func transcriptFiles(in folders: [String], cachePath: String? = nil) -> [(path: String, size: UInt64)] {
    FileTree.files(under: folders, suffix: ".jsonl", cachePath: cachePath).map { ($0.path, $0.size) }
  }

  /// Requests found so far, deduplicated, and the lines that could not be read.
  public struct Scan: Sendable {
    /// A request and the rank of the file it was read from.
    public struct Kept: Sendable {
      public var request: AgentRequest
      var origin: Int
    }

    /// Requests by event id.
    public var requests: [String: Kept] = [:]
    public var lines = 0
    /// Lines that mention usage (so may record a request) but cannot be read.
    public var malformedLines = 0
    public var files = 0
    /// Files that could not be read (not a regular file, no permission): skipped, counted.
    public var unreadableFiles = 0
    /// The rank of the file being read (its place in path order): of two copies of a request with as many
    /// output tokens, the one from the earlier file is kept, however the files were shared out.
    public var origin = 0
    /// The strings the previous lines gave, reused when a line repeats them.
    var recent = RecentStrings()

    public init() {}

    /// Adds another scan's requests and counts.
    public mutating func merge(_ other: Scan) {
      requests.reserveCapacity(requests.count + other.requests.count)
      for kept in other.requests.values { keep(kept.request, origin: kept.origin) }
      lines += other.lines
      malformedLines += other.malformedLines
      files += other.files
      unreadableFiles += other.unreadableFiles
    }

    /// Keeps the request unless the one already seen with the same id has more output tokens, or as many
    /// and comes from the same file or an earlier one.
    mutating func keep(_ request: AgentRequest, origin: Int) {
      let index = requests.index(forKey: request.id)
      if let index {
        let existing = requests.values[index]
        if existing.request.tokens.output > request.tokens.output { return }
        if existing.request.tokens.output == request.tokens.output, existing.origin <= origin { return }
        requests.values[index] = Kept(request: request, origin: origin)
      } else {
        requests[request.id] = Kept(request: request, origin: origin)
      }
    }
  }

  /// Reads one transcript from `offset`, adding its requests to `scan`; returns where to start next time.
  @discardableResult
  public static func read(_ path: String, from offset: UInt64 = 0, into scan: inout Scan, complete: Bool = true) throws
    -> UInt64
  {
    var reader = JSONLinesReader(path: path, offset: offset)
    scan.files += 1
    try reader.forEachLine(takePartialLastLine: complete) { bytes in
      scan.lines += 1
      // Only lines that mention usage can be requests: the others (prompts, tool results, summaries, file
      // snapshots — most of the bytes) are not parsed at all.
      guard contains(bytes, usageKey) else { return }
      let request: AgentRequest?
      do {
        request = try Self.request(in: bytes, recent: &scan.recent)
      } catch {
        scan.malformedLines += 1
        return
      }
      if let request { scan.keep(request, origin: scan.origin) }
    }
    scan.malformedLines += reader.longLinesDropped
    return reader.offset
  }

  static let usageKey = Array("\"usage\"".utf8)

  /// Whether `needle` occurs in `bytes` (glibc's `memmem`: a vectorised search, not a byte loop).
  static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
    guard let base = bytes.baseAddress, !needle.isEmpty, bytes.count >= needle.count else { return false }
    return needle.withUnsafeBufferPointer { octo_memmem(base, bytes.count, $0.baseAddress!, needle.count) != nil }
  }

  /// The request a transcript line records, if it records one; throws when the line is not valid JSON.
  ///
  /// The line is walked once and only the members a request needs become values: `type`, `timestamp`,
  /// `cwd`, `gitBranch`, `sessionId`, `costUSD`, and `message.id`, `.model`, `.usage` (read whole, as before, so
  /// invalid text there still makes the line malformed); the message content, most of the bytes, is
  /// checked and skipped. A member given twice counts as its last spelling, whole, as a JSON object's would.
  static func request(in bytes: UnsafeBufferPointer<UInt8>) throws -> AgentRequest? {
    var recent = RecentStrings()
    return try request(in: bytes, recent: &recent)
  }

  /// ``request(in:)`` reusing the strings of earlier lines (`recent`) where this one repeats them; the time
  /// and the message id are read from their bytes.
  static func request(in bytes: UnsafeBufferPointer<UInt8>, recent: inout RecentStrings) throws -> AgentRequest? {
    var parser = CanonicalJSON.Parser(bytes: bytes)
    parser.skipSpace()
    var line = LineFields()
    if parser.position < bytes.count, bytes[parser.position] == UInt8(ascii: "{") {
      try parser.members(
        depth: 0, keys: ["type", "timestamp", "cwd", "gitBranch", "sessionId", "message", "costUSD"]
      ) {
        parser, key in
        switch key {
        case 0: line.type = try parser.stringIfAny(depth: 1, reusing: &recent.type)
        case 1: line.timestamp = try Text(&parser, depth: 1)
        case 2: line.cwd = try parser.stringIfAny(depth: 1, reusing: &recent.cwd)
        case 3: line.branch = try parser.stringIfAny(depth: 1, reusing: &recent.branch)
        case 4: line.session = try parser.stringIfAny(depth: 1, reusing: &recent.session)
        case 5:
          line.message = MessageFields()
          guard parser.bytes[parser.position] == UInt8(ascii: "{") else {
            line.message = nil
            _ = try parser.value(depth: 1)
            return
          }
          try parser.members(depth: 1, keys: ["id", "model", "usage"]) { parser, key in
            switch key {
            case 0: line.message?.id = try Text(&parser, depth: 2)
            case 1: line.message?.model = try parser.stringIfAny(depth: 2, reusing: &recent.model)
            case 2: line.message?.usage = try usage(&parser)
            default: try parser.skipValue(depth: 2)
            }
          }
        // A costUSD that is no amount is left out (the tokens still count; octo-git prices them if it can).
        case 6: line.cost = (try? AgentFields.cost(try parser.value(depth: 1))) ?? nil
        default: try parser.skipValue(depth: 1)
        }
      }
    } else {
      _ = try parser.value(depth: 0)
    }
    parser.skipSpace()
    guard parser.position == bytes.count else {
      throw CanonicalJSON.ParseError(offset: parser.position, reason: "trailing characters")
    }

    guard line.type == "assistant", let message = line.message, let usage = message.usage,
      message.model != "<synthetic>"
    else { return nil }
    // Usage without what a request needs (its id, its model, a time with its zone) cannot be counted: the
    // line is said to be unreadable, not dropped silently.
    guard let id = message.id, let model = message.model, let at = line.timestamp?.date(in: bytes) else {
      throw MalformedRecord()
    }
    func count(_ value: Int?) -> Int { max(0, value ?? 0) }
    var write5m = count(usage.cacheCreationInput)
    var write1h = 0
    if let creation = usage.cacheCreation {
      write5m = count(creation.fiveMinutes)
      write1h = count(creation.oneHour)
    }
    // An older version's costUSD is kept for a model octo-git has no price for (see agentCost). A fast-mode
    // request is the model's fast variant (`<model>-fast`, as price tables name it): priced only by a table
    // that has it, else unpriced, never at the standard rate it is a multiple of.
    return AgentRequest(
      id: try id.string(in: bytes, prefix: "cc:"), agent: "claude-code", at: at,
      model: usage.fast ? model + "-fast" : model,
      tokens: TokenCounts(
        input: count(usage.input), output: count(usage.output), cacheWrite5m: write5m, cacheWrite1h: write1h,
        cacheRead: count(usage.cacheRead)),
      cwd: line.cwd, branch: line.branch, session: line.session, cost: line.cost)
  }

  /// A token count of `message.usage`: `nil` when `null`.
  ///
  /// - Throws: ``MalformedRecord`` when it is not a whole number from 0 to ``UsageLimits/maxTokens`` (a
  ///   string, a fraction, a negative or absurd count is never taken for 0).
  private static func tokenCount(_ parser: inout CanonicalJSON.Parser, depth: Int) throws -> Int? {
    if parser.bytes[parser.position] == UInt8(ascii: "n") {
      _ = try parser.value(depth: depth)
      return nil
    }
    guard let count = try parser.integerIfAny(depth: depth), count >= 0, count <= UsageLimits.maxTokens else {
      throw MalformedRecord()
    }
    return count
  }

  /// `message.usage` when it is an object (else `nil`, moved past).
  private static func usage(_ parser: inout CanonicalJSON.Parser) throws -> UsageFields? {
    guard parser.bytes[parser.position] == UInt8(ascii: "{") else {
      _ = try parser.value(depth: 3)
      return nil
    }
    var usage = UsageFields()
    let keys: [StaticString] = [
      "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation",
      "speed",
    ]
    try parser.members(depth: 3, keys: keys) { parser, key in
      switch key {
      case 0: usage.input = try tokenCount(&parser, depth: 4)
      case 1: usage.output = try tokenCount(&parser, depth: 4)
      case 2: usage.cacheCreationInput = try tokenCount(&parser, depth: 4)
      case 3: usage.cacheRead = try tokenCount(&parser, depth: 4)
      case 4:
        guard parser.bytes[parser.position] == UInt8(ascii: "{") else {
          usage.cacheCreation = nil
          _ = try parser.value(depth: 4)
          return
        }
        var creation = CacheCreationFields()
        try parser.members(depth: 4, keys: ["ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"]) { parser, key in
          switch key {
          case 0: creation.fiveMinutes = try tokenCount(&parser, depth: 5)
          case 1: creation.oneHour = try tokenCount(&parser, depth: 5)
          default: _ = try parser.value(depth: 5)
          }
        }
        usage.cacheCreation = creation
      case 5: usage.fast = try parser.value(depth: 4).stringValue == "fast"
      default: _ = try parser.value(depth: 4)
      }
    }
    return usage
  }

  /// Strings of the previous lines, reused when a line repeats them (see
  /// ``CanonicalJSON/Parser/stringIfAny(depth:reusing:)``).
  struct RecentStrings: Sendable {
    var type: String?
    var cwd: String?
    var branch: String?
    var session: String?
    var model: String?
  }

  /// A string member kept as its bytes in the line when it has no escape (made into a value only if the
  /// line turns out to be a request), else as the decoded string.
  private enum Text {
    case plain(Range<Int>)
    case decoded(String)

    /// Reads the value at the parser's position (`nil`, read and dropped, when it is not a string).
    init?(_ parser: inout CanonicalJSON.Parser, depth: Int) throws {
      if let range = parser.plainStringIfAny() {
        // Checked now, as the JSON reader would: text that is not UTF-8 makes the line malformed.
        if UnsafeBufferPointer(rebasing: parser.bytes[range]).contains(where: { $0 >= 0x80 }) {
          _ = try parser.validated(range)
        }
        self = .plain(range)
      } else if let text = try parser.stringIfAny(depth: depth) {
        self = .decoded(text)
      } else {
        return nil
      }
    }

    func date(in line: UnsafeBufferPointer<UInt8>) -> Date? {
      switch self {
      case .plain(let range): return Timestamp.parse(bytes: UnsafeBufferPointer(rebasing: line[range]))
      case .decoded(let text): return Timestamp.parse(text)
      }
    }

    /// `prefix` followed by the text.
    func string(in line: UnsafeBufferPointer<UInt8>, prefix: StaticString) throws -> String {
      switch self {
      case .decoded(let text): return prefix.description + text
      case .plain(let range):
        let bytes = UnsafeBufferPointer(rebasing: line[range])
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
          return prefix.description + (try CanonicalJSON.Parser(bytes: line).validated(range))
        }
        let length = prefix.utf8CodeUnitCount
        return String(unsafeUninitializedCapacity: length + bytes.count) { buffer in
          _ = UnsafeMutableBufferPointer(rebasing: buffer[..<length])
            .initialize(from: UnsafeBufferPointer(start: prefix.utf8Start, count: length))
          _ = UnsafeMutableBufferPointer(rebasing: buffer[length...]).initialize(from: bytes)
          return length + bytes.count
        }
      }
    }
  }

  private struct LineFields {
    var type: String?
    var timestamp: Text?
    var cwd: String?
    var branch: String?
    var session: String?
    var message: MessageFields?
    /// `costUSD`, which older Claude Code versions wrote beside each request.
    var cost: PicoDollars?
  }

  private struct MessageFields {
    var id: Text?
    var model: String?
    var usage: UsageFields?
  }

  private struct UsageFields {
    var input: Int?
    var output: Int?
    var cacheCreationInput: Int?
    var cacheRead: Int?
    var cacheCreation: CacheCreationFields?
    /// `speed: "fast"`: fast mode, billed at a multiple of the model's price.
    var fast = false
  }

  private struct CacheCreationFields {
    var fiveMinutes: Int?
    var oneHour: Int?
  }
}
