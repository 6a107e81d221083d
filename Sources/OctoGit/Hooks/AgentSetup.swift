import Foundation

/// Wires coding agents to octo-git through the agents' own hook configuration.
///
/// Claude Code: the project's `.claude/settings.json` gets a `PreToolUse` hook on the file-editing and
/// shell tools that takes a checkpoint (`octo-git checkpoint --quiet --agent claude-code --hook-input -`),
/// and `Stop` and `SessionEnd` hooks that import the session's usage (`octo-git usage import claude-code
/// --hook-input -`). Both always exit 0.
/// The file is merged, never replaced: the user's settings and hooks stay as they are, and uninstall
/// removes exactly the entries octo-git added.
public enum AgentSetup {
  /// The agents octo-git can wire.
  public enum Agent: String, CaseIterable, Sendable {
    case claudeCode = "claude-code"
  }

  static let claudeMatcher = "Edit|MultiEdit|Write|NotebookEdit|Bash"
  /// What identifies octo-git's entries among the user's hooks.
  static let markers = ["checkpoint --quiet --agent claude-code --hook-input -", "usage import claude-code --hook-input -"]

  static func settingsPath(_ repository: Repository) -> String { repository.workDirectory + "/.claude/settings.json" }

  static func quoted(_ binary: String) -> String { "'\(binary.replacingOccurrences(of: "'", with: "'\\''"))'" }

  /// octo-git's hook entries by Claude Code event: (event, matcher, command).
  static func entries(binary: String) -> [(String, String?, String)] {
    let checkpoint = "\(quoted(binary)) \(markers[0])"
    let importer = "\(quoted(binary)) \(markers[1])"
    return [("PreToolUse", claudeMatcher, checkpoint), ("Stop", nil, importer), ("SessionEnd", nil, importer)]
  }

  /// Adds octo-git's hooks to the project's Claude Code settings: a checkpoint before file edits and shell
  /// commands, a usage import when a turn or session ends. Returns what changed (nothing when all is there).
  public static func installClaudeCode(_ repository: Repository, binary: String) throws -> [String] {
    let path = settingsPath(repository)
    var root = try readSettings(path)
    var hooks = root["hooks"] as? [String: Any] ?? [:]
    var changes: [String] = []
    for (event, matcher, command) in entries(binary: binary) {
      var blocks = hooks[event] as? [[String: Any]] ?? []
      let already = blocks.contains { block in
        (block["hooks"] as? [[String: Any]] ?? []).contains { ($0["command"] as? String) == command }
      }
      if already { continue }
      blocks = removingOurs(blocks)
      var block: [String: Any] = ["hooks": [["type": "command", "command": command]]]
      if let matcher { block["matcher"] = matcher }
      blocks.append(block)
      hooks[event] = blocks
      changes.append("Claude Code: \(event) hook in \(path)")
    }
    if changes.isEmpty { return [] }
    root["hooks"] = hooks
    try writeSettings(root, to: path)
    return changes
  }

  /// Removes octo-git's entries from the project's Claude Code settings (and the file, if octo-git's were
  /// all it held).
  public static func uninstallClaudeCode(_ repository: Repository) throws -> [String] {
    let path = settingsPath(repository)
    guard FileManager.default.fileExists(atPath: path) else { return [] }
    var root = try readSettings(path)
    guard var hooks = root["hooks"] as? [String: Any] else { return [] }
    var changed = false
    for (event, value) in hooks {
      guard let blocks = value as? [[String: Any]] else { continue }
      let kept = removingOurs(blocks)
      if kept.count == blocks.count && kept.elementsEqual(blocks, by: { NSDictionary(dictionary: $0).isEqual(to: $1) }) {
        continue
      }
      changed = true
      if kept.isEmpty { hooks.removeValue(forKey: event) } else { hooks[event] = kept }
    }
    if !changed { return [] }
    if hooks.isEmpty { root.removeValue(forKey: "hooks") } else { root["hooks"] = hooks }
    if root.isEmpty {
      unlink(path)
      rmdir((path as NSString).deletingLastPathComponent)
    } else {
      try writeSettings(root, to: path)
    }
    return ["Claude Code: removed octo-git's hooks from \(path)"]
  }

  /// Hook blocks with octo-git's commands taken out (blocks left empty are dropped).
  static func removingOurs(_ blocks: [[String: Any]]) -> [[String: Any]] {
    blocks.compactMap { block in
      guard let entries = block["hooks"] as? [[String: Any]] else { return block }
      let kept = entries.filter { entry in !markers.contains { ((entry["command"] as? String) ?? "").contains($0) } }
      if kept.count == entries.count { return block }
      if kept.isEmpty { return nil }
      var copy = block
      copy["hooks"] = kept
      return copy
    }
  }

  static func readSettings(_ path: String) throws -> [String: Any] {
    guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return [:] }
    guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
      throw OctoError.badInput("\(path) is not a JSON object", hint: "fix the file, then run octo-git install again")
    }
    return root
  }

  static func writeSettings(_ root: [String: Any], to path: String) throws {
    try? FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    var data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    data.append(0x0A)
    try data.write(to: URL(fileURLWithPath: path), options: .atomic)
  }
}

/// What a coding agent's hook hands octo-git on stdin (Claude Code's hook JSON): only the fields used.
public struct AgentHookInput: Sendable {
  public var sessionID: String?
  public var transcriptPath: String?
  public var workingDirectory: String?
  public var toolName: String?
  public var event: String?

  /// Reads the hook's JSON from a file, or from stdin when `source` is `-`.
  public static func read(from source: String) -> AgentHookInput {
    AgentHookInput(
      json: source == "-"
        ? FileHandle.standardInput.readDataToEndOfFile() : (FileManager.default.contents(atPath: source) ?? Data()))
  }

  /// Reads the JSON object; anything unreadable gives empty fields (a hook must not fail because of it).
  public init(json data: Data) {
    let value = (try? CanonicalJSON.parse(String(decoding: data, as: UTF8.self))) ?? .null
    sessionID = value["session_id"]?.stringValue
    transcriptPath = value["transcript_path"]?.stringValue
    workingDirectory = value["cwd"]?.stringValue
    toolName = value["tool_name"]?.stringValue
    event = value["hook_event_name"]?.stringValue
  }
}
