import Foundation

/// Reads Gemini CLI's chat recordings: `<home>/tmp/<project>/chats/session-*.json` (older versions: one
/// JSON object rewritten in place) and `*.jsonl` (newer: appended records, subagents' files in a folder
/// named after the parent session).
///
/// A request is a message of `type:"gemini"` with `tokens{input, output, cached, thoughts, tool, total}`
/// (Gemini's `promptTokenCount`, `candidatesTokenCount`, `cachedContentTokenCount`, `thoughtsTokenCount`,
/// `toolUsePromptTokenCount`). `input` includes `cached`, and neither includes `tool`; thoughts are billed
/// as output but are not inside `output`. So: `in` = input − cached + tool, `cr` = cached, `out` = output +
/// thoughts. The id is the message's (`gm:<id>`): a JSON-lines file writes a message again each time it
/// changes (tokens added, tool calls updated), a `{"$set":{"messages":[…]}}` checkpoint repeats messages
/// already written, a legacy `.json` migrated to `.jsonl` repeats them all: each counts once. A
/// `{"$rewindTo":id}` line hides messages from the conversation, but their requests were made and billed:
/// they still count.
///
/// `<project>` is the SHA-256 of the project's path (older versions) or a slug (newer: `projects.json`
/// maps paths to slugs, and the folder's `.project_root` names its path); every recording also carries
/// `projectHash`, the SHA-256 of the path, matched against this repository's work trees.
public enum GeminiTranscripts {
  public static let agent = "gemini"

  /// `$GEMINI_CLI_HOME/.gemini`, else `~/.gemini`; only if it exists.
  public static func homes(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    let base = environment["GEMINI_CLI_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? Paths.home(environment)
    return [base + "/.gemini"].filter(Paths.isFolder)
  }

  /// A project folder under `<home>/tmp/`, with the project's path when it is known.
  struct Project: Sendable {
    let folder: String
    let cwd: String?
  }

  /// The project folders of `home` that hold chats. `hashes` maps the SHA-256 of known paths (this
  /// repository's work trees) to the paths.
  static func projects(in home: String, hashes: [String: String]) -> [Project] {
    let temporary = home + "/tmp"
    var slugs: [String: String] = [:]
    if let registry = AgentFiles.smallJSON(home + "/projects.json")?["projects"]?.objectValue {
      for (path, slug) in registry {
        if let slug = slug.stringValue, slugs[slug] == nil { slugs[slug] = path }
      }
    }
    var projects: [Project] = []
    for name in AgentFiles.names(in: temporary) where Paths.isFolder(temporary + "/" + name + "/chats") {
      let folder = temporary + "/" + name
      let cwd =
        AgentFiles.smallText(folder + "/.project_root", limit: 64 << 10) ?? slugs[name] ?? hashes[name.lowercased()]
      projects.append(Project(folder: folder, cwd: cwd))
    }
    return projects
  }

  /// The project whose folder holds `file` (`<project>/chats/…`), for a file named by an agent's hook.
  static func project(of file: String, home: String?, hashes: [String: String]) -> Project {
    var folder = (file as NSString).deletingLastPathComponent
    while !folder.isEmpty, folder != "/", (folder as NSString).lastPathComponent != "chats" {
      folder = (folder as NSString).deletingLastPathComponent
    }
    let projectFolder = (folder as NSString).deletingLastPathComponent
    let registryHome =
      home ?? ((projectFolder as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
    if let known = projects(in: registryHome, hashes: hashes).first(where: { $0.folder == projectFolder }) {
      return known
    }
    return Project(folder: projectFolder, cwd: AgentFiles.smallText(projectFolder + "/.project_root", limit: 64 << 10))
  }

  /// The chat recordings of a project: `session-*.json` and every `.jsonl` below `chats/`, in path order.
  static func chatFiles(of project: Project) -> [String] {
    let chats = project.folder + "/chats"
    let lines = FileTree.files(under: chats, suffix: ".jsonl").map(\.path)
    let whole = FileTree.files(under: chats, suffix: ".json").map(\.path).filter {
      ($0 as NSString).lastPathComponent.hasPrefix("session-")
    }
    return (lines + whole).sorted()
  }

  /// Reads one recording, adding its requests to `scan`. `cwd` is the project's path when known; else a
  /// recording's `projectHash` found in `hashes` gives it.
  static func read(_ path: String, cwd: String?, hashes: [String: String], into scan: inout AgentScan) throws {
    var file = FileState()
    scan.files += 1
    if path.hasSuffix(".jsonl") {
      var reader = JSONLinesReader(path: path)
      try reader.forEachLine(takePartialLastLine: true) { bytes in
        scan.records += 1
        // Only lines naming tokens or the session matter; the rest (user prompts, tool output) are skipped.
        guard
          JSONWalk.contains(bytes, "\"tokens\"") || JSONWalk.contains(bytes, "\"sessionId\"")
            || JSONWalk.contains(bytes, "\"projectHash\"")
        else { return }
        do {
          try record(bytes, &file)
        } catch {
          scan.malformed += 1
        }
      }
      scan.malformed += reader.longLinesDropped
    } else {
      do {
        try JSONWalk.withFile(path) { bytes in try record(bytes, &file) }
      } catch is RegularFile.Refusal {
        scan.files -= 1
        scan.unreadable += 1
        return
      } catch {
        scan.malformed += 1
      }
      scan.records += file.messages
    }
    scan.malformed += file.malformed
    let directory = cwd ?? file.projectHash.flatMap { hashes[$0.lowercased()] }
    for pending in file.requests {
      scan.keep(
        AgentRequest(
          id: "gm:" + pending.id, agent: agent, at: pending.at, model: pending.model, tokens: pending.tokens,
          cwd: directory,
          branch: nil, session: pending.session ?? file.session))
    }
  }

  /// What a recording said so far.
  private struct FileState {
    var session: String?
    var projectHash: String?
    var requests: [(id: String, at: Date, model: String, tokens: TokenCounts, session: String?)] = []
    var malformed = 0
    var messages = 0
  }

  /// What is read of a message (octo-fuzz checks the selective parse with it).
  static let messageSelection = CanonicalJSON.Selection.members([
    "id": .all, "type": .all, "timestamp": .all, "model": .all, "tokens": .all,
  ])

  /// One record (a line, or a whole legacy file): a message, the session's metadata, a `$set` update (whose
  /// `messages` are a checkpoint of the conversation), or a `$rewindTo`.
  private static func record(_ bytes: UnsafeBufferPointer<UInt8>, _ file: inout FileState) throws {
    var parser = CanonicalJSON.Parser(bytes: bytes)
    parser.skipSpace()
    var fields: [String: JSONValue] = [:]
    var nested: [JSONValue] = []
    try JSONWalk.members(&parser, depth: 0) { parser, key in
      if JSONWalk.key(key, is: "id") || JSONWalk.key(key, is: "type") || JSONWalk.key(key, is: "timestamp")
        || JSONWalk.key(key, is: "model") || JSONWalk.key(key, is: "tokens")
      {
        fields[String(decoding: key, as: UTF8.self)] = try parser.value(depth: 1)
      } else if JSONWalk.key(key, is: "$set"), parser.bytes[parser.position] == UInt8(ascii: "{") {
        try JSONWalk.members(&parser, depth: 1) { parser, key in
          try sessionMember(key, &parser, depth: 2, &file, messages: &nested)
        }
      } else {
        try sessionMember(key, &parser, depth: 1, &file, messages: &nested)
      }
    }
    parser.skipSpace()
    guard parser.position == bytes.count else { throw parser.error("unexpected text after the value") }
    if fields["id"] != nil { message(.object(fields), &file) }
    for value in nested { message(value, &file) }
  }

  /// Reads a member of a record, or of its `$set`, at `depth`: `sessionId` and `projectHash` into `file`, the
  /// messages of a `messages` array into `messages`; any other member is skipped.
  private static func sessionMember(
    _ key: UnsafeBufferPointer<UInt8>, _ parser: inout CanonicalJSON.Parser, depth: Int, _ file: inout FileState,
    messages: inout [JSONValue]
  ) throws {
    if JSONWalk.key(key, is: "sessionId") {
      if let session = try parser.value(depth: depth).stringValue { file.session = session }
    } else if JSONWalk.key(key, is: "projectHash") {
      if let hash = try parser.value(depth: depth).stringValue { file.projectHash = hash }
    } else if JSONWalk.key(key, is: "messages"), parser.bytes[parser.position] == UInt8(ascii: "[") {
      try JSONWalk.elements(&parser, depth: depth) { parser in
        messages.append(try parser.value(depth: depth + 1, selection: messageSelection))
      }
    } else {
      try parser.skipValue(depth: depth)
    }
  }

  /// Keeps a `gemini` message that carries tokens; a message whose tokens cannot be read is malformed.
  private static func message(_ value: JSONValue, _ file: inout FileState) {
    file.messages += 1
    guard value["type"]?.stringValue == "gemini", let tokens = value["tokens"], tokens != .null else { return }
    do {
      guard case .object = tokens, let id = AgentFields.text(value["id"]) else { throw MalformedRecord() }
      let input = try AgentFields.tokens(tokens["input"])
      let output = try AgentFields.tokens(tokens["output"])
      let cached = try AgentFields.tokens(tokens["cached"])
      let thoughts = try AgentFields.tokens(tokens["thoughts"])
      let tool = try AgentFields.tokens(tokens["tool"])
      let counts = try AgentFields.checked(
        TokenCounts(input: max(0, input - cached) + tool, output: output + thoughts, cacheRead: cached))
      let at = try AgentFields.time(value["timestamp"])
      file.requests.append((id, at, AgentFields.text(value["model"]) ?? "unknown", counts, file.session))
    } catch {
      file.malformed += 1
    }
  }
}
