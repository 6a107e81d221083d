import Foundation

/// Reads Codex CLI rollouts (`<CODEX_HOME>/sessions/**` and `archived_sessions/**`).
///
/// Per rollout, a `token_count` event counts only when its `total_token_usage` moved (Codex re-emits
/// events with an unchanged total), and the amount is the difference from the previous total: input is
/// `input_tokens − cached_input_tokens`, cache reads `cached_input_tokens`, output `output_tokens`
/// (reasoning included). The first event of a rollout, and one whose totals went down, count their own
/// request (`last_token_usage`) when the event says it: a resumed session's new rollout starts from the
/// running total it inherited, which the earlier rollout already counted. The model is the latest
/// `turn_context` one; `session_meta` gives cwd and branch.
///
/// An event's id is `cx:<session>:<running total>`. A forked or resumed session's rollout opens by copying
/// its source's lines, in one burst of writes: under the source's `session_meta` when that is among them
/// (then the copies are the source's events by that id), without it when Codex kept only the last turns (a
/// subagent's fork). A rollout whose own meta names where it came from (`forked_from_id`, or the spawning
/// thread's `parent_thread_id`) gives the events of that opening burst (lines less than half a second apart)
/// the source's id, so they count once beside the source's own rollout; read without it, once all the same.
/// An event of the session's own written within the burst keeps its counts, under the source's name.
public enum CodexTranscripts {
  /// `CODEX_HOME` (a comma-separated list), else `~/.codex`; only folders that exist.
  public static func homes(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    Paths.folders(listedIn: "CODEX_HOME", otherwise: [Paths.home(environment) + "/.codex"], environment: environment)
      .filter(Paths.isFolder)
  }

  /// Rollout files under `sessions/` and `archived_sessions/` of each home; a relative path present in both
  /// is read once, from `sessions/`.
  public static func rolloutFiles(in homes: [String]) -> [String] {
    var files: [String] = []
    for home in homes {
      var seen = Set<String>()
      for folder in ["sessions", "archived_sessions"] {
        let root = home + "/" + folder
        guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
        for case let relative as String in walker where relative.hasSuffix(".jsonl") {
          // Only regular files: a FIFO or device named *.jsonl would hang or never end the read.
          guard walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular,
            seen.insert(relative).inserted
          else { continue }
          files.append(root + "/" + relative)
        }
      }
    }
    return files.sorted()
  }

  /// Reads one rollout whole, appending its counted events.
  public static func read(_ path: String, into requests: inout [AgentRequest], malformed: inout Int) throws {
    var reader = JSONLinesReader(path: path)
    var model = "gpt-5"
    var cwd: String?
    var branch: String?
    var session: String?
    var previous: (input: Int, cached: Int, output: Int, total: Int) = (0, 0, 0, 0)
    var counted = false
    // The rollout's own session, the one it was forked or resumed from, and whether the lines are still
    // the opening burst that copies the source's (ended by the first pause of half a second).
    var owner: String?
    var source: String?
    var copying = false
    var lineTime: Date?
    try reader.forEachLine(takePartialLastLine: true) { bytes in
      guard let value = try? CanonicalJSON.parse(bytes: bytes) else {
        malformed += 1
        return
      }
      let at = value["timestamp"]?.stringValue.flatMap(Timestamp.parse)
      if copying, let at, let before = lineTime, !(0..<0.5).contains(at.timeIntervalSince(before)) { copying = false }
      lineTime = at ?? lineTime
      let payload = value["payload"]
      switch value["type"]?.stringValue {
      case "session_meta":
        cwd = payload?["cwd"]?.stringValue ?? cwd
        branch = payload?["git"]?["branch"]?.stringValue ?? branch
        session = payload?["id"]?.stringValue ?? session
        if owner == nil, let id = payload?["id"]?.stringValue {
          owner = id
          source = [
            payload?["forked_from_id"], payload?["source"]?["subagent"]?["thread_spawn"]?["parent_thread_id"],
          ].lazy.compactMap { $0?.stringValue }.first { !$0.isEmpty && $0 != id }
          copying = source != nil
        }
      case "turn_context":
        if let next = payload?["model"]?.stringValue { model = next }
        if let next = payload?["cwd"]?.stringValue { cwd = next }
      case "event_msg":
        guard payload?["type"]?.stringValue == "token_count", let totals = payload?["info"]?["total_token_usage"],
          case .object = totals
        else { return }
        // Counts past the limit, or negative, are no session's: the line is malformed.
        func count(_ key: String, in usage: JSONValue = totals) -> Int? {
          guard let member = usage[key], member != .null else { return 0 }
          guard let value = member.intValue, value >= 0, value <= UsageLimits.maxTokens else { return nil }
          return value
        }
        guard let input = count("input_tokens"), let cached = count("cached_input_tokens"),
          let output = count("output_tokens"), let stated = count("total_tokens")
        else {
          malformed += 1
          return
        }
        let total = totals["total_tokens"] == nil ? input + output : stated
        if (input, cached, output, total) == previous { return }
        var deltaInput = max(0, input - previous.input)
        var deltaCached = min(max(0, cached - previous.cached), deltaInput)
        var deltaOutput = max(0, output - previous.output)
        let grew = input >= previous.input && cached >= previous.cached && output >= previous.output
        if !counted || !grew, let last = payload?["info"]?["last_token_usage"], case .object = last,
          let lastInput = count("input_tokens", in: last), let lastCached = count("cached_input_tokens", in: last),
          let lastOutput = count("output_tokens", in: last)
        {
          (deltaInput, deltaCached, deltaOutput) = (lastInput, min(lastCached, lastInput), lastOutput)
        }
        counted = true
        previous = (input, cached, output, total)
        guard let at else { return }
        // A copy of the source's event, made without the source's meta: the source's id.
        let named = copying && session == owner ? source : session
        requests.append(
          AgentRequest(
            id: "cx:\(named ?? (path as NSString).lastPathComponent):\(total)", agent: "codex", at: at, model: model,
            tokens: TokenCounts(input: deltaInput - deltaCached, output: deltaOutput, cacheRead: deltaCached), cwd: cwd,
            branch: branch, session: named))
      default:
        return
      }
    }
    malformed += reader.longLinesDropped
  }
}
