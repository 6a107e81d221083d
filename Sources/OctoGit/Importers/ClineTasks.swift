import Foundation

/// Reads the tasks of Cline and of its forks Roo Code and Kilo Code: `<extension folder>/tasks/<task
/// id>/ui_messages.json`, where the extension folder is its `globalStorage` folder in VS Code, Cursor or
/// Windsurf (`saoudrizwan.claude-dev`, `rooveterinaryinc.roo-cline`, `kilocode.kilo-code`), or Cline's own
/// data folder (`~/.cline/data`, see ``ClineSessions``, which reads what Cline writes since its SDK).
///
/// `ui_messages.json` is a JSON array rewritten in place. Each request is an entry `{"type":"say",
/// "say":"api_req_started","ts":…,"text":"<JSON>"}` whose text, once the request is over, holds `tokensIn`,
/// `tokensOut`, `cacheWrites`, `cacheReads` and `cost` (USD); a cancelled or failed request keeps what it
/// used and counts too; one whose text has no counts yet is not a request yet. Cline's `subagent_usage`
/// entries (what its subagents used, written nowhere else) count the same way. Id `cl:<task>:<ts>`
/// (`ro:`, `kc:` for the forks). `deleted_api_reqs` entries sum requests already read before they were
/// deleted and are not counted again.
///
/// Cline keeps `tokensIn` apart from the cache reads and writes, but for some OpenAI-compatible providers
/// (``ClineProviderCounts``). Roo Code (and Kilo Code, its fork) has
/// stored the whole prompt in `tokensIn`, cache included, since its 3.30 release (November 2025), and before
/// that for requests whose `apiProtocol` is `openai`: then `in` = tokensIn − reads − writes. `out` =
/// tokensOut. The model is the entry's `modelInfo.modelId`, else the task's `task_metadata.json`
/// `model_usage` entry in force at that time, else the task history's `modelId`.
///
/// The work tree is the task history's `cwdOnTaskInitialization` (Cline) or `workspace` (Roo, Kilo Code),
/// read from `state/taskHistory.json`, `tasks/_index.json`, a task's `history_item.json`, or the editor's
/// `globalStorage/state.vscdb` (older versions); a task found in none is imported only with
/// `--all-projects`.
public enum ClineTasks {
  /// Which extension.
  public enum Flavor: String, Sendable, CaseIterable {
    case cline
    case roo
    case kiloCode = "kilo-code"

    /// The extension's id, the name of its `globalStorage` folder and of its `state.vscdb` key.
    public var extensionID: String {
      switch self {
      case .cline: return "saoudrizwan.claude-dev"
      case .roo: return "rooveterinaryinc.roo-cline"
      case .kiloCode: return "kilocode.kilo-code"
      }
    }

    var prefix: String {
      switch self {
      case .cline: return "cl:"
      case .roo: return "ro:"
      case .kiloCode: return "kc:"
      }
    }
  }

  /// When Roo Code began to store cache tokens inside `tokensIn` for every provider (1 November 2025).
  static let rooInclusiveSince: Int64 = 1_761_955_200_000

  /// The editors whose `globalStorage` may hold the extension.
  static let editors = ["Code", "Code - Insiders", "Cursor", "Windsurf", "VSCodium"]

  /// The extension folders that hold tasks: in each editor's `User/globalStorage` (Linux and macOS
  /// locations, and the remote servers'), and for Cline its data folder (with tasks or sessions).
  public static func homes(_ flavor: Flavor, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> [String]
  {
    let home = Paths.home(environment)
    var bases: [String] = []
    for editor in editors {
      bases.append(Paths.configHome(environment: environment) + "/" + editor + "/User/globalStorage")
      bases.append(home + "/Library/Application Support/" + editor + "/User/globalStorage")
    }
    for server in [".vscode-server", ".vscode-server-insiders", ".cursor-server", ".windsurf-server"] {
      bases.append(home + "/" + server + "/data/User/globalStorage")
    }
    var roots = bases.map { $0 + "/" + flavor.extensionID }
    // Cline's own data folder: tasks of older versions, and the SDK's sessions (``ClineSessions``).
    if flavor == .cline { roots.append(ClineSessions.dataFolder(environment: environment)) }
    var seen = Set<String>()
    return roots.filter {
      (Paths.isFolder($0 + "/tasks") || (flavor == .cline && Paths.isFolder($0 + "/sessions")))
        && seen.insert($0).inserted
    }
  }

  /// A task's folder, with what its history says about it.
  struct TaskFolder: Sendable {
    let id: String
    let folder: String
    let cwd: String?
    let model: String?

    var messages: String { folder + "/ui_messages.json" }
  }

  /// The tasks of an extension folder that have `ui_messages.json`, in id order.
  static func tasks(in root: String, flavor: Flavor) -> [TaskFolder] {
    let history = histories(of: root, flavor: flavor)
    let folder = root + "/tasks"
    var tasks: [TaskFolder] = []
    for id in AgentFiles.names(in: folder) where AgentFiles.isFile(folder + "/" + id + "/ui_messages.json") {
      tasks.append(task(id: id, folder: folder + "/" + id, history: history))
    }
    return tasks
  }

  /// The task whose `ui_messages.json` (or folder) is `path`, for a file named by an agent's hook.
  static func task(at path: String, flavor: Flavor) -> TaskFolder {
    let folder = path.hasSuffix(".json") ? (path as NSString).deletingLastPathComponent : path
    let root = ((folder as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
    return task(
      id: (folder as NSString).lastPathComponent, folder: folder, history: histories(of: root, flavor: flavor))
  }

  private static func task(id: String, folder: String, history: [String: HistoryEntry]) -> TaskFolder {
    // A task's own history_item.json (Roo Code, Kilo Code) first.
    var entry = history[id]
    if let own = AgentFiles.smallJSON(folder + "/history_item.json", limit: 1 << 20), let item = HistoryEntry(own) {
      entry = HistoryEntry(cwd: item.cwd ?? entry?.cwd, model: item.model ?? entry?.model)
    }
    return TaskFolder(id: id, folder: folder, cwd: entry?.cwd, model: entry?.model)
  }

  /// What a history item says: where the task ran and with which model.
  struct HistoryEntry: Sendable {
    var cwd: String?
    var model: String?

    init(cwd: String?, model: String?) {
      self.cwd = cwd
      self.model = model
    }

    init?(_ item: JSONValue) {
      guard case .object = item else { return nil }
      cwd = AgentFields.text(item["cwdOnTaskInitialization"]) ?? AgentFields.text(item["workspace"])
      model = AgentFields.text(item["modelId"])
    }
  }

  /// Task id → history entry, from every history the extension folder has (earlier sources win).
  static func histories(of root: String, flavor: Flavor) -> [String: HistoryEntry] {
    var entries: [String: HistoryEntry] = [:]
    func add(_ items: [JSONValue]?) {
      for item in items ?? [] {
        guard let id = AgentFields.text(item["id"]), entries[id] == nil, let entry = HistoryEntry(item) else {
          continue
        }
        entries[id] = entry
      }
    }
    add(AgentFiles.smallJSON(root + "/state/taskHistory.json")?.arrayValue)
    add(AgentFiles.smallJSON(root + "/tasks/_index.json")?["entries"]?.arrayValue)
    add(globalState(of: root, flavor: flavor))
    return entries
  }

  /// The `taskHistory` the editor keeps for the extension in `globalStorage/state.vscdb` (older versions),
  /// read-only.
  static func globalState(of root: String, flavor: Flavor) -> [JSONValue] {
    let path = (root as NSString).deletingLastPathComponent + "/state.vscdb"
    guard AgentFiles.isFile(path) else { return [] }
    let text = AgentDatabases.editorState(path, key: flavor.extensionID)
    guard let text, text.utf8.count < 256 << 20, let state = try? CanonicalJSON.parse(text) else { return [] }
    return state["taskHistory"]?.arrayValue ?? []
  }

  /// What a task's `task_metadata.json` says about its models: `(ts, model)`, oldest first.
  static func modelUsage(of task: TaskFolder) -> [(ts: Int64, model: String)] {
    guard let usage = AgentFiles.smallJSON(task.folder + "/task_metadata.json")?["model_usage"]?.arrayValue else {
      return []
    }
    var entries: [(ts: Int64, model: String)] = []
    for entry in usage {
      guard let model = AgentFields.text(entry["model_id"]) else { continue }
      entries.append((Int64(entry["ts"]?.intValue ?? 0), model))
    }
    return entries.sorted { $0.ts < $1.ts }
  }

  /// What the stamp of a task depends on besides its messages: its history and its models.
  static func context(of task: TaskFolder) -> String {
    "\(task.cwd ?? "-")|\(task.model ?? "-")|\(AgentFiles.stamp(task.folder + "/task_metadata.json") ?? "-")"
  }

  /// Reads one task's `ui_messages.json` into `scan`.
  static func read(_ task: TaskFolder, flavor: Flavor, into scan: inout AgentScan) throws {
    let models = modelUsage(of: task)
    var entries: [Entry] = []
    do {
      try JSONWalk.document(task.messages) { parser in
        try JSONWalk.elements(&parser, depth: 0) { parser in entries.append(try entry(&parser)) }
      }
    } catch is RegularFile.Refusal {
      scan.unreadable += 1
      return
    } catch {
      // A file cut short while it was rewritten: what was read before the damage still counts.
      scan.malformed += 1
    }
    scan.files += 1
    scan.records += entries.count
    for entry in entries {
      if let condense = entry.condense {
        keepCondense(condense, of: entry, task: task, flavor: flavor, models: models, into: &scan)
        continue
      }
      guard let text = entry.text else { continue }
      do {
        let info = try CanonicalJSON.parse(text)
        guard case .object = info else { throw MalformedRecord() }
        let keys = ["tokensIn", "tokensOut", "cacheWrites", "cacheReads"]
        guard keys.contains(where: { info[$0] != nil && info[$0] != .null }) else { continue }
        guard let ts = entry.ts else { throw MalformedRecord() }
        var input = try AgentFields.tokens(info["tokensIn"])
        let output = try AgentFields.tokens(info["tokensOut"])
        var writes = try AgentFields.tokens(info["cacheWrites"])
        let reads = try AgentFields.tokens(info["cacheReads"])
        if flavor == .cline {
          (input, writes) = ClineProviderCounts(provider: entry.provider).split(
            tokensIn: input, reads: reads, writes: writes)
        } else if input >= reads + writes, info["apiProtocol"]?.stringValue == "openai" || ts >= rooInclusiveSince {
          input -= reads + writes
        }
        let tokens = try AgentFields.checked(
          TokenCounts(input: input, output: output, cacheWrite5m: writes, cacheRead: reads))
        let cost = try AgentFields.cost(info["cost"])
        let at = try AgentFields.milliseconds(.number(String(ts)))
        let model =
          entry.model ?? models.last(where: { $0.ts <= ts })?.model ?? models.first?.model ?? task.model ?? "unknown"
        var request = AgentRequest(
          id: "\(flavor.prefix)\(task.id):\(ts)", agent: flavor.rawValue, at: at, model: model, tokens: tokens,
          cwd: task.cwd,
          branch: nil, session: task.id)
        request.cost = cost
        scan.keep(request)
      } catch {
        scan.malformed += 1
      }
    }
  }

  /// Keeps the call a `condense_context` entry says the task made to summarize its conversation: its cost
  /// as the extension wrote it (it keeps no token counts of it), id `<prefix><task>:<ts>:condense`.
  private static func keepCondense(
    _ condense: JSONValue, of entry: Entry, task: TaskFolder, flavor: Flavor, models: [(ts: Int64, model: String)],
    into scan: inout AgentScan
  ) {
    guard case .object = condense, condense["cost"] != nil else { return }
    do {
      guard let ts = entry.ts, let cost = try AgentFields.cost(condense["cost"]), cost != .zero else { return }
      let model =
        entry.model ?? models.last(where: { $0.ts <= ts })?.model ?? models.first?.model ?? task.model ?? "unknown"
      var request = AgentRequest(
        id: "\(flavor.prefix)\(task.id):\(ts):condense", agent: flavor.rawValue,
        at: try AgentFields.milliseconds(.number(String(ts))), model: model, tokens: TokenCounts(), cwd: task.cwd,
        branch: nil, session: task.id)
      request.cost = cost
      scan.keep(request)
    } catch {
      scan.malformed += 1
    }
  }

  /// What is read of one entry: its time, its model, and the text of a usage entry.
  private struct Entry {
    var ts: Int64?
    var model: String?
    /// `modelInfo.providerId`: how the counts were filled (see ``ClineProviderCounts``).
    var provider: String?
    var text: String?
    /// A `condense_context` entry's `contextCondense` (Roo Code, Kilo Code): the cost of the call that
    /// summarized the conversation, which no `api_req_started` entry holds.
    var condense: JSONValue?
  }

  /// One entry of `ui_messages.json`; the text (most of the file) is decoded only for usage entries.
  private static func entry(_ parser: inout CanonicalJSON.Parser) throws -> Entry {
    var entry = Entry()
    guard parser.bytes[parser.position] == UInt8(ascii: "{") else {
      try parser.skipValue(depth: 1)
      return entry
    }
    var type: String?
    var say: String?
    var textStart: Int?
    try JSONWalk.members(&parser, depth: 1) { parser, key in
      if JSONWalk.key(key, is: "ts") {
        let value = try parser.value(depth: 2)
        if let whole = value.intValue {
          entry.ts = Int64(whole)
        } else if let decimal = value.decimalValue {
          // A fractional or exponent time; one past any plausible date is left out (the entry is malformed).
          let number = NSDecimalNumber(decimal: decimal).doubleValue
          if number.isFinite, abs(number) < 1e15 { entry.ts = Int64(number) }
        }
      } else if JSONWalk.key(key, is: "type") {
        type = try parser.value(depth: 2).stringValue
      } else if JSONWalk.key(key, is: "say") {
        say = try parser.value(depth: 2).stringValue
      } else if JSONWalk.key(key, is: "text") {
        textStart = parser.position
        try parser.skipValue(depth: 2)
      } else if JSONWalk.key(key, is: "modelInfo") {
        let info = try parser.value(depth: 2)
        entry.model = AgentFields.text(info["modelId"])
        entry.provider = AgentFields.text(info["providerId"])
      } else if JSONWalk.key(key, is: "contextCondense") {
        entry.condense = try parser.value(depth: 2)
      } else {
        try parser.skipValue(depth: 2)
      }
    }
    if type != "say" || say != "condense_context" { entry.condense = nil }
    if type == "say", say == "api_req_started" || say == "subagent_usage", let textStart {
      var text = parser
      text.position = textStart
      entry.text = try text.value(depth: 2).stringValue
    }
    return entry
  }
}
