import Foundation

/// Reads GitHub Copilot CLI's session logs: `<home>/session-state/<session id>/events.jsonl`.
///
/// Copilot writes usage only when a run ends: a `session.shutdown` event whose
/// `data.modelMetrics.<model>.usage{inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens,
/// reasoningTokens}` sums that run's requests to each model (per-call `assistant.usage` events are
/// ephemeral, never written). A run starts with `session.start` or `session.resume` (resuming a session
/// appends to the same file) and its counters start again from zero, so each shutdown counts, for the run
/// it closes. A run that ended without a shutdown (a crash, `/new`) left no usage behind: nothing is
/// counted for it.
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

  /// Reads one session's events, adding a request per model for each run that ended with a shutdown.
  static func read(_ path: String, into scan: inout AgentScan) throws {
    scan.files += 1
    var session = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
    var runStart: Date?
    var cwd: String?
    var branch: String?
    var shutdowns = 0
    var reader = JSONLinesReader(path: path)
    try reader.forEachLine(takePartialLastLine: true) { bytes in
      scan.records += 1
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
      case "session.start", "session.resume":
        if let id = AgentFields.text(data?["sessionId"]) { session = id }
        runStart = event["timestamp"]?.stringValue.flatMap({ Timestamp.parse($0) })
        if let context = data?["context"], case .object = context {
          cwd = AgentFields.text(context["cwd"])
          branch = AgentFields.text(context["branch"])
        }
      case "session.shutdown":
        shutdowns += 1
        defer { runStart = nil }
        guard let metrics = data?["modelMetrics"]?.objectValue,
          let at = runStart ?? event["timestamp"]?.stringValue.flatMap({ Timestamp.parse($0) })
        else {
          scan.malformed += 1
          return
        }
        let run = AgentFields.text(event["id"]) ?? "#\(shutdowns)"
        for (model, metric) in metrics.sorted(by: { $0.key < $1.key }) {
          do {
            guard let usage = metric["usage"], case .object = usage, !model.isEmpty else { throw MalformedRecord() }
            let input = try AgentFields.tokens(usage["inputTokens"])
            let output = try AgentFields.tokens(usage["outputTokens"])
            let reads = try AgentFields.tokens(usage["cacheReadTokens"])
            let writes = try AgentFields.tokens(usage["cacheWriteTokens"])
            let reasoning = try AgentFields.tokens(usage["reasoningTokens"])
            let tokens = try AgentFields.checked(
              TokenCounts(
                input: max(0, input - reads - writes), output: max(output, reasoning), cacheWrite5m: writes,
                cacheRead: reads))
            scan.keep(
              AgentRequest(
                id: "cp:\(session):\(run):\(model)", agent: agent, at: at, model: model, tokens: tokens, cwd: cwd,
                branch: branch, session: session))
          } catch {
            scan.malformed += 1
          }
        }
      default:
        return
      }
    }
    scan.malformed += reader.longLinesDropped
  }
}
