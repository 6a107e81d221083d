import Foundation

/// What install changed, kept in `<common-dir>/octo/install.json` so uninstall undoes exactly that.
struct InstallState: Codable {
  var hooksDirectory: String?
  var configChanges: [String] = []
  /// Kept hooks (`<hook>.octo-orig`) that linked to another hook octo-git replaced, pointed at that hook's kept
  /// file instead: the link's text before, by the kept file's path.
  var relinkedOriginals: [String: String]?

  static func path(_ repository: Repository) -> String { repository.commonDirectory + "/octo/install.json" }

  static func load(_ repository: Repository) throws -> InstallState {
    guard let data = FileManager.default.contents(atPath: path(repository)) else { return InstallState() }
    return (try? JSONDecoder().decode(InstallState.self, from: data)) ?? InstallState()
  }

  func save(_ repository: Repository) throws {
    try? FileManager.default.createDirectory(
      atPath: repository.commonDirectory + "/octo", withIntermediateDirectories: true)
    var merged = try InstallState.load(repository)
    merged.hooksDirectory = hooksDirectory ?? merged.hooksDirectory
    for change in configChanges where !merged.configChanges.contains(change) { merged.configChanges.append(change) }
    if let relinkedOriginals {
      merged.relinkedOriginals = (merged.relinkedOriginals ?? [:]).merging(relinkedOriginals) { kept, _ in kept }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    try encoder.encode(merged).write(to: URL(fileURLWithPath: InstallState.path(repository)), options: .atomic)
  }

  static func remove(_ repository: Repository) throws {
    unlink(path(repository))
  }
}
