import Foundation

/// One thing an import reads: a file, or a database with its log.
struct AgentUnit: Sendable {
  enum Source: Sendable {
    case gemini(cwd: String?)
    case copilot
    case openCodeDatabase
    case openCodeMessage
    case clineTask(ClineTasks.TaskFolder)
    case clineSession(ClineSessions.Session)
    case qwen
  }

  /// The file read, which also keys the unit in the import state.
  var path: String
  var source: Source
  /// What the file (and what its reading depends on) is now; `nil` when it cannot be seen.
  var stamp: String?
  var size: UInt64
}

/// Finding what an agent import reads, and reading one unit with the agent's reader.
extension TranscriptImporter {
  /// What there is to read in an agent's data folders.
  static func units(_ kind: AgentKind, roots: [String], hashes: [String: String]) -> [AgentUnit] {
    var units: [AgentUnit] = []
    func add(_ path: String, _ source: AgentUnit.Source, context: String? = nil) {
      let stamp = AgentFiles.stamp(path).map { stamp in context.map { stamp + "|" + $0 } ?? stamp }
      units.append(AgentUnit(path: path, source: source, stamp: stamp, size: AgentFiles.size(path)))
    }
    for root in roots {
      switch kind {
      case .gemini:
        for project in GeminiTranscripts.projects(in: root, hashes: hashes) {
          for file in GeminiTranscripts.chatFiles(of: project) {
            add(file, .gemini(cwd: project.cwd), context: project.cwd ?? "-")
          }
        }
      case .copilot:
        for file in CopilotSessions.eventFiles(in: root) { add(file, .copilot) }
      case .opencode, .kilo:
        for database in OpenCodeStore.databases(in: root, name: kind.databaseName!) {
          let size = AgentFiles.size(database) + AgentFiles.size(database + "-wal")
          units.append(
            AgentUnit(
              path: database, source: .openCodeDatabase, stamp: OpenCodeStore.stamp(ofDatabase: database), size: size))
        }
        for file in OpenCodeStore.messageFiles(in: root) { add(file, .openCodeMessage) }
      case .cline, .roo, .kiloCode:
        for task in ClineTasks.tasks(in: root, flavor: kind.flavor!) {
          add(task.messages, .clineTask(task), context: ClineTasks.context(of: task))
        }
        guard kind == .cline else { continue }
        for session in ClineSessions.sessions(in: root) {
          for file in ClineSessions.messageFiles(of: session) {
            add(file, .clineSession(session), context: session.context)
          }
        }
      case .qwen:
        for file in QwenTranscripts.chatFiles(in: root) { add(file, .qwen) }
      }
    }
    return units
  }

  /// The one unit an agent's hook names.
  static func unit(forFile file: String, kind: AgentKind, roots: [String], hashes: [String: String]) -> AgentUnit {
    let source: AgentUnit.Source
    var path = file
    var context: String?
    // A Cline session's messages file, its folder, or its record (the lead's messages are read).
    let lead = kind == .cline ? ClineSessions.leadMessages(at: file) : nil
    switch kind {
    case .gemini:
      let project = GeminiTranscripts.project(of: file, home: roots.first, hashes: hashes)
      source = .gemini(cwd: project.cwd)
      context = project.cwd ?? "-"
    case .copilot: source = .copilot
    case .opencode, .kilo: source = file.hasSuffix(".db") ? .openCodeDatabase : .openCodeMessage
    case .cline where lead != nil:
      path = lead!
      let session = ClineSessions.session(at: path)
      source = .clineSession(session)
      context = session.context
    case .cline, .roo, .kiloCode:
      let task = ClineTasks.task(at: file, flavor: kind.flavor!)
      source = .clineTask(task)
      path = task.messages
      context = ClineTasks.context(of: task)
    case .qwen: source = .qwen
    }
    if case .openCodeDatabase = source {
      return AgentUnit(
        path: path, source: source, stamp: OpenCodeStore.stamp(ofDatabase: path),
        size: AgentFiles.size(path) + AgentFiles.size(path + "-wal"))
    }
    let stamp = AgentFiles.stamp(path).map { stamp in context.map { stamp + "|" + $0 } ?? stamp }
    return AgentUnit(path: path, source: source, stamp: stamp, size: AgentFiles.size(path))
  }

  /// Reads one unit into `scan`; returns a database's latest `time_updated` (else `nil`).
  static func read(
    _ unit: AgentUnit, kind: AgentKind, hashes: [String: String], since mark: Int64?, into scan: inout AgentScan
  )
    throws -> Int64?
  {
    switch unit.source {
    case .gemini(let cwd):
      try GeminiTranscripts.read(unit.path, cwd: cwd, hashes: hashes, into: &scan)
    case .copilot:
      try CopilotSessions.read(unit.path, into: &scan)
    case .openCodeDatabase:
      return try OpenCodeStore.readDatabase(
        unit.path, agent: kind.rawValue, prefix: kind == .kilo ? "kl:" : "oc:", since: mark, into: &scan)
    case .openCodeMessage:
      try OpenCodeStore.readMessageFile(
        unit.path, agent: kind.rawValue, prefix: kind == .kilo ? "kl:" : "oc:", into: &scan)
    case .clineTask(let task):
      try ClineTasks.read(task, flavor: kind.flavor!, into: &scan)
    case .clineSession(let session):
      try ClineSessions.read(unit.path, session: session, into: &scan)
    case .qwen:
      try QwenTranscripts.read(unit.path, into: &scan)
    }
    return nil
  }
}
