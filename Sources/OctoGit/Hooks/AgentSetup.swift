import Foundation

/// Wires coding agents to octo-git through the agents' own hook configuration.
///
/// Each agent gets a hook before it edits files or runs shell commands that takes a checkpoint
/// (`octo-git checkpoint --quiet --agent NAME --hook-input -`), and a hook when a turn or session ends that
/// imports the session's usage (`octo-git usage import NAME --hook-input -`). Both always exit 0.
/// - Claude Code: `.claude/settings.local.json` (personal: Claude Code keeps it out of git), `PreToolUse` on
///   Edit, MultiEdit, Write, NotebookEdit and Bash; `Stop` and `SessionEnd`.
/// - Codex CLI: `.codex/hooks.json` (same shape) while git does not track it, `PreToolUse` on Bash and
///   apply_patch; `Stop`.
///
/// A file octo-git creates inside the work tree is listed in `<common-dir>/info/exclude`, so `git status`
/// does not change. A tracked file is left alone unless `--shared` asks for the team's file
/// (`.claude/settings.json`, `.codex/hooks.json`); there octo-git is named through `PATH`, never by an
/// absolute path.
///
/// A file is edited as text: the entries are spliced in and everything else keeps its bytes (key order,
/// indentation, spacing). The original bytes are kept in `<common-dir>/octo/agents/` first; uninstall puts
/// them back when the file still holds just what octo-git left, and otherwise takes out only octo-git's
/// entries.
public enum AgentSetup {
  /// The agents octo-git can wire.
  public enum Agent: String, CaseIterable, Sendable {
    case claudeCode = "claude-code"
    case codex

    /// The agent's product name, for messages.
    public var displayName: String { self == .claudeCode ? "Claude Code" : "Codex CLI" }

    /// The personal file holding the agent's hooks, relative to the work tree's root.
    public var personalFile: String { self == .claudeCode ? ".claude/settings.local.json" : ".codex/hooks.json" }

    /// The team's file (meant to be tracked), relative to the work tree's root: written only with `--shared`.
    public var sharedFile: String { self == .claudeCode ? ".claude/settings.json" : ".codex/hooks.json" }

    /// Every project file that may hold octo-git's hooks for this agent.
    var candidateFiles: [String] { personalFile == sharedFile ? [personalFile] : [personalFile, sharedFile] }

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

  /// The personal file of `agent` in this work tree.
  static func settingsPath(_ repository: Repository, _ agent: Agent) -> String {
    repository.workDirectory + "/" + agent.personalFile
  }

  static func quoted(_ binary: String) -> String { "'\(binary.replacingOccurrences(of: "'", with: "'\\''"))'" }

  /// One hook octo-git adds.
  struct Entry {
    let event: String
    let matcher: String?
    let command: String
    /// What identifies this hook of octo-git's whatever the binary's path.
    let marker: String

    /// The block as the agents' hook files hold it.
    var block: JSONText.Value {
      var members: [(String, JSONText.Value)] = []
      if let matcher { members.append(("matcher", .string(matcher))) }
      members.append(
        (
          "hooks",
          .array([.object([("type", .string("command")), ("command", .string(command)), ("timeout", .int(30))])])
        ))
      return .object(members)
    }
  }

  /// octo-git's hook entries for `agent`: the personal file calls `binary` by its absolute path; the team's
  /// file (`binary` nil) finds `octo-git` through `PATH`, and does nothing where it is not installed.
  static func entries(_ agent: Agent, binary: String?) -> [Entry] {
    func command(_ marker: String) -> String {
      guard let binary else { return "command -v octo-git >/dev/null 2>&1 || exit 0; octo-git \(marker)" }
      return "\(quoted(binary)) \(marker)"
    }
    let checkpoint = Entry(
      event: "PreToolUse", matcher: agent.editingTools, command: command(agent.markers[0]), marker: agent.markers[0])
    return [checkpoint]
      + agent.endEvents.map {
        Entry(event: $0, matcher: nil, command: command(agent.markers[1]), marker: agent.markers[1])
      }
  }

  // MARK: - Install

  /// Adds octo-git's hooks to the agent's personal file (or, with `shared`, to the team's file). Returns
  /// what changed (nothing when all is there already) and what the user has to do.
  public static func install(_ agent: Agent, in repository: Repository, binary: String, shared: Bool = false) throws
    -> HookInstaller.Report
  {
    var report = HookInstaller.Report()
    let relative = shared ? agent.sharedFile : agent.personalFile
    if !shared {
      let state = AgentFilesState.load(repository)
      let sharedPath = repository.workDirectory + "/" + agent.sharedFile
      if agent.sharedFile != agent.personalFile, holdsOurs(sharedPath, agent) {
        if try state.files.contains(where: { $0.path == sharedPath && $0.shared })
          || isTracked(agent.sharedFile, in: repository)
        {
          report.instructions.append(
            "\(agent.displayName): \(agent.sharedFile) runs octo-git already (the team's wiring); nothing added to \(relative)"
          )
          return report
        }
        // An older octo-git put its hooks, with this machine's path, in the team's file: they move.
        report.changes += try removeUnrecorded(agent.sharedFile, agent: agent, in: repository)
      }
      let path = repository.workDirectory + "/" + relative
      if state.files.contains(where: { $0.path == path && $0.shared }) {
        report.instructions.append(
          "\(agent.displayName): \(relative) is wired for the team (--shared); nothing personal added")
        return report
      }
      if try isTracked(relative, in: repository) {
        report.instructions.append(
          "\(agent.displayName): \(relative) is tracked by git, so octo-git leaves it alone; "
            + "octo-git install --agent \(agent.rawValue) --shared adds octo-git to it for the whole team (through PATH)"
        )
        return report
      }
    }
    let changes = try write(
      entries(agent, binary: shared ? nil : binary), to: relative, agent: agent, shared: shared, in: repository)
    report.changes += changes
    if shared, agent.sharedFile != agent.personalFile {
      // The personal wiring would run every hook a second time.
      report.changes += try uninstallRecorded(in: repository, shared: true) {
        $0.workTree == repository.workDirectory && $0.relativePath == agent.personalFile
      }.changes
      report.changes += try removeUnrecorded(agent.personalFile, agent: agent, in: repository)
    }
    return report
  }

  // MARK: - Claude Code's status line

  /// Whether a status line command is octo-git's (`'/path/to/octo-git' statusline`).
  static func isOurStatusLine(_ command: String) -> Bool {
    command.hasSuffix(" statusline") && command.contains("octo-git")
  }

  /// The command of the status line a Claude Code settings file sets, if it sets one (`""` when its
  /// `statusLine` is not a command).
  static func statusLineCommand(in data: Data) -> String? {
    guard let document = try? JSONText(Array(data)), document.root.kind == .object,
      let statusLine = document.root.child("statusLine")
    else { return nil }
    return statusLine.child("command")?.string ?? ""
  }

  /// Claude Code's user settings file: `$CLAUDE_CONFIG_DIR/settings.json` (its first folder), else
  /// `~/.claude/settings.json`.
  static func userSettingsPath(environment: [String: String]) -> String {
    if let folders = environment["CLAUDE_CONFIG_DIR"], let first = folders.split(separator: ",").first, !first.isEmpty {
      return String(first) + "/settings.json"
    }
    return (environment["HOME"] ?? NSHomeDirectory()) + "/.claude/settings.json"
  }

  /// Sets Claude Code's status line to `octo-git statusline` in the personal settings file
  /// (`.claude/settings.local.json`), spliced in as the hooks are and undone by uninstall.
  ///
  /// A status line the user already has (in their user settings, the team's settings or the personal file)
  /// is never replaced, nor hidden by one added in a file Claude Code reads after it: the report says so
  /// instead. Running it again changes nothing; octo-git's own status line with another binary path is
  /// updated.
  public static func installStatusLine(
    in repository: Repository, binary: String,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> HookInstaller.Report {
    let agent = Agent.claudeCode
    let relative = agent.personalFile
    let path = repository.workDirectory + "/" + relative
    let command = "\(quoted(binary)) statusline"
    var report = HookInstaller.Report()
    let places = [
      (
        userSettingsPath(environment: environment),
        "your Claude Code settings (\(userSettingsPath(environment: environment)))"
      ),
      (repository.workDirectory + "/" + agent.sharedFile, agent.sharedFile), (path, relative),
    ]
    for (file, label) in places {
      guard let data = FileManager.default.contents(atPath: file), let existing = statusLineCommand(in: data),
        !isOurStatusLine(existing)
      else { continue }
      let theirs = SafeText.terminal(existing.count > 60 ? String(existing.prefix(59)) + "…" : existing)
      let shown = existing.isEmpty ? "" : " (\(theirs))"
      report.instructions.append(
        "Claude Code: \(label) sets a status line already\(shown); left as it is, "
          + "add octo-git statusline to it yourself if you like")
      return report
    }
    if try isTracked(relative, in: repository) {
      report.instructions.append(
        "Claude Code: \(relative) is tracked by git, so octo-git leaves it alone; no status line added")
      return report
    }
    let existing = FileManager.default.contents(atPath: path)
    let bytes: [UInt8]
    var before: [String] = []
    if let existing, !existing.allSatisfy(JSONText.isWhitespace) {
      var document = try JSONText.document(existing, path: relative)
      before = containers(in: document)
      if let index = document.root.index(of: "statusLine") {
        // octo-git's own, with another binary: replaced.
        guard document.root.children[index].child("command")?.string != command else { return report }
        try document.remove(item: index, at: [])
      }
      try document.append(statusLineValue(command), key: "statusLine", to: [])
      bytes = document.bytes
    } else {
      let value = JSONText.Value.object([("statusLine", statusLineValue(command))])
      bytes = Array((JSONText.render(value, indent: "", style: .standard) + "\n").utf8)
    }
    report.changes += try save(
      bytes, existing: existing, containers: before, to: relative, agent: agent, shared: false, in: repository,
      changes: ["\(agent.displayName): status line (octo-git statusline) in \(relative)"])
    return report
  }

  static func statusLineValue(_ command: String) -> JSONText.Value {
    .object([("type", .string("command")), ("command", .string(command))])
  }

  /// Takes octo-git's status line out of a Claude Code settings document; returns whether it did.
  static func removeStatusLine(from document: inout JSONText) throws -> Bool {
    guard let index = document.root.index(of: "statusLine"),
      let command = document.root.children[index].child("command")?.string, isOurStatusLine(command)
    else { return false }
    try document.remove(item: index, at: [])
    return true
  }

  /// Merges `entries` into the file at `relative` (creating it), keeping the original bytes first and
  /// recording what was written.
  static func write(_ entries: [Entry], to relative: String, agent: Agent, shared: Bool, in repository: Repository)
    throws
    -> [String]
  {
    let path = repository.workDirectory + "/" + relative
    let manager = FileManager.default
    let existing = manager.contents(atPath: path)
    var events: [String] = []
    var before: [String] = []
    let bytes: [UInt8]
    if let existing, !existing.allSatisfy(JSONText.isWhitespace) {
      var document = try JSONText.document(existing, path: relative)
      before = containers(in: document)
      events = try addEntries(entries, to: &document, path: relative)
      if events.isEmpty { return [] }
      bytes = document.bytes
    } else {
      var byEvent: [(String, [JSONText.Value])] = []
      for entry in entries {
        if let index = byEvent.firstIndex(where: { $0.0 == entry.event }) {
          byEvent[index].1.append(entry.block)
        } else {
          byEvent.append((entry.event, [entry.block]))
        }
      }
      events = byEvent.map(\.0)
      let value = JSONText.Value.object([("hooks", .object(byEvent.map { ($0.0, .array($0.1)) }))])
      bytes = Array((JSONText.render(value, indent: "", style: .standard) + "\n").utf8)
    }
    return try save(
      bytes, existing: existing, containers: before, to: relative, agent: agent, shared: shared, in: repository,
      changes: events.map { "\(agent.displayName): \($0) hook in \(relative)" })
  }

  /// Writes `bytes` (an agent file's new content) to `relative`, keeping the file's original bytes first
  /// and recording what was written, so that uninstall can put it back. Returns `changes`, and the
  /// info/exclude line when the file is new and personal.
  static func save(
    _ bytes: [UInt8], existing: Data?, containers before: [String], to relative: String, agent: Agent, shared: Bool,
    in repository: Repository, changes: [String]
  ) throws -> [String] {
    let path = repository.workDirectory + "/" + relative
    let manager = FileManager.default
    var state = AgentFilesState.load(repository)
    var record = state.files.first { $0.path == path }
    if let old = record, existing == nil || old.agent != agent.rawValue {
      // The file went away (or changed hands) since: what was kept for it no longer applies.
      AgentFilesState.deleteBackup(old, in: repository)
      state.files.removeAll { $0.path == path }
      record = nil
    }
    var fresh =
      record
      ?? AgentFilesState.File(
        path: path, workTree: repository.workDirectory, relativePath: relative, agent: agent.rawValue, shared: shared,
        created: existing == nil)
    if record == nil {
      fresh.containers = before
      if let existing {
        fresh.backup = try AgentFilesState.keepBackup(existing, in: repository)
      } else {
        let parent = (path as NSString).deletingLastPathComponent
        if !manager.fileExists(atPath: parent) { fresh.createdDirectory = parent }
      }
    }
    do {
      try manager.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw OctoError("cannot write \(path): \(error.localizedDescription)", hint: "check the folder's permissions")
    }
    if shared, !fresh.shared, fresh.created {
      // Made personal first, now the team's: it is meant to be committed, so git must see it.
      try InfoExclude.remove(relative, owner: InfoExclude.agentsOwner, in: repository)
    }
    fresh.shared = fresh.shared || shared
    fresh.written = Data(bytes)
    state.files.removeAll { $0.path == path }
    state.files.append(fresh)
    try state.save(repository)

    var changes = changes
    if fresh.created, !shared, try InfoExclude.add(relative, owner: InfoExclude.agentsOwner, in: repository) {
      changes.append("\(relative): listed in .git/info/exclude (personal, never committed)")
    }
    return changes
  }

  /// Adds each entry missing from `document`; an entry of octo-git's with another command (the binary
  /// moved) is replaced. Returns the events changed.
  static func addEntries(_ entries: [Entry], to document: inout JSONText, path: String) throws -> [String] {
    var changed: [String] = []
    for entry in entries {
      if let hooks = document.root.child("hooks") {
        guard hooks.kind == .object else {
          throw OctoError.badInput(
            "\(path): \"hooks\" is not an object", hint: "fix the file, then run octo-git install again")
        }
        if let blocks = hooks.child(entry.event) {
          guard blocks.kind == .array else {
            throw OctoError.badInput(
              "\(path): \"hooks\".\"\(entry.event)\" is not a list",
              hint: "fix the file, then run octo-git install again")
          }
          if blocks.children.contains(where: { commands(in: $0).contains(entry.command) }) { continue }
          _ = try removeEntries(from: &document, events: [entry.event], keep: ["hooks." + entry.event]) {
            $0.contains(entry.marker)
          }
        }
      }
      if let hooks = document.root.child("hooks") {
        if hooks.child(entry.event) != nil {
          try document.append(entry.block, key: nil, to: [.key("hooks"), .key(entry.event)])
        } else {
          try document.append(.array([entry.block]), key: entry.event, to: [.key("hooks")])
        }
      } else {
        try document.append(.object([(entry.event, .array([entry.block]))]), key: "hooks", to: [])
      }
      changed.append(entry.event)
    }
    return changed
  }

  /// The `hooks` object and its event lists as they are in `document` (what uninstall must not take away).
  static func containers(in document: JSONText) -> [String] {
    guard let hooks = document.root.child("hooks"), hooks.kind == .object else { return [] }
    return ["hooks"] + hooks.keys.map { "hooks." + $0 }
  }

  /// The commands of a hook block (`{"matcher": …, "hooks": [{"command": …}]}`).
  static func commands(in block: JSONText.Span) -> [String] {
    (block.child("hooks")?.children ?? []).compactMap { $0.child("command")?.string }
  }

  /// Takes out every hook entry whose command `isOurs`: a block left empty goes, and so do an event's list
  /// and `hooks` left empty, unless `keep` names them (`hooks`, `hooks.<event>`: they were there before
  /// octo-git; nil keeps none). Returns whether anything was taken out.
  static func removeEntries(
    from document: inout JSONText, events: [String]? = nil, keep: Set<String>? = nil, isOurs: (String) -> Bool
  ) throws -> Bool {
    var changed = false
    search: while true {
      guard let hooks = document.root.child("hooks"), hooks.kind == .object else { return changed }
      for (eventIndex, event) in hooks.keys.enumerated() where events?.contains(event) ?? true {
        let blocks = hooks.children[eventIndex]
        guard blocks.kind == .array else { continue }
        for (blockIndex, block) in blocks.children.enumerated() where block.kind == .object {
          guard let inner = block.child("hooks"), inner.kind == .array else { continue }
          let ours = inner.children.indices.filter { index in
            inner.children[index].child("command")?.string.map(isOurs) ?? false
          }
          guard let first = ours.first else { continue }
          changed = true
          if ours.count < inner.children.count {
            try document.remove(item: first, at: [.key("hooks"), .key(event), .index(blockIndex), .key("hooks")])
          } else if blocks.children.count > 1 || keep?.contains("hooks." + event) == true {
            try document.remove(item: blockIndex, at: [.key("hooks"), .key(event)])
          } else if hooks.children.count > 1 || keep?.contains("hooks") == true {
            try document.remove(item: eventIndex, at: [.key("hooks")])
          } else if let index = document.root.index(of: "hooks") {
            try document.remove(item: index, at: [])
          }
          continue search
        }
      }
      return changed
    }
  }

  /// Whether the file at `path` holds one of octo-git's commands for `agent`.
  static func holdsOurs(_ path: String, _ agent: Agent) -> Bool {
    guard let data = FileManager.default.contents(atPath: path) else { return false }
    let text = String(decoding: data, as: UTF8.self)
    return agent.markers.contains { text.contains($0) }
  }

  /// Whether the file at `path` sets octo-git's status line (Claude Code's files only).
  static func holdsOurStatusLine(_ path: String, _ agent: Agent) -> Bool {
    guard agent == .claudeCode, let data = FileManager.default.contents(atPath: path) else { return false }
    return statusLineCommand(in: data).map(isOurStatusLine) == true
  }

  /// Whether git tracks `relative` in this work tree (it is in the index).
  static func isTracked(_ relative: String, in repository: Repository) throws -> Bool {
    try repository.currentIndex().entry(at: relative) != nil
  }

  /// Whether the file's bytes are those HEAD holds (it was committed as it is).
  static func isCommitted(_ relative: String, bytes: Data, in repository: Repository) -> Bool {
    guard let head = try? repository.headCommit(), let tree = try? repository.commit(head).tree,
      let entry = try? repository.treeEntry(in: tree, path: relative), let blob = try? repository.blobContent(entry.id)
    else { return false }
    return blob == bytes
  }

  // MARK: - Uninstall

  /// Removes octo-git's entries from every agent file: the files install recorded (put back byte for byte
  /// when they hold just what octo-git left), then any other project file holding octo-git's hooks. A
  /// tracked file is touched only with `shared`, or when octo-git's own edit of it is not committed yet.
  public static func uninstallAll(_ repository: Repository, shared: Bool = false) throws -> HookInstaller.Report {
    var report = try uninstallRecorded(in: repository, shared: shared) { _ in true }
    let kept = Set(AgentFilesState.load(repository).files.map(\.path))
    for agent in Agent.allCases {
      for relative in agent.candidateFiles {
        let path = repository.workDirectory + "/" + relative
        guard !kept.contains(path), holdsOurs(path, agent) || holdsOurStatusLine(path, agent) else { continue }
        if !shared, try isTracked(relative, in: repository) {
          report.instructions.append(
            "\(agent.displayName): octo-git's hooks stay in \(relative), which git tracks (the team's file); "
              + "octo-git uninstall --shared takes them out")
          continue
        }
        report.changes += try removeUnrecorded(relative, agent: agent, in: repository)
      }
    }
    return report
  }

  /// Undoes the recorded edits that `matching` selects.
  static func uninstallRecorded(
    in repository: Repository, shared: Bool, matching: (AgentFilesState.File) -> Bool
  ) throws -> HookInstaller.Report {
    var report = HookInstaller.Report()
    var state = AgentFilesState.load(repository)
    var kept: [AgentFilesState.File] = []
    for record in state.files {
      guard matching(record), let agent = Agent(rawValue: record.agent) else {
        kept.append(record)
        continue
      }
      // The record's own work tree (a linked worktree's files are recorded in the common directory too).
      let owner: Repository
      if record.workTree == repository.workDirectory {
        owner = repository
      } else if let other = try? Repository.open(at: record.workTree) {
        owner = other
      } else {
        AgentFilesState.deleteBackup(record, in: repository)
        continue
      }
      let current = FileManager.default.contents(atPath: record.path)
      if !shared, let current, try isTracked(record.relativePath, in: owner),
        isCommitted(record.relativePath, bytes: current, in: owner)
      {
        report.instructions.append(
          "\(agent.displayName): octo-git's hooks stay in \(record.relativePath), committed as the team's file; "
            + "octo-git uninstall --shared takes them out")
        kept.append(record)
        continue
      }
      report.changes += try restore(record, agent: agent, current: current, in: repository)
      AgentFilesState.deleteBackup(record, in: repository)
    }
    state.files = kept
    try state.save(repository)
    return report
  }

  /// Puts a recorded file back: its original bytes when it still holds just what octo-git wrote, else the
  /// file without octo-git's entries.
  static func restore(_ record: AgentFilesState.File, agent: Agent, current: Data?, in repository: Repository) throws
    -> [String]
  {
    guard let current else {
      if record.created { try InfoExclude.remove(record.relativePath, owner: InfoExclude.agentsOwner, in: repository) }
      return []
    }
    let message = "\(agent.displayName): removed octo-git's hooks from \(record.relativePath)"
    if let written = record.written, current == written {
      if record.created {
        try removeCreated(record, in: repository)
        return [message]
      }
      guard let original = AgentFilesState.backup(of: record, in: repository) else {
        return try removeOurs(from: record, agent: agent, current: current, in: repository)
      }
      try writeFile(original, to: record.path)
      return [message + " (put back as it was)"]
    }
    return try removeOurs(from: record, agent: agent, current: current, in: repository)
  }

  /// Takes octo-git's entries out of a recorded file the user changed since.
  static func removeOurs(from record: AgentFilesState.File, agent: Agent, current: Data, in repository: Repository)
    throws
    -> [String]
  {
    guard var document = try? JSONText.document(current, path: record.relativePath) else {
      return ["\(agent.displayName): \(record.relativePath) is not JSON any more: take octo-git's hooks out by hand"]
    }
    var changed = try removeEntries(from: &document, keep: Set(record.containers ?? [])) { command in
      agent.markers.contains { command.contains($0) }
    }
    if agent == .claudeCode, try removeStatusLine(from: &document) { changed = true }
    if record.created, document.root.children.isEmpty {
      try removeCreated(record, in: repository)
      return ["\(agent.displayName): removed octo-git's hooks from \(record.relativePath)"]
    }
    if changed { try writeFile(Data(document.bytes), to: record.path) }
    if record.created {
      // The file holds the user's own settings now: it stays, and stays out of git.
      try InfoExclude.remove(record.relativePath, owner: InfoExclude.agentsOwner, keepLine: true, in: repository)
    }
    return changed ? ["\(agent.displayName): removed octo-git's hooks from \(record.relativePath)"] : []
  }

  /// Deletes a file octo-git created (and the folder it created for it, when empty).
  static func removeCreated(_ record: AgentFilesState.File, in repository: Repository) throws {
    unlink(record.path)
    if let directory = record.createdDirectory { rmdir(directory) }
    try InfoExclude.remove(record.relativePath, owner: InfoExclude.agentsOwner, in: repository)
  }

  /// Takes octo-git's entries out of a file install did not record (an older octo-git's, or one copied in):
  /// the file goes when nothing else is left in it.
  static func removeUnrecorded(_ relative: String, agent: Agent, in repository: Repository) throws -> [String] {
    let path = repository.workDirectory + "/" + relative
    guard holdsOurs(path, agent) || holdsOurStatusLine(path, agent),
      let data = FileManager.default.contents(atPath: path),
      var document = try? JSONText.document(data, path: relative)
    else { return [] }
    var removed = try removeEntries(
      from: &document, isOurs: { command in agent.markers.contains { command.contains($0) } })
    if agent == .claudeCode, try removeStatusLine(from: &document) { removed = true }
    guard removed else { return [] }
    if document.root.children.isEmpty, !(try isTracked(relative, in: repository)) {
      unlink(path)
      rmdir((path as NSString).deletingLastPathComponent)
    } else {
      try writeFile(Data(document.bytes), to: path)
    }
    return ["\(agent.displayName): removed octo-git's hooks from \(relative)"]
  }

  static func writeFile(_ data: Data, to path: String) throws {
    do {
      try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw OctoError("cannot write \(path): \(error.localizedDescription)", hint: "check the file's permissions")
    }
  }

  // MARK: - What octo-git owns

  /// The files of octo-git's agent wiring in this work tree that git does not have in HEAD, relative to the
  /// work tree: what `feature pass` must never commit.
  public static func ownFiles(_ repository: Repository) -> [String] {
    var files: [String] = []
    for record in AgentFilesState.load(repository).files where record.workTree == repository.workDirectory {
      files.append(record.relativePath)
    }
    for agent in Agent.allCases {
      for relative in agent.candidateFiles where !files.contains(relative) {
        let path = repository.workDirectory + "/" + relative
        guard holdsOurs(path, agent), let data = FileManager.default.contents(atPath: path),
          !isCommitted(relative, bytes: data, in: repository)
        else { continue }
        files.append(relative)
      }
    }
    return files
  }

  /// Where `agent` is wired in this work tree: the file holding octo-git's hooks (absolute), if any.
  static func wiredFile(_ repository: Repository, _ agent: Agent) -> String? {
    agent.candidateFiles.map { repository.workDirectory + "/" + $0 }.first { path in
      guard let data = FileManager.default.contents(atPath: path) else { return false }
      let text = String(decoding: data, as: UTF8.self)
      return agent.markers.allSatisfy(text.contains)
    }
  }
}

/// The agent files install wrote, kept in `<common-dir>/octo/agents/state.json` beside a copy of each
/// file's original bytes, so that uninstall puts back exactly what was there.
struct AgentFilesState: Codable {
  struct File: Codable, Equatable {
    /// The file's absolute path.
    var path: String
    /// The work tree it belongs to.
    var workTree: String
    var relativePath: String
    var agent: String
    /// Whether it is the team's file (`--shared`).
    var shared: Bool
    /// Whether octo-git created it (there was no file).
    var created: Bool
    /// The folder octo-git created for it, if it did.
    var createdDirectory: String?
    /// The name, in the state's folder, of the copy of the original bytes.
    var backup: String?
    /// The bytes octo-git left in the file.
    var written: Data?
    /// `hooks` and `hooks.<event>` as the file had them before octo-git: kept even when left empty.
    var containers: [String]?

    init(path: String, workTree: String, relativePath: String, agent: String, shared: Bool, created: Bool) {
      self.path = path
      self.workTree = workTree
      self.relativePath = relativePath
      self.agent = agent
      self.shared = shared
      self.created = created
    }
  }

  var files: [File] = []

  static func directory(_ repository: Repository) -> String { repository.commonDirectory + "/octo/agents" }
  static func path(_ repository: Repository) -> String { directory(repository) + "/state.json" }

  static func load(_ repository: Repository) -> AgentFilesState {
    guard let data = FileManager.default.contents(atPath: path(repository)),
      let state = try? JSONDecoder().decode(AgentFilesState.self, from: data)
    else { return AgentFilesState() }
    return state
  }

  func save(_ repository: Repository) throws {
    let path = AgentFilesState.path(repository)
    if files.isEmpty {
      unlink(path)
      rmdir(AgentFilesState.directory(repository))
      return
    }
    do {
      try FileManager.default.createDirectory(
        atPath: AgentFilesState.directory(repository), withIntermediateDirectories: true)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
      try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw OctoError("cannot write \(path): \(error.localizedDescription)")
    }
  }

  /// Keeps `data` (a file's original bytes) and returns the copy's name.
  static func keepBackup(_ data: Data, in repository: Repository) throws -> String {
    let name = UUID().uuidString.lowercased() + ".orig"
    let path = directory(repository) + "/" + name
    do {
      try FileManager.default.createDirectory(atPath: directory(repository), withIntermediateDirectories: true)
      try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw OctoError("cannot keep a copy of the file in \(path): \(error.localizedDescription)")
    }
    return name
  }

  static func backup(of record: File, in repository: Repository) -> Data? {
    record.backup.flatMap { FileManager.default.contents(atPath: directory(repository) + "/" + $0) }
  }

  static func deleteBackup(_ record: File, in repository: Repository) {
    if let name = record.backup { unlink(directory(repository) + "/" + name) }
  }
}

/// A JSON document edited as text: members and elements are spliced in or cut out, and every other byte
/// (key order, indentation, spacing, line endings) stays as it was.
struct JSONText {
  /// Where a value sits in the text.
  struct Span {
    enum Kind { case object, array, string, scalar }
    var kind: Kind
    /// The value's first byte, and one past its last.
    var start: Int
    var end: Int
    /// An object's keys, where each member starts (its key's opening quote) and where each key ends.
    var keys: [String] = []
    var keyStarts: [Int] = []
    var keyEnds: [Int] = []
    /// An object's values, or an array's elements.
    var children: [Span] = []
    /// A string's value.
    var string: String?

    init(kind: Kind, start: Int, end: Int) {
      self.kind = kind
      self.start = start
      self.end = end
    }

    func itemStart(_ index: Int) -> Int { kind == .object ? keyStarts[index] : children[index].start }
    func index(of key: String) -> Int? { kind == .object ? keys.firstIndex(of: key) : nil }
    func child(_ key: String) -> Span? { index(of: key).map { children[$0] } }
  }

  /// One step from a container to one of its items.
  enum Step {
    case key(String)
    case index(Int)
  }

  /// A value to write.
  indirect enum Value {
    case string(String)
    case int(Int)
    case object([(String, Value)])
    case array([Value])
  }

  /// How the document is laid out, so that what is added looks like what is there.
  struct Style {
    /// One level of indentation; nil when the document is on one line.
    var unit: String?
    /// Between a key and its value (`": "`, `":"`).
    var colon: String
    /// After a comma on one line (`" "` or nothing).
    var inlineSeparator: String
    var newline: String

    static let standard = Style(unit: "  ", colon: ": ", inlineSeparator: " ", newline: "\n")
  }

  struct Malformed: Error {}

  private(set) var bytes: [UInt8]
  private(set) var root: Span

  init(_ bytes: [UInt8]) throws {
    self.bytes = bytes
    root = try Self.parse(bytes)
  }

  /// The document in `data`, which must be a JSON object (else a bad-input error naming `path`).
  static func document(_ data: Data, path: String) throws -> JSONText {
    let bytes = Array(data)
    guard case .object = try? CanonicalJSON.parse(String(decoding: data, as: UTF8.self)),
      let document = try? JSONText(bytes), document.root.kind == .object
    else {
      throw OctoError.badInput("\(path) is not a JSON object", hint: "fix the file, then run octo-git install again")
    }
    return document
  }

  // MARK: Reading

  static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

  static func parse(_ bytes: [UInt8]) throws -> Span {
    var position = 0
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    skipWhitespace(bytes, &position)
    let root = try value(bytes, &position, depth: 0)
    skipWhitespace(bytes, &position)
    guard position == bytes.count else { throw Malformed() }
    return root
  }

  static func skipWhitespace(_ bytes: [UInt8], _ position: inout Int) {
    while position < bytes.count, isWhitespace(bytes[position]) { position += 1 }
  }

  static func value(_ bytes: [UInt8], _ position: inout Int, depth: Int) throws -> Span {
    guard depth < 200, position < bytes.count else { throw Malformed() }
    let start = position
    switch bytes[position] {
    case UInt8(ascii: "{"):
      position += 1
      var span = Span(kind: .object, start: start, end: start)
      skipWhitespace(bytes, &position)
      if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
        position += 1
        span.end = position
        return span
      }
      while true {
        skipWhitespace(bytes, &position)
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw Malformed() }
        let keyStart = position
        let key = try string(bytes, &position)
        let keyEnd = position
        skipWhitespace(bytes, &position)
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw Malformed() }
        position += 1
        skipWhitespace(bytes, &position)
        let child = try value(bytes, &position, depth: depth + 1)
        span.keys.append(key)
        span.keyStarts.append(keyStart)
        span.keyEnds.append(keyEnd)
        span.children.append(child)
        skipWhitespace(bytes, &position)
        guard position < bytes.count else { throw Malformed() }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
          continue
        }
        guard bytes[position] == UInt8(ascii: "}") else { throw Malformed() }
        position += 1
        span.end = position
        return span
      }
    case UInt8(ascii: "["):
      position += 1
      var span = Span(kind: .array, start: start, end: start)
      skipWhitespace(bytes, &position)
      if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
        position += 1
        span.end = position
        return span
      }
      while true {
        skipWhitespace(bytes, &position)
        span.children.append(try value(bytes, &position, depth: depth + 1))
        skipWhitespace(bytes, &position)
        guard position < bytes.count else { throw Malformed() }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
          continue
        }
        guard bytes[position] == UInt8(ascii: "]") else { throw Malformed() }
        position += 1
        span.end = position
        return span
      }
    case UInt8(ascii: "\""):
      let text = try string(bytes, &position)
      var span = Span(kind: .string, start: start, end: position)
      span.string = text
      return span
    default:
      let delimiters: Set<UInt8> = [
        0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ":"),
      ]
      while position < bytes.count, !delimiters.contains(bytes[position]) { position += 1 }
      guard position > start else { throw Malformed() }
      return Span(kind: .scalar, start: start, end: position)
    }
  }

  /// Reads a string starting at its opening quote; `position` ends after the closing quote.
  static func string(_ bytes: [UInt8], _ position: inout Int) throws -> String {
    position += 1
    var out: [UInt8] = []
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        position += 1
        return String(decoding: out, as: UTF8.self)
      }
      guard byte == UInt8(ascii: "\\") else {
        out.append(byte)
        position += 1
        continue
      }
      guard position + 1 < bytes.count else { throw Malformed() }
      let escape = bytes[position + 1]
      position += 2
      switch escape {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try hex4(bytes, &position)
        if (0xD800..<0xDC00).contains(scalar), position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
          bytes[position + 1] == UInt8(ascii: "u")
        {
          var next = position + 2
          let low = try hex4(bytes, &next)
          if (0xDC00..<0xE000).contains(low) {
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            position = next
          }
        }
        out += Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
      default: throw Malformed()
      }
    }
    throw Malformed()
  }

  static func hex4(_ bytes: [UInt8], _ position: inout Int) throws -> UInt32 {
    guard position + 4 <= bytes.count,
      let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
    else { throw Malformed() }
    position += 4
    return value
  }

  /// The container reached by `path` from the root.
  func span(at path: [Step]) -> Span? {
    var current = root
    for step in path {
      switch step {
      case .key(let key):
        guard let next = current.child(key) else { return nil }
        current = next
      case .index(let index):
        guard current.kind == .array || current.kind == .object, current.children.indices.contains(index) else {
          return nil
        }
        current = current.children[index]
      }
    }
    return current
  }

  // MARK: Layout

  /// The white space before item `index` of `container` (after the `{`, `[` or `,` before it).
  func leadingWhitespace(_ container: Span, _ index: Int) -> ArraySlice<UInt8> {
    let start = container.itemStart(index)
    var position = start
    while position > container.start + 1, Self.isWhitespace(bytes[position - 1]) { position -= 1 }
    return bytes[position..<start]
  }

  /// The indentation of the line holding `position`.
  func lineIndent(_ position: Int) -> String {
    var lineStart = position
    while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
    var end = lineStart
    while end < bytes.count, bytes[end] == 0x20 || bytes[end] == 0x09 { end += 1 }
    return String(decoding: bytes[lineStart..<end], as: UTF8.self)
  }

  /// What follows the last line break of `whitespace`, or nil when it holds none.
  static func indentAfterBreak(_ whitespace: ArraySlice<UInt8>) -> String? {
    guard let lastBreak = whitespace.lastIndex(of: 0x0A) else { return nil }
    return String(decoding: whitespace[(lastBreak + 1)...], as: UTF8.self)
  }

  var style: Style {
    if root.children.isEmpty {
      var standard = Style.standard
      if bytes.contains(0x0D) { standard.newline = "\r\n" }
      return standard
    }
    var style = Style(unit: nil, colon: ": ", inlineSeparator: "", newline: bytes.contains(0x0D) ? "\r\n" : "\n")
    var colonFound = false
    var inlineFound = false
    var multiline = false
    var stack = [root]
    while let container = stack.popLast() {
      guard container.kind == .object || container.kind == .array else { continue }
      for index in container.children.indices {
        if container.kind == .object, !colonFound {
          style.colon = String(
            decoding: bytes[container.keyEnds[index]..<container.children[index].start], as: UTF8.self)
          colonFound = true
        }
        let whitespace = leadingWhitespace(container, index)
        if let indent = Self.indentAfterBreak(whitespace) {
          multiline = true
          let outer = lineIndent(container.start)
          if style.unit == nil, indent.hasPrefix(outer), indent.count > outer.count {
            style.unit = String(indent.dropFirst(outer.count))
          }
        } else if index > 0, !inlineFound {
          style.inlineSeparator = String(decoding: whitespace, as: UTF8.self)
          inlineFound = true
        }
      }
      stack += container.children.reversed()
    }
    if multiline, style.unit == nil { style.unit = "  " }
    if !colonFound { style.colon = multiline ? ": " : ":" }
    return style
  }

  // MARK: Writing

  static func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// `value` as text: over several lines from `indent` when there is one (and the style has a unit), else
  /// on one line.
  static func render(_ value: Value, indent: String?, style: Style) -> String {
    func items(_ parts: [String], open: String, close: String) -> String {
      if parts.isEmpty { return open + close }
      if let indent, let unit = style.unit {
        let inner = indent + unit
        return open + style.newline + parts.map { inner + $0 }.joined(separator: "," + style.newline) + style.newline
          + indent + close
      }
      return open + parts.joined(separator: "," + style.inlineSeparator) + close
    }
    let deeper = indent.flatMap { indent in style.unit.map { indent + $0 } }
    switch value {
    case .string(let text): return quote(text)
    case .int(let number): return String(number)
    case .object(let members):
      return items(
        members.map { quote($0.0) + style.colon + render($0.1, indent: deeper, style: style) }, open: "{", close: "}")
    case .array(let elements):
      return items(elements.map { render($0, indent: deeper, style: style) }, open: "[", close: "]")
    }
  }

  mutating func replace(_ range: Range<Int>, with text: String) throws {
    bytes.replaceSubrange(range, with: Array(text.utf8))
    root = try Self.parse(bytes)
  }

  /// Adds `value` at the end of the container at `path` (as member `key` of an object).
  mutating func append(_ value: Value, key: String?, to path: [Step]) throws {
    guard let container = span(at: path), container.kind == (key == nil ? .array : .object) else { throw Malformed() }
    let style = self.style
    func text(_ indent: String?) -> String {
      let rendered = Self.render(value, indent: indent, style: style)
      return key.map { Self.quote($0) + style.colon + rendered } ?? rendered
    }
    let count = container.children.count
    if count > 0 {
      // Laid out like the last item that starts a line, else like the items on one line.
      var whitespace =
        count > 1 ? leadingWhitespace(container, count - 1) : ArraySlice(Array(style.inlineSeparator.utf8))
      for index in (0..<count).reversed() where leadingWhitespace(container, index).contains(0x0A) {
        whitespace = leadingWhitespace(container, index)
        break
      }
      let at = container.children[count - 1].end
      try replace(
        at..<at, with: "," + String(decoding: whitespace, as: UTF8.self) + text(Self.indentAfterBreak(whitespace)))
    } else if let unit = style.unit {
      let outer = lineIndent(container.start)
      try replace(
        (container.start + 1)..<(container.end - 1),
        with: style.newline + outer + unit + text(outer + unit) + style.newline + outer)
    } else {
      try replace((container.start + 1)..<(container.end - 1), with: text(nil))
    }
  }

  /// Cuts item `index` (and one comma) out of the container at `path`.
  mutating func remove(item index: Int, at path: [Step]) throws {
    guard let container = span(at: path), container.children.indices.contains(index) else { throw Malformed() }
    let count = container.children.count
    let range: Range<Int>
    if count == 1 {
      range = (container.start + 1)..<(container.end - 1)
    } else if index < count - 1 {
      range = container.itemStart(index)..<container.itemStart(index + 1)
    } else {
      range = container.children[index - 1].end..<container.children[index].end
    }
    try replace(range, with: "")
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
    let data =
      source == "-"
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
