import Foundation

/// The agents `octo-git usage import` reads besides Claude Code and Codex: each one's name (the events'
/// `agent`), where its data lives by default, and how its files are found.
public enum AgentKind: String, CaseIterable, Sendable {
  case gemini
  case copilot
  case opencode
  case kilo
  case cline
  case roo
  case kiloCode = "kilo-code"
  case qwen

  /// The agent as people call it.
  public var title: String {
    switch self {
    case .gemini: return "Gemini CLI"
    case .copilot: return "GitHub Copilot CLI"
    case .opencode: return "OpenCode"
    case .kilo: return "Kilo"
    case .cline: return "Cline"
    case .roo: return "Roo Code"
    case .kiloCode: return "Kilo Code"
    case .qwen: return "Qwen Code"
    }
  }

  /// Where the agent keeps its data when nothing else is said, as shown to people.
  public var defaultLocation: String {
    switch self {
    case .gemini: return "$GEMINI_CLI_HOME/.gemini or ~/.gemini"
    case .copilot: return "$COPILOT_HOME or ~/.copilot"
    case .opencode: return "$XDG_DATA_HOME/opencode or ~/.local/share/opencode"
    case .kilo: return "$XDG_DATA_HOME/kilo or ~/.local/share/kilo"
    case .cline, .roo, .kiloCode:
      return "the \(flavor!.extensionID) folder of VS Code's, Cursor's and Windsurf's globalStorage"
        + (self == .cline ? ", and $CLINE_DATA_DIR, $CLINE_DIR/data or ~/.cline/data" : "")
    case .qwen: return "$QWEN_RUNTIME_DIR, $QWEN_HOME or ~/.qwen"
    }
  }

  /// What a data folder given with `--dir` must hold, as shown to people.
  public var expectedContent: String {
    switch self {
    case .gemini: return "tmp/"
    case .copilot: return "session-state/"
    case .opencode: return "opencode.db or storage/message/"
    case .kilo: return "kilo.db"
    case .cline: return "tasks/ or sessions/"
    case .roo, .kiloCode: return "tasks/"
    case .qwen: return "projects/"
    }
  }

  var flavor: ClineTasks.Flavor? {
    switch self {
    case .cline: return .cline
    case .roo: return .roo
    case .kiloCode: return .kiloCode
    default: return nil
    }
  }

  /// The database name of OpenCode's schema (`opencode`, `kilo`).
  var databaseName: String? {
    switch self {
    case .opencode: return "opencode"
    case .kilo: return "kilo"
    default: return nil
    }
  }

  /// The agent's data folders that exist, found from `environment` (its `HOME`, `XDG_*` and the agent's own
  /// variables).
  public func defaultRoots(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    switch self {
    case .gemini: return GeminiTranscripts.homes(environment: environment)
    case .copilot: return CopilotSessions.homes(environment: environment)
    case .opencode, .kilo: return OpenCodeStore.homes(name: databaseName!, environment: environment).filter(isRoot)
    case .cline, .roo, .kiloCode: return ClineTasks.homes(flavor!, environment: environment)
    case .qwen: return QwenTranscripts.homes(environment: environment)
    }
  }

  /// Whether `folder` is laid out as this agent lays out its data.
  public func isRoot(_ folder: String) -> Bool {
    switch self {
    case .gemini: return Paths.isFolder(folder + "/tmp")
    case .copilot: return Paths.isFolder(folder + "/session-state")
    case .opencode, .kilo:
      return !OpenCodeStore.databases(in: folder, name: databaseName!).isEmpty
        || Paths.isFolder(folder + "/storage/message")
    case .cline: return Paths.isFolder(folder + "/tasks") || Paths.isFolder(folder + "/sessions")
    case .roo, .kiloCode: return Paths.isFolder(folder + "/tasks")
    case .qwen: return Paths.isFolder(folder + "/projects")
    }
  }
}

extension AgentRequest {
  /// The agent's own cost, kept only when `prices` has no price for the model, or there are no tokens to
  /// price (a call the agent wrote only the cost of): the event is then marked `"prices":"agent"` (see
  /// ``EventPricer``); otherwise octo-git prices the tokens and this is `nil`. A cost of 0 for tokens is no
  /// price: OpenCode, Roo Code and Cline write 0 when they have none for the model either, and such an event is
  /// unpriced (counted apart), never $0.
  func agentCost(unlessPricedBy prices: PriceTable) -> PicoDollars? {
    guard let cost else { return nil }
    if tokens.total == 0 { return cost }
    guard prices.price(for: model) == nil, cost != .zero else { return nil }
    return cost
  }
}

/// What ``AgentImportState`` remembers of each unit read: its stamp then, and for a database the latest
/// `time_updated` read.
struct AgentImportEntry: Equatable, Sendable {
  var stamp: String
  var mark: Int64?
}

/// The incremental state of the agent imports, in `<git-common-dir>/octo/agent-imports.json`: per agent, per
/// file or database, its stamp when it was last read. A unit whose stamp did not change is not read again.
/// Losing the file (or a race between two imports) only makes the next import read everything again: event
/// ids keep that exact.
struct AgentImportState {
  var agents: [String: [String: AgentImportEntry]] = [:]

  /// The largest state file read.
  static let largestFile = 64 << 20

  static func path(for ledger: Ledger) -> String {
    (ledger.store.path as NSString).deletingLastPathComponent + "/agent-imports.json"
  }

  /// The state at `path`; empty when it is missing or damaged.
  static func load(_ path: String) -> AgentImportState {
    var state = AgentImportState()
    guard let root = AgentFiles.smallJSON(path, limit: largestFile), root["v"]?.intValue == 1,
      let agents = root["agents"]?.objectValue
    else { return state }
    for (agent, units) in agents {
      guard let units = units.objectValue else { continue }
      var entries: [String: AgentImportEntry] = [:]
      for (path, entry) in units {
        guard let stamp = entry["stamp"]?.stringValue else { continue }
        entries[path] = AgentImportEntry(stamp: stamp, mark: entry["mark"]?.intValue.map { Int64($0) })
      }
      state.agents[agent] = entries
    }
    return state
  }

  /// Writes the state to `path` at once (a new file renamed over the old one).
  func save(_ path: String) throws {
    var agents: [String: JSONValue] = [:]
    for (agent, units) in self.agents {
      var entries: [String: JSONValue] = [:]
      for (path, entry) in units {
        var members: [String: JSONValue] = ["stamp": .string(entry.stamp)]
        if let mark = entry.mark { members["mark"] = .number(String(mark)) }
        entries[path] = .object(members)
      }
      agents[agent] = .object(entries)
    }
    let text = CanonicalJSON.string(.object(["v": .int(1), "agents": .object(agents)])) + "\n"
    do {
      try FileReplacement.write(Array(text.utf8), to: path)
    } catch {
      throw OctoError("cannot save \(path): \(OctoError.reason(error))")
    }
  }
}

extension TranscriptImporter {
  /// Reads one agent's data folders (`roots`, laid out as the agent lays them out), or only
  /// `options.file`, and attributes the requests found as ``run(_:)`` does for Claude Code: deduplicated by
  /// event id, priced, charged to the first commit made after them in the work tree the agent recorded, or
  /// pending. Files, tasks and databases that did not change since the last import are not read again
  /// (not for a narrowed import: `--since`, `--session`, `--all-projects`).
  public func runAgent(_ kind: AgentKind, roots: [String], options: Options) throws -> Summary {
    var batch = ImportBatch()
    let summary = try runAgent(kind, roots: roots, options: options, into: &batch)
    try write(batch)
    return summary
  }

  /// ``runAgent(_:roots:options:)`` into `batch`: what was read is remembered once it is written.
  func runAgent(_ kind: AgentKind, roots: [String], options: Options, into batch: inout ImportBatch) throws
    -> Summary
  {
    var summary = Summary()
    let worktrees = try ledger.repository.worktrees().map(\.path)
    let hashes = Dictionary(worktrees.map { (SHA256.hex($0), $0) }, uniquingKeysWith: { first, _ in first })
    let units =
      options.file.map { [Self.unit(forFile: $0, kind: kind, roots: roots, hashes: hashes)] }
      ?? Self.units(kind, roots: roots, hashes: hashes)

    let incremental = !options.allProjects && options.session == nil && options.since == nil
    let statePath = AgentImportState.path(for: ledger)
    let remembered = incremental ? batch.agentState(at: statePath).agents[kind.rawValue] ?? [:] : [:]
    var work: [(rank: Int, unit: AgentUnit, mark: Int64?)] = []
    for (rank, unit) in units.enumerated() {
      let previous = remembered[unit.path]
      if incremental, let stamp = unit.stamp, previous?.stamp == stamp { continue }
      work.append((rank, unit, incremental ? previous?.mark : nil))
    }

    // Shared out over the cores, largest first to the least loaded; each part read into its own scan.
    let width = max(1, min(WorkerPool.width, work.count))
    var parts = Array(repeating: [(rank: Int, unit: AgentUnit, mark: Int64?)](), count: width)
    var loads = Array(repeating: UInt64(0), count: width)
    for item in work.sorted(by: { $0.unit.size > $1.unit.size }) {
      let lightest = loads.indices.min { loads[$0] < loads[$1] }!
      parts[lightest].append(item)
      loads[lightest] += max(item.unit.size, 1)
    }
    let results = WorkerPool.map(parts) { part -> (scan: AgentScan, read: [String: AgentImportEntry]) in
      var scan = AgentScan()
      var read: [String: AgentImportEntry] = [:]
      for item in part {
        scan.origin = item.rank
        do {
          let mark = try Self.read(item.unit, kind: kind, hashes: hashes, since: item.mark, into: &scan)
          if let stamp = item.unit.stamp { read[item.unit.path] = AgentImportEntry(stamp: stamp, mark: mark) }
        } catch {
          scan.unreadable += 1
        }
      }
      return (scan, read)
    }
    var scan = AgentScan()
    var read: [String: AgentImportEntry] = [:]
    for result in results {
      scan.merge(result.scan)
      read.merge(result.read) { $1 }
    }
    summary.files = scan.files
    summary.lines = scan.records
    summary.malformedLines = scan.malformed
    summary.unreadableFiles = scan.unreadable

    let requests = scan.requests
    if !requests.isEmpty { try attribute(requests, options, &summary, into: &batch) }

    if incremental {
      // Units that are gone are forgotten (not when one file was named).
      let present = options.file == nil ? Set(units.map(\.path)) : nil
      // Nothing read and nothing gone: the state file stays as it is (it can be megabytes).
      if !read.isEmpty || remembered.keys.contains(where: { present?.contains($0) == false }) {
        batch.agentStateUpdates.append((kind.rawValue, present, read))
      }
    }
    return summary
  }

  /// Every agent whose data is found from `environment` (Claude Code and Codex included), each imported as
  /// its own command would, in a fixed order; agents with no data are left out.
  public func runAll(environment: [String: String] = ProcessInfo.processInfo.environment, options: Options) throws
    -> [(agent: String, summary: Summary)]
  {
    try runAll(environments: [environment], options: options)
  }

  /// ``runAll(environment:options:)`` for each of `environments` (an agent found in several appears once per
  /// environment), every agent read before anything is written: each commit's note is written once.
  public func runAll(environments: [[String: String]], options: Options) throws -> [(agent: String, summary: Summary)] {
    var results: [(agent: String, summary: Summary)] = []
    var batch = ImportBatch()
    var general = options
    general.file = nil
    for environment in environments {
      let claude = ClaudeCodeTranscripts.projectFolders(environment: environment)
      if !claude.isEmpty {
        var claudeOptions = general
        claudeOptions.folders = claude
        results.append(("claude-code", try run(claudeOptions, into: &batch)))
      }
      let codex = CodexTranscripts.homes(environment: environment)
      if !codex.isEmpty { results.append(("codex", try runCodex(homes: codex, options: general, into: &batch))) }
      for kind in AgentKind.allCases {
        let roots = kind.defaultRoots(environment: environment)
        if roots.isEmpty { continue }
        results.append((kind.rawValue, try runAgent(kind, roots: roots, options: general, into: &batch)))
      }
    }
    try write(batch)
    return results
  }
}
