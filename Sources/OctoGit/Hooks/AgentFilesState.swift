import Foundation

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
    /// The outermost folder octo-git created for it (uninstall removes it, and those in it, while empty).
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
      throw OctoError("cannot write \(path): \(OctoError.reason(error))")
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
      throw OctoError("cannot keep a copy of the file in \(path): \(OctoError.reason(error))")
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
