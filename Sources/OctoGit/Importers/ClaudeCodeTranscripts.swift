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

  /// Every `.jsonl` file below `folders`, sorted.
  public static func transcriptFiles(in folders: [String]) -> [String] {
    var files: [String] = []
    for folder in folders {
      guard let walker = FileManager.default.enumerator(atPath: folder) else { continue }
      for case let relative as String in walker where relative.hasSuffix(".jsonl") {
        files.append(folder + "/" + relative)
      }
    }
    return files.sorted()
  }

  /// Requests found so far, deduplicated, and the lines that could not be read.
  public struct Scan: Sendable {
    /// Requests by event id.
    public var requests: [String: AgentRequest] = [:]
    public var lines = 0
    /// Lines that mention usage (so may record a request) but cannot be read.
    public var malformedLines = 0
    public var files = 0

    public init() {}

    /// Adds another scan's requests and counts.
    public mutating func merge(_ other: Scan) {
      for request in other.requests.values { keep(request) }
      lines += other.lines
      malformedLines += other.malformedLines
      files += other.files
    }

    /// Keeps the request, or the one already seen with the same id if it has at least as many output tokens.
    mutating func keep(_ request: AgentRequest) {
      if let existing = requests[request.id], existing.tokens.output >= request.tokens.output { return }
      requests[request.id] = request
    }
  }

  /// Reads one transcript from `offset`, adding its requests to `scan`; returns where to start next time.
  @discardableResult
  public static func read(_ path: String, from offset: UInt64 = 0, into scan: inout Scan, complete: Bool = true) throws -> UInt64 {
    var reader = JSONLinesReader(path: path, offset: offset)
    scan.files += 1
    try reader.forEachLine(takePartialLastLine: complete) { bytes in
      scan.lines += 1
      // Only lines that mention usage can be requests: the others (prompts, tool results, summaries, file
      // snapshots — most of the bytes) are not parsed at all.
      guard contains(bytes, usageKey) else { return }
      guard let value = try? CanonicalJSON.parse(bytes: bytes, selecting: lineFields) else {
        scan.malformedLines += 1
        return
      }
      if let request = request(from: value) { scan.keep(request) }
    }
    return reader.offset
  }

  static let usageKey = Array("\"usage\"".utf8)

  /// The members of a transcript line a request needs; the message content (most of the bytes) is skipped.
  static let lineFields = CanonicalJSON.Selection.members([
    "type": .all, "timestamp": .all, "cwd": .all, "gitBranch": .all, "sessionId": .all,
    "message": .members(["id": .all, "model": .all, "usage": .all]),
  ])

  /// Whether `needle` occurs in `bytes`: `memchr` finds each candidate first byte, `memcmp` the rest.
  static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
    guard let base = bytes.baseAddress, !needle.isEmpty, bytes.count >= needle.count else { return false }
    return needle.withUnsafeBufferPointer { pattern in
      var position = 0
      let last = bytes.count - needle.count
      while position <= last {
        guard let found = memchr(base + position, Int32(needle[0]), last - position + 1) else { return false }
        let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        if memcmp(base + index, pattern.baseAddress!, needle.count) == 0 { return true }
        position = index + 1
      }
      return false
    }
  }

  /// The request a transcript line records, if it records one.
  static func request(from value: JSONValue) -> AgentRequest? {
    guard value["type"]?.stringValue == "assistant", let message = value["message"],
      let usage = message["usage"], case .object = usage,
      let id = message["id"]?.stringValue, let model = message["model"]?.stringValue, model != "<synthetic>",
      let stamp = value["timestamp"]?.stringValue, let at = Timestamp.parse(stamp)
    else { return nil }
    func count(_ value: JSONValue?) -> Int { max(0, value?.intValue ?? 0) }
    let creation = usage["cache_creation"]
    var write5m = count(usage["cache_creation_input_tokens"])
    var write1h = 0
    if let creation, case .object = creation {
      write5m = count(creation["ephemeral_5m_input_tokens"])
      write1h = count(creation["ephemeral_1h_input_tokens"])
    }
    return AgentRequest(
      id: "cc:" + id, agent: "claude-code", at: at, model: model,
      tokens: TokenCounts(
        input: count(usage["input_tokens"]), output: count(usage["output_tokens"]), cacheWrite5m: write5m,
        cacheWrite1h: write1h, cacheRead: count(usage["cache_read_input_tokens"])),
      cwd: value["cwd"]?.stringValue, branch: value["gitBranch"]?.stringValue, session: value["sessionId"]?.stringValue)
  }
}
