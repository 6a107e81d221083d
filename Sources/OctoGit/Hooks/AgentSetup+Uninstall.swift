import Foundation

extension AgentSetup {
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
    in repository: Repository, shared: Bool, keepingStatusLine: Bool = false,
    matching: (AgentFilesState.File) -> Bool
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
      report.changes += try restore(
        record, agent: agent, current: current, keepingStatusLine: keepingStatusLine, in: repository)
      // Still holding octo-git's hooks (a file that is no JSON any more, to be mended by hand): its record
      // stays, so the next uninstall tries again and says so again.
      if !Paths.isSymbolicLink(record.path), holdsOurs(record.path, agent) {
        kept.append(record)
        continue
      }
      AgentFilesState.deleteBackup(record, in: repository)
    }
    state.files = kept
    try state.save(repository)
    return report
  }

  /// Puts a recorded file back: its original bytes when it still holds just what octo-git wrote, else the
  /// file without octo-git's entries.
  static func restore(
    _ record: AgentFilesState.File, agent: Agent, current: Data?, keepingStatusLine: Bool = false,
    in repository: Repository
  ) throws -> [String] {
    guard let current else {
      if record.created { try InfoExclude.remove(record.relativePath, owner: InfoExclude.agentsOwner, in: repository) }
      return []
    }
    // Made a link since (to a dotfiles repository, say): what it leads to is managed there, and the pass over
    // files no record names says so (removeUnrecorded).
    if Paths.isSymbolicLink(record.path) { return [] }
    let message = "\(agent.displayName): removed octo-git's hooks from \(record.relativePath)"
    // The hooks move to the team's file; the personal status line stays where it is.
    if keepingStatusLine, holdsOurStatusLine(record.path, agent) {
      return try removeOurs(from: record, agent: agent, current: current, keepingStatusLine: true, in: repository)
    }
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
  static func removeOurs(
    from record: AgentFilesState.File, agent: Agent, current: Data, keepingStatusLine: Bool = false,
    in repository: Repository
  ) throws -> [String] {
    guard var document = try? JSONText.document(current, path: record.relativePath) else {
      return ["\(agent.displayName): \(record.relativePath) is not JSON any more: take octo-git's hooks out by hand"]
    }
    var changed = try removeEntries(from: &document, keep: Set(record.containers ?? [])) { command in
      agent.markers.contains { command.contains($0) }
    }
    if agent == .claudeCode, !keepingStatusLine, try removeStatusLine(from: &document) { changed = true }
    if record.created, holdsNothingElse(document, agent) {
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

  /// Deletes a file octo-git created (and the folders it created for it, when left empty).
  static func removeCreated(_ record: AgentFilesState.File, in repository: Repository) throws {
    unlink(record.path)
    if let folder = record.createdDirectory {
      removeEmptyFolders(from: (record.path as NSString).deletingLastPathComponent, upTo: folder)
    }
    try InfoExclude.remove(record.relativePath, owner: InfoExclude.agentsOwner, in: repository)
  }

  /// Removes `folder` and the folders above it up to `top` (inclusive), each only while it is empty.
  static func removeEmptyFolders(from folder: String, upTo top: String) {
    var current = folder
    while current == top || current.hasPrefix(top + "/"), rmdir(current) == 0, current != top {
      current = (current as NSString).deletingLastPathComponent
    }
  }

  /// Whether a document holds nothing but what octo-git starts its files with, once octo-git's entries are
  /// out: then octo-git's file is left empty.
  static func holdsNothingElse(_ document: JSONText, _ agent: Agent) -> Bool {
    document.root.keys.allSatisfy { key in agent.fileHeader.contains { $0.0 == key } }
  }

  /// Takes octo-git's entries out of a file install did not record (an older octo-git's, or one copied in):
  /// the file goes when nothing else is left in it.
  static func removeUnrecorded(
    _ relative: String, agent: Agent, keepingStatusLine: Bool = false, in repository: Repository
  ) throws -> [String] {
    let path = repository.workDirectory + "/" + relative
    if Paths.isSymbolicLink(path) {
      return [
        "\(agent.displayName): \(relative) is a symbolic link now: take octo-git's hooks out of the file it leads "
          + "to by hand"
      ]
    }
    guard holdsOurs(path, agent) || holdsOurStatusLine(path, agent),
      let data = FileManager.default.contents(atPath: path),
      var document = try? JSONText.document(data, path: relative)
    else { return [] }
    var removed = try removeEntries(
      from: &document, isOurs: { command in agent.markers.contains { command.contains($0) } })
    if agent == .claudeCode, !keepingStatusLine, try removeStatusLine(from: &document) { removed = true }
    guard removed else { return [] }
    if holdsNothingElse(document, agent), !(try isTracked(relative, in: repository)) {
      unlink(path)
      rmdir((path as NSString).deletingLastPathComponent)
    } else {
      try writeFile(Data(document.bytes), to: path)
    }
    return ["\(agent.displayName): removed octo-git's hooks from \(relative)"]
  }

  /// Replaces the agent file at `path` with `data`, keeping its permissions (a settings file holding secrets
  /// stays `0600`). A symbolic link there is never written through nor replaced by a file.
  static func writeFile(_ data: Data, to path: String) throws {
    if Paths.isSymbolicLink(path) {
      throw OctoError(
        "\(path) is a symbolic link: octo-git does not write through it",
        hint: "make the change in the file it leads to by hand")
    }
    do {
      var status = stat()
      let mode = stat(path, &status) == 0 ? status.st_mode & 0o7777 : 0o644
      _ = try FileReplacement.write(data, to: path, mode: mode)
    } catch {
      throw OctoError("cannot write \(path): \(error)", hint: "check the folder's permissions")
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
