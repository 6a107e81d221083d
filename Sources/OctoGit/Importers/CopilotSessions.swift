import Foundation

/// Reads GitHub Copilot CLI's session logs: `<home>/session-state/<session id>/events.jsonl`.
///
/// Copilot writes usage only when a run ends: a `session.shutdown` event whose
/// `data.modelMetrics.<model>.usage{inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens,
/// reasoningTokens}` gives each model's counters (per-call `assistant.usage` events are ephemeral, never
/// written). A run starts with `session.start` or `session.resume` (resuming a session appends to the same
/// file). A run that ended without a shutdown (a crash, `/new`) left no usage behind: nothing is counted
/// for it.
///
/// The counters start again with each run: a shutdown after a resume counts whole (users report
/// `/usage` and the shutdowns of resumed sessions holding only the new run's usage, on CLIs up to 1.0.67
/// and later). A file that holds `session.usage_checkpoint` events was written by a CLI whose counters run on
/// across resumes: there a shutdown counts what grew since the previous one, per model. A counter that went
/// down started again (an in-session compaction): that shutdown counts whole.
///
/// `inputTokens` includes the cache reads and writes: `in` = input − reads − writes, `cr` = reads, `cw5m`
/// = writes. Reasoning tokens are part of `outputTokens` (Copilot shows them as a share of the output):
/// `out` = output (at least the reasoning). One request per model and run, id
/// `cp:<session>:<shutdown event id>:<model>`, at the run's start, with the cwd and branch of the
/// `data.context` of the `session.start` or `session.resume` that began it.
public enum CopilotSessions {
  public static let agent = "copilot"

  /// `$COPILOT_HOME`, else `~/.copilot`; only if it exists.
  public static func homes(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    let home = environment["COPILOT_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? Paths.home(environment) + "/.copilot"
    return [home].filter(Paths.isFolder)
  }

  /// Every `session-state/<id>/events.jsonl` of `home`, in path order.
  static func eventFiles(in home: String) -> [String] {
    let folder = home + "/session-state"
    return AgentFiles.names(in: folder).map { folder + "/" + $0 + "/events.jsonl" }.filter(AgentFiles.isFile)
  }

  /// What is read of an event line (octo-fuzz checks the selective parse with it).
  static let selection = CanonicalJSON.Selection.members([
    "type": .all, "id": .all, "timestamp": .all,
    "data": .members([
      "sessionId": .all, "context": .members(["cwd": .all, "branch": .all]), "modelMetrics": .all,
    ]),
  ])

  /// One model's counters in one shutdown, as written.
  struct Counters: Equatable {
    var input = 0
    var output = 0
    var reads = 0
    var writes = 0
    var reasoning = 0

    /// Whether no counter is below `other`'s.
    func covers(_ other: Counters) -> Bool {
      input >= other.input && output >= other.output && reads >= other.reads && writes >= other.writes
        && reasoning >= other.reasoning
    }

    static func - (lhs: Counters, rhs: Counters) -> Counters {
      Counters(
        input: lhs.input - rhs.input, output: lhs.output - rhs.output, reads: lhs.reads - rhs.reads,
        writes: lhs.writes - rhs.writes, reasoning: lhs.reasoning - rhs.reasoning)
    }
  }

  /// A shutdown read, counted once the whole file is read (whether the counters reset on resume is known
  /// only then).
  private struct Shutdown {
    let run: String
    let at: Date
    let cwd: String?
    let branch: String?
    let afterResume: Bool
    var models: [(name: String, counters: Counters)]
  }

  /// Reads one session's events, adding a request per model for each run that ended with a shutdown.
  static func read(_ path: String, into scan: inout AgentScan) throws {
    scan.files += 1
    var session = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
    var runStart: Date?
    var cwd: String?
    var branch: String?
    var resumed = false
    var checkpoints = false
    var shutdowns: [Shutdown] = []
    var reader = JSONLinesReader(path: path)
    try reader.forEachLine(takePartialLastLine: true) { bytes in
      scan.records += 1
      if !checkpoints, JSONWalk.contains(bytes, "session.usage_checkpoint") {
        checkpoints =
          (try? CanonicalJSON.parse(bytes: bytes, selecting: selection))?["type"]?.stringValue
          == "session.usage_checkpoint"
      }
      guard
        JSONWalk.contains(bytes, "session.start") || JSONWalk.contains(bytes, "session.resume")
          || JSONWalk.contains(bytes, "session.shutdown")
      else { return }
      let event: JSONValue
      do {
        event = try CanonicalJSON.parse(bytes: bytes, selecting: selection)
      } catch {
        scan.malformed += 1
        return
      }
      let data = event["data"]
      switch event["type"]?.stringValue {
      case let type? where type == "session.start" || type == "session.resume":
        if let id = AgentFields.text(data?["sessionId"]) { session = id }
        resumed = type == "session.resume"
        runStart = event["timestamp"]?.stringValue.flatMap({ Timestamp.parse($0) })
        if let context = data?["context"], case .object = context {
          cwd = AgentFields.text(context["cwd"])
          branch = AgentFields.text(context["branch"])
        }
      case "session.shutdown":
        defer {
          runStart = nil
          resumed = false
        }
        guard let metrics = data?["modelMetrics"]?.objectValue,
          let at = runStart ?? event["timestamp"]?.stringValue.flatMap({ Timestamp.parse($0) })
        else {
          scan.malformed += 1
          return
        }
        var shutdown = Shutdown(
          run: AgentFields.text(event["id"]) ?? "#\(shutdowns.count + 1)", at: at, cwd: cwd, branch: branch,
          afterResume: resumed, models: [])
        for (model, metric) in metrics.sorted(by: { $0.key < $1.key }) {
          do {
            guard let usage = metric["usage"], case .object = usage, !model.isEmpty else { throw MalformedRecord() }
            shutdown.models.append(
              (
                model,
                Counters(
                  input: try AgentFields.tokens(usage["inputTokens"]),
                  output: try AgentFields.tokens(usage["outputTokens"]),
                  reads: try AgentFields.tokens(usage["cacheReadTokens"]),
                  writes: try AgentFields.tokens(usage["cacheWriteTokens"]),
                  reasoning: try AgentFields.tokens(usage["reasoningTokens"]))
              ))
          } catch {
            scan.malformed += 1
          }
        }
        shutdowns.append(shutdown)
      default:
        return
      }
    }
    scan.malformed += reader.longLinesDropped
    let resetsOnResume = !checkpoints
    var previous: [String: Counters] = [:]
    for shutdown in shutdowns {
      for (model, counters) in shutdown.models {
        var grown = counters
        if let before = previous[model], !(resetsOnResume && shutdown.afterResume), counters.covers(before) {
          grown = counters - before
        }
        previous[model] = counters
        guard grown != Counters() else { continue }
        do {
          let tokens = try AgentFields.checked(
            TokenCounts(
              input: max(0, grown.input - grown.reads - grown.writes), output: max(grown.output, grown.reasoning),
              cacheWrite5m: grown.writes, cacheRead: grown.reads))
          scan.keep(
            AgentRequest(
              id: "cp:\(session):\(shutdown.run):\(model)", agent: agent, at: shutdown.at, model: model, tokens: tokens,
              cwd: shutdown.cwd, branch: shutdown.branch, session: session))
        } catch {
          scan.malformed += 1
        }
      }
    }
  }
}
