import Foundation

/// Wires coding agents to octo-git through the agents' own project hook configuration.
///
/// Each agent gets a hook before it edits files or runs shell commands that takes a checkpoint
/// (`octo-git checkpoint --quiet --agent NAME --hook-input -`), and a hook when a turn or session ends that
/// imports the session's usage (`octo-git usage import NAME --hook-input -`). Both always exit 0.
/// - Claude Code: `.claude/settings.json`, `PreToolUse` on Edit, MultiEdit, Write, NotebookEdit and Bash;
///   `Stop` and `SessionEnd`.
/// - Codex CLI: `.codex/hooks.json` (same shape), `PreToolUse` on Bash and apply_patch; `Stop`.
///
/// The file is merged, never replaced: the user's settings and hooks stay as they are, and uninstall
/// removes exactly the entries octo-git added (and the file, when octo-git's entries were all it held).
public enum AgentSetup {
  /// The agents octo-git can wire.
  public enum Agent: String, CaseIterable, Sendable {
    case claudeCode = "claude-code"
    case codex

    /// The agent's product name, for messages.
    public var displayName: String { self == .claudeCode ? "Claude Code" : "Codex CLI" }

    /// The project file holding the agent's hooks, relative to the work tree's root.
    var configFile: String { self == .claudeCode ? ".claude/settings.json" : ".codex/hooks.json" }

    /// The tools before which a checkpoint is taken (a regular expression on the tool's name).
    var editingTools: String { self == .claudeCode ? "Edit|MultiEdit|Write|NotebookEdit|Bash" : "Bash|apply_patch" }

    /// The events at which the session's usage is imported.
    var endEvents: [String] { self == .claudeCode ? ["Stop", "SessionEnd"] : ["Stop"] }

    /// What identifies octo-git's entries among the user's hooks.
    var markers: [String] {
      ["checkpoint --quiet --agent \(rawValue) --hook-input -", "usage import \(rawValue) --hook-input -"]
    }
  }

  /// Parses `--agent`: one agent, `all` or `none`.
  public static func agents(named name: String) -> [Agent]? {
    switch name {
    case "none": return []
    case "all": return Agent.allCases
    default: return Agent(rawValue: name).map { [$0] }
    }
  }

  static func settingsPath(_ repository: Repository, _ agent: Agent) -> String {
    repository.workDirectory + "/" + agent.configFile
  }

  static func quoted(_ binary: String) -> String { "'\(binary.replacingOccurrences(of: "'", with: "'\\''"))'" }

  /// octo-git's hook entries for `agent`: (event, matcher, command).
  static func entries(_ agent: Agent, binary: String) -> [(String, String?, String)] {
    let checkpoint = "\(quoted(binary)) \(agent.markers[0])"
    let importer = "\(quoted(binary)) \(agent.markers[1])"
    return [("PreToolUse", agent.editingTools, checkpoint)] + agent.endEvents.map { ($0, nil, importer) }
  }

  /// Adds octo-git's hooks to the agent's project configuration. Returns what changed (nothing when all is
  /// there already).
  public static func install(_ agent: Agent, in repository: Repository, binary: String) throws -> [String] {
    let path = settingsPath(repository, agent)
    var root = try readSettings(path)
    var hooks = root["hooks"] as? [String: Any] ?? [:]
    var changes: [String] = []
    for (event, matcher, command) in entries(agent, binary: binary) {
      var blocks = hooks[event] as? [[String: Any]] ?? []
      let already = blocks.contains { block in
        (block["hooks"] as? [[String: Any]] ?? []).contains { ($0["command"] as? String) == command }
      }
      if already { continue }
      blocks = removingOurs(blocks, agent)
      var block: [String: Any] = ["hooks": [["type": "command", "command": command, "timeout": 30]]]
      if let matcher { block["matcher"] = matcher }
      blocks.append(block)
      hooks[event] = blocks
      changes.append("\(agent.displayName): \(event) hook in \(path)")
    }
    if changes.isEmpty { return [] }
    root["hooks"] = hooks
    try writeSettings(root, to: path)
    return changes
  }

  /// Removes octo-git's entries from every agent's project configuration.
  public static func uninstallAll(_ repository: Repository) throws -> [String] {
    try Agent.allCases.flatMap { try uninstall($0, from: repository) }
  }

  /// Removes octo-git's entries from the agent's project configuration (and the file, if octo-git's were
  /// all it held).
  public static func uninstall(_ agent: Agent, from repository: Repository) throws -> [String] {
    let path = settingsPath(repository, agent)
    guard FileManager.default.fileExists(atPath: path) else { return [] }
    var root = try readSettings(path)
    guard var hooks = root["hooks"] as? [String: Any] else { return [] }
    var changed = false
    for (event, value) in hooks {
      guard let blocks = value as? [[String: Any]] else { continue }
      let kept = removingOurs(blocks, agent)
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
    return ["\(agent.displayName): removed octo-git's hooks from \(path)"]
  }

  /// Hook blocks with octo-git's commands taken out (blocks left empty are dropped).
  static func removingOurs(_ blocks: [[String: Any]], _ agent: Agent) -> [[String: Any]] {
    blocks.compactMap { block in
      guard let entries = block["hooks"] as? [[String: Any]] else { return block }
      let kept = entries.filter { entry in
        !agent.markers.contains { ((entry["command"] as? String) ?? "").contains($0) }
      }
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

/// What a coding agent's hook hands octo-git on stdin (Claude Code's and Codex CLI's hook JSON share these
/// fields): only the fields used.
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
    let data = source == "-"
      ? RegularFile.standardInput(limit: sizeLimit) : try? RegularFile.contents(source, limit: sizeLimit)
    return AgentHookInput(json: data ?? Data())
  }

  /// Reads the JSON object; anything unreadable gives empty fields (a hook must not fail because of it).
  public init(json data: Data) {
    let value = (try? CanonicalJSON.parse(String(decoding: data, as: UTF8.self))) ?? .null
    sessionID = value["session_id"]?.stringValue
    // Handed to an importer, which reads only regular files (a FIFO or a device is counted and skipped).
    transcriptPath = value["transcript_path"]?.stringValue
    workingDirectory = value["cwd"]?.stringValue
    toolName = value["tool_name"]?.stringValue
    event = value["hook_event_name"]?.stringValue
  }
}
