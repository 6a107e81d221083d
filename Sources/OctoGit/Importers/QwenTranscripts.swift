import Foundation

/// Reads Qwen Code's chat recordings: `<home>/projects/<sanitized cwd>/chats/<session id>.jsonl`, one record
/// a line, each with `uuid`, `sessionId`, `timestamp`, `cwd` and `gitBranch`.
///
/// Two kinds of record describe the same calls: an `assistant` record's `usageMetadata` (Gemini's
/// `promptTokenCount`, `candidatesTokenCount`, `cachedContentTokenCount`, `thoughtsTokenCount`; older
/// versions wrote `input`, `output`, `cached`, `thoughts`) for each main-agent turn, and a `system` record of
/// subtype `ui_telemetry` whose `systemPayload.uiEvent` is a `qwen-code.api_response` event
/// (`input_token_count`, `output_token_count`, `cached_content_token_count`, `thoughts_token_count`) for
/// every call, subagents' included. Each call counts once: every api_response event counts, and an assistant
/// record counts only when no api_response event of the same file has its counts (older versions wrote no
/// telemetry). The models are not compared: the event names the model the response gave
/// (`gpt-4o-2024-08-06`), the record the one asked for (`gpt-4o`). Id `qw:<record uuid>`.
///
/// The prompt count includes the cached tokens, and thoughts are inside the candidates count: `in` = prompt −
/// cached, `cr` = cached, `out` = candidates (at least the thoughts).
public enum QwenTranscripts {
  public static let agent = "qwen"

  /// Where Qwen Code keeps its runtime data, as it decides: `$QWEN_RUNTIME_DIR`, else `$QWEN_HOME`, else
  /// `~/.qwen`; only if it exists.
  public static func homes(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    let chosen = ["QWEN_RUNTIME_DIR", "QWEN_HOME"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
    return [
      chosen.map { Paths.expandingHome($0, environment: environment, relativeTo: Paths.home(environment)) }
        ?? Paths.home(environment) + "/.qwen"
    ].filter(Paths.isFolder)
  }

  /// Every `projects/*/chats/*.jsonl` of `home`, in path order.
  static func chatFiles(in home: String) -> [String] {
    let projects = home + "/projects"
    var files: [String] = []
    for project in AgentFiles.names(in: projects) {
      let chats = projects + "/" + project + "/chats"
      for name in AgentFiles.names(in: chats) where name.hasSuffix(".jsonl") && AgentFiles.isFile(chats + "/" + name) {
        files.append(chats + "/" + name)
      }
    }
    return files
  }

  /// What is read of a chat record (octo-fuzz checks the selective parse with it).
  static let selection = CanonicalJSON.Selection.members([
    "uuid": .all, "sessionId": .all, "timestamp": .all, "type": .all, "subtype": .all, "cwd": .all, "gitBranch": .all,
    "model": .all, "usageMetadata": .all,
    "systemPayload": .members([
      "uiEvent": .members([
        "event.name": .all, "event.timestamp": .all, "model": .all, "input_token_count": .all,
        "output_token_count": .all,
        "cached_content_token_count": .all, "thoughts_token_count": .all,
      ])
    ]),
  ])

  /// A call read from one record, and what identifies it across the two kinds of record.
  private struct Call {
    var request: AgentRequest
    var key: String
  }

  /// Reads one recording into `scan`.
  static func read(_ path: String, into scan: inout AgentScan) throws {
    scan.files += 1
    var telemetry: [Call] = []
    var turns: [Call] = []
    var line = 0
    let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    var reader = JSONLinesReader(path: path)
    try reader.forEachLine(takePartialLastLine: true) { bytes in
      line += 1
      scan.records += 1
      guard JSONWalk.contains(bytes, "usageMetadata") || JSONWalk.contains(bytes, "api_response") else { return }
      do {
        let record = try CanonicalJSON.parse(bytes: bytes, selecting: selection)
        let fallbackID = "\(AgentFields.text(record["sessionId"]) ?? name):\(line)"
        switch record["type"]?.stringValue {
        case "assistant":
          guard let usage = record["usageMetadata"], usage != .null else { return }
          guard case .object = usage else { throw MalformedRecord() }
          let prompt = try AgentFields.tokens(usage["promptTokenCount"] ?? usage["input"])
          let candidates = try AgentFields.tokens(usage["candidatesTokenCount"] ?? usage["output"])
          let cached = try AgentFields.tokens(usage["cachedContentTokenCount"] ?? usage["cached"])
          let thoughts = try AgentFields.tokens(usage["thoughtsTokenCount"] ?? usage["thoughts"])
          let model = AgentFields.text(record["model"]) ?? "unknown"
          turns.append(
            try call(
              record, id: fallbackID, at: try AgentFields.time(record["timestamp"]), model: model,
              counts: (prompt, candidates, cached, thoughts)))
        case "system":
          guard record["subtype"]?.stringValue == "ui_telemetry", let event = record["systemPayload"]?["uiEvent"],
            let eventName = event["event.name"]?.stringValue,
            eventName == "qwen-code.api_response" || eventName == "api_response"
          else { return }
          let prompt = try AgentFields.tokens(event["input_token_count"])
          let candidates = try AgentFields.tokens(event["output_token_count"])
          let cached = try AgentFields.tokens(event["cached_content_token_count"])
          let thoughts = try AgentFields.tokens(event["thoughts_token_count"])
          let at = try AgentFields.time(record["timestamp"] ?? event["event.timestamp"])
          let model = AgentFields.text(event["model"]) ?? AgentFields.text(record["model"]) ?? "unknown"
          telemetry.append(
            try call(record, id: fallbackID, at: at, model: model, counts: (prompt, candidates, cached, thoughts)))
        default:
          return
        }
      } catch {
        scan.malformed += 1
      }
    }
    scan.malformed += reader.longLinesDropped
    var described: [String: Int] = [:]
    for call in telemetry {
      described[call.key, default: 0] += 1
      scan.keep(call.request)
    }
    for call in turns {
      if let count = described[call.key], count > 0 {
        described[call.key] = count - 1
      } else {
        scan.keep(call.request)
      }
    }
  }

  private static func call(
    _ record: JSONValue, id fallbackID: String, at: Date, model: String,
    counts: (prompt: Int, candidates: Int, cached: Int, thoughts: Int)
  ) throws -> Call {
    let tokens = try AgentFields.checked(
      TokenCounts(
        input: max(0, counts.prompt - counts.cached), output: max(counts.candidates, counts.thoughts),
        cacheRead: counts.cached))
    let request = AgentRequest(
      id: "qw:" + (AgentFields.text(record["uuid"]) ?? fallbackID), agent: agent, at: at, model: model, tokens: tokens,
      cwd: AgentFields.text(record["cwd"]), branch: AgentFields.text(record["gitBranch"]),
      session: AgentFields.text(record["sessionId"]))
    return Call(request: request, key: "\(counts.prompt)|\(counts.candidates)|\(counts.cached)|\(counts.thoughts)")
  }
}
