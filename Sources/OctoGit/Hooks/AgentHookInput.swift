import Foundation

/// What a coding agent's hook hands octo-git on stdin: only the fields used. Claude Code, Codex CLI, Gemini CLI
/// and Qwen Code name them alike (`session_id`, `transcript_path`, `cwd`, `tool_name`, `hook_event_name`);
/// GitHub Copilot CLI's hooks named in camelCase send `sessionId`, `transcriptPath`, `cwd` and `toolName`.
public struct AgentHookInput: Sendable {
  public var sessionID: String?
  public var transcriptPath: String?
  public var workingDirectory: String?
  public var toolName: String?
  public var event: String?

  /// The largest hook input read (agents send a few hundred bytes).
  static let sizeLimit = 1 << 20

  /// Reads the hook's JSON from a regular file, or from stdin when `source` is `-`; anything larger than
  /// ``sizeLimit`` or unreadable gives empty fields.
  public static func read(from source: String) -> AgentHookInput {
    let data =
      source == "-"
      ? RegularFile.standardInput(limit: sizeLimit) : try? RegularFile.contents(source, limit: sizeLimit)
    return AgentHookInput(json: data ?? Data())
  }

  /// Reads the JSON object; anything unreadable gives empty fields (a hook must not fail because of it).
  public init(json data: Data) {
    let value = (try? CanonicalJSON.parse(String(decoding: data, as: UTF8.self))) ?? .null
    // The first of `names` holding a string that is not empty (Gemini CLI sends `""` for a session it
    // records no transcript of).
    func text(_ names: String...) -> String? {
      names.lazy.compactMap { value[$0]?.stringValue }.first { !$0.isEmpty }
    }
    sessionID = text("session_id", "sessionId")
    // Handed to an importer, which reads only regular files (a FIFO or a device is counted and skipped).
    transcriptPath = text("transcript_path", "transcriptPath")
    workingDirectory = text("cwd")
    toolName = text("tool_name", "toolName")
    event = text("hook_event_name", "hookEventName")
  }
}
