import Foundation

extension AgentSetup {
  /// Merges `entries` into the file at `relative` (creating it), keeping the original bytes first and
  /// recording what was written.
  static func write(_ entries: [Entry], to relative: String, agent: Agent, shared: Bool, in repository: Repository)
    throws
    -> [String]
  {
    guard let edit = try edit(adding: entries, to: relative, agent: agent, in: repository) else { return [] }
    return try save(
      edit.bytes, existing: edit.existing, containers: edit.containers, to: relative, agent: agent, shared: shared,
      in: repository, changes: edit.events.map { "\(agent.displayName): \($0) hook in \(relative)" })
  }

  /// Refuses, before anything is installed, an agent file that install would have to edit and cannot (a
  /// symbolic link, not plain JSON, hooks of an unexpected shape): install would otherwise stop halfway, the
  /// git hooks in and the agent's not.
  public static func checkInstallable(_ agent: Agent, in repository: Repository, shared: Bool) throws {
    let relative = shared ? agent.sharedFile : agent.personalFile
    if try reasonToLeaveAlone(agent, in: repository, shared: shared) != nil { return }
    _ = try edit(adding: entries(agent, binary: shared ? nil : "octo-git"), to: relative, agent: agent, in: repository)
  }

  /// What merging `entries` into the file at `relative` makes of it (`nil`: they are all there): its new
  /// bytes, its bytes before, the hook containers it had and the events given a hook.
  private static func edit(adding entries: [Entry], to relative: String, agent: Agent, in repository: Repository)
    throws -> (bytes: [UInt8], existing: Data?, containers: [String], events: [String])?
  {
    let path = repository.workDirectory + "/" + relative
    let manager = FileManager.default
    // A settings file that is a symbolic link (to a dotfiles repository, say) is managed elsewhere: writing
    // would replace the link with a file, cut off from its target.
    if Paths.isSymbolicLink(path) {
      let target = (try? manager.destinationOfSymbolicLink(atPath: path)) ?? "?"
      throw OctoError.badInput(
        "\(relative) is a symbolic link (to \(SafeText.terminal(target))): octo-git does not write through it",
        hint: "add the hooks to that file yourself, or replace the link with a file and run install again")
    }
    // Something else where the file or one of its folders should be: writing would fail halfway. (A
    // folder may be a link to one, as dotfiles set up.)
    var folder = relative
    while !folder.isEmpty {
      var entry = stat()
      let isFile = folder == relative
      let full = repository.workDirectory + "/" + folder
      if (isFile ? lstat(full, &entry) : stat(full, &entry)) == 0, (entry.st_mode & S_IFMT == S_IFDIR) == isFile {
        throw OctoError.badInput(
          "\(folder) is a \(isFile ? "folder" : "file") where octo-git writes \(isFile ? "a file" : "a folder")",
          hint: "move \(folder) away and run install again, or leave this agent out")
      }
      folder = (folder as NSString).deletingLastPathComponent
    }
    let existing = manager.contents(atPath: path)
    var events: [String] = []
    var before: [String] = []
    let bytes: [UInt8]
    if let existing, !existing.allSatisfy(JSONText.isWhitespace) {
      var document = try JSONText.document(existing, path: relative)
      before = containers(in: document)
      events = try addEntries(entries, to: &document, path: relative)
      if events.isEmpty { return nil }
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
      let hooks: (String, JSONText.Value) = ("hooks", .object(byEvent.map { ($0.0, .array($0.1)) }))
      let value = JSONText.Value.object(agent.fileHeader + [hooks])
      bytes = Array((JSONText.render(value, indent: "", style: .standard) + "\n").utf8)
    }
    return (bytes, existing, before, events)
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
    } else if let old = record, let existing, existing != old.written {
      // Changed since octo-git wrote it (settings added, or the file written anew by the user): its first
      // bytes would lose that, and it is not octo-git's file any more. Uninstall takes out octo-git's entries.
      AgentFilesState.deleteBackup(old, in: repository)
      record?.backup = nil
      record?.created = false
      record?.createdDirectory = nil
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
        fresh.createdDirectory = outermostMissingFolder(of: path, in: repository)
      }
    }
    do {
      try manager.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    } catch {
      throw OctoError("cannot write \(path): \(OctoError.reason(error))", hint: "check the folder's permissions")
    }
    try writeFile(Data(bytes), to: path)
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

  /// The outermost folder above `path`, inside the work tree, that does not exist yet (what writing the file
  /// creates, and what uninstall takes away again when it is left empty); nil when the file's folder exists.
  static func outermostMissingFolder(of path: String, in repository: Repository) -> String? {
    var folder = (path as NSString).deletingLastPathComponent
    guard !FileManager.default.fileExists(atPath: folder) else { return nil }
    while true {
      let parent = (folder as NSString).deletingLastPathComponent
      guard parent.count > repository.workDirectory.count, !FileManager.default.fileExists(atPath: parent) else {
        return folder
      }
      folder = parent
    }
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

  /// The commands of a hook block: its hooks' (`{"matcher": …, "hooks": [{"command": …}]}`), or its own when
  /// it is a hook itself (Copilot CLI's `{"type": "command", "bash": …}`).
  static func commands(in block: JSONText.Span) -> [String] {
    if let inner = block.child("hooks") { return inner.children.compactMap { $0.child("command")?.string } }
    return flatCommandKeys.compactMap { block.child($0)?.string }
  }

  /// The members holding a flat hook's command: Copilot CLI's `bash` (and `powershell`), and `command`, which
  /// it takes for both.
  static let flatCommandKeys = ["bash", "powershell", "command"]

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
          // Takes out the whole block, and the containers it leaves empty.
          func removeBlock() throws {
            if blocks.children.count > 1 || keep?.contains("hooks." + event) == true {
              try document.remove(item: blockIndex, at: [.key("hooks"), .key(event)])
            } else if hooks.children.count > 1 || keep?.contains("hooks") == true {
              try document.remove(item: eventIndex, at: [.key("hooks")])
            } else if let index = document.root.index(of: "hooks") {
              try document.remove(item: index, at: [])
            }
          }
          guard let inner = block.child("hooks") else {
            // A flat hook: the block is the hook.
            guard commands(in: block).contains(where: isOurs) else { continue }
            changed = true
            try removeBlock()
            continue search
          }
          guard inner.kind == .array else { continue }
          let ours = inner.children.indices.filter { index in
            inner.children[index].child("command")?.string.map(isOurs) ?? false
          }
          guard let first = ours.first else { continue }
          changed = true
          if ours.count < inner.children.count {
            try document.remove(item: first, at: [.key("hooks"), .key(event), .index(blockIndex), .key("hooks")])
          } else {
            try removeBlock()
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
}
