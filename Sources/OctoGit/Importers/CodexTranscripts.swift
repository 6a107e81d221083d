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
/// its source's lines in one burst of writes (lines less than two seconds apart, or stamped before the
/// rollout's meta): with the source's `session_meta` among them (the copies are then the source's events, by
/// its id), or without it when Codex kept only the last turns (a subagent's fork). After the burst the events
/// are the rollout's own session's again. When the rollout's meta names its source (`forked_from_id`, or the
/// spawning thread's `parent_thread_id`), an event of the burst keeps the source's id, whatever was read (the
/// same request has the same id in every import), and is left out when a rollout read holds its running counts
/// (that rollout counts it: a chain of forks counts each request once, even with a rollout of the chain gone)
/// (``resolveCopies(_:in:)``).
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

  /// What reading a rollout tells beyond its events.
  public struct Rollout: Sendable {
    /// The rollout's own session (its first `session_meta`).
    public var owner: String?
    /// Every running count its token_count events hold (input, cached, output, total), copies included.
    public var totals = Set<RunningCounts>()
    /// The events of its opening when its meta names a source: their positions among the requests read,
    /// that source and their running counts (named by the source's id until resolved).
    public var copies: [(position: Int, source: String, counts: RunningCounts)] = []
  }

  /// A token_count event's running counts.
  public struct RunningCounts: Hashable, Sendable {
    let input: Int
    let cached: Int
    let output: Int
    let total: Int
  }

  /// Reads one rollout whole, appending its counted events.
  public static func read(_ path: String, into requests: inout [AgentRequest], malformed: inout Int) throws {
    var lines = 0
    try read(path, into: &requests, malformed: &malformed, lines: &lines)
  }

  /// Reads one rollout whole, appending its counted events and counting its lines. With `onlyTotals`, only
  /// its token_count lines are parsed (for a fork's source's running totals, read by a hook each turn).
  @discardableResult
  public static func read(
    _ path: String, into requests: inout [AgentRequest], malformed: inout Int, lines: inout Int,
    onlyTotals: Bool = false
  ) throws -> Rollout {
    var rollout = Rollout()
    var reader = JSONLinesReader(path: path)
    var model = "gpt-5"
    var place = Place()
    var session: String?
    var previous: (input: Int, cached: Int, output: Int, total: Int) = (0, 0, 0, 0)
    var counted = false
    var opening = Opening()
    try reader.forEachLine(takePartialLastLine: true) { bytes in
      lines += 1
      if onlyTotals && !JSONWalk.contains(bytes, "token_count") { return }
      guard let value = try? CanonicalJSON.parse(bytes: bytes) else {
        malformed += 1
        return
      }
      let stamp = value["timestamp"]?.stringValue.flatMap(Timestamp.parse)
      if opening.ends(at: stamp) {
        // The copies are over: what follows is the rollout's own session's.
        session = opening.owner ?? session
        place = opening.ownPlace
      }
      let payload = value["payload"]
      switch value["type"]?.stringValue {
      case "session_meta":
        place.cwd = payload?["cwd"]?.stringValue ?? place.cwd
        place.branch = payload?["git"]?["branch"]?.stringValue ?? place.branch
        session = payload?["id"]?.stringValue ?? session
        opening.begin(with: payload, place: place)
      case "turn_context":
        if let next = payload?["model"]?.stringValue { model = next }
        if let next = payload?["cwd"]?.stringValue { place.cwd = next }
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
        rollout.totals.insert(RunningCounts(input: input, cached: cached, output: output, total: total))
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
        // A line without its time happened after the last line that had one.
        guard let at = stamp ?? opening.lineTime else {
          malformed += 1
          return
        }
        var named = session
        if opening.isOpen, let source = opening.source {
          // Likely a copy of the source's event: under the source's id (or that of the copied meta it
          // follows) until resolved against the source's rollout.
          if session == opening.owner { named = source }
          rollout.copies.append(
            (requests.count, source, RunningCounts(input: input, cached: cached, output: output, total: total)))
        }
        requests.append(
          AgentRequest(
            id: "cx:\(named ?? (path as NSString).lastPathComponent):\(total)", agent: "codex", at: at, model: model,
            tokens: TokenCounts(input: deltaInput - deltaCached, output: deltaOutput, cacheRead: deltaCached),
            cwd: place.cwd, branch: place.branch, session: named))
      default:
        return
      }
    }
    malformed += reader.longLinesDropped
    rollout.owner = opening.owner
    return rollout
  }

  /// Settles the copies `rollouts` noted in `requests`: an event whose running counts another rollout read
  /// holds as one of its own events (not in its opening), or its source's rollout holds at all, is taken
  /// out, that rollout counting it; one none holds stays, under the source's id (a fork's own request
  /// answered within the burst, or a copy of a source never read: two forks' copies of it share that id, and
  /// count once), its session the fork's when its source was read (then it is the fork's own).
  public static func resolveCopies(_ rollouts: [Rollout], in requests: inout [AgentRequest]) {
    // Which rollouts hold each running count as their own event. (All four counts: the totals alone of two
    // sessions' first turns on the same instructions can be equal.)
    var holders: [RunningCounts: Set<String>] = [:]
    // Every running count of each session read, copies included.
    var held: [String: Set<RunningCounts>] = [:]
    for rollout in rollouts {
      guard let owner = rollout.owner else { continue }
      held[owner, default: []].formUnion(rollout.totals)
      let copied = Set(rollout.copies.map(\.counts))
      for counts in rollout.totals where !copied.contains(counts) { holders[counts, default: []].insert(owner) }
    }
    var taken = Set<Int>()
    for rollout in rollouts {
      for copy in rollout.copies {
        // Counted by another rollout as its own, or by the source (as its own or as its copy, settled there:
        // a fork of a fork leaves the first session's requests to the middle one, whatever became of the first).
        let ownedElsewhere = holders[copy.counts].map { !$0.subtracting([rollout.owner ?? ""]).isEmpty } ?? false
        if ownedElsewhere || held[copy.source]?.contains(copy.counts) == true {
          taken.insert(copy.position)
        } else if held[copy.source] != nil, let owner = rollout.owner {
          let request = requests[copy.position]
          requests[copy.position] = request.renamed(id: request.id, session: owner)
        }
      }
    }
    if !taken.isEmpty { requests = requests.enumerated().filter { !taken.contains($0.offset) }.map(\.element) }
  }

  /// Where a session worked.
  private struct Place {
    var cwd: String?
    var branch: String?
  }

  /// A rollout's first lines: its own `session_meta`, and, for a forked or resumed session, the copies of
  /// its source's lines written with it in one burst (each less than two seconds after the one before; a
  /// clock stepping back a little does not end it), or keeping their own times, before the rollout's.
  private struct Opening {
    /// The rollout's own session.
    private(set) var owner: String?
    /// The session it was forked or resumed from, when its meta says.
    private(set) var source: String?
    private(set) var isOpen = false
    /// The time of the latest line that had one.
    private(set) var lineTime: Date?
    /// Where the rollout's own session worked, by its meta.
    private(set) var ownPlace = Place()
    /// When the rollout began (its meta's line).
    private var created: Date?

    /// Takes a line's time; true when it ends the burst.
    mutating func ends(at stamp: Date?) -> Bool {
      defer { lineTime = stamp ?? lineTime }
      guard isOpen, let stamp, let before = lineTime, !(-1..<2).contains(stamp.timeIntervalSince(before)),
        stamp >= created ?? .distantPast
      else { return false }
      isOpen = false
      return true
    }

    /// Takes a `session_meta`: the first one is the rollout's own.
    mutating func begin(with payload: JSONValue?, place: Place) {
      guard owner == nil, let id = payload?["id"]?.stringValue else { return }
      owner = id
      created = lineTime
      ownPlace = place
      source = [payload?["forked_from_id"], payload?["source"]?["subagent"]?["thread_spawn"]?["parent_thread_id"]]
        .lazy.compactMap { $0?.stringValue }.first { !$0.isEmpty && $0 != id }
      isOpen = true
    }
  }
}
