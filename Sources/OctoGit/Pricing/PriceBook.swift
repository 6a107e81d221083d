import Foundation

/// Finds the price tables that apply to a repository and layers them: the built-in table, then the one
/// `octo-git pricing update` downloaded (`$XDG_CACHE_HOME/octo-git/pricing.json`), then the user's file
/// (`$XDG_CONFIG_HOME/octo-git/pricing.json`), then the file named by `octo.pricing`.
/// A later layer wins for the models it prices, so a user can add or correct a model today.
public enum PriceBook {
  /// The effective table for `repository` (or for no repository: built-in plus the user's file).
  public static func load(
    for repository: Repository?, environment: [String: String] = ProcessInfo.processInfo.environment
  )
    throws -> PriceTable
  {
    var table = PriceTable.builtIn
    if let downloaded = PriceUpdate.downloadedTable(environment: environment) {
      table = table.overlaid(with: downloaded)
    }
    let userFile = Paths.configHome(environment: environment) + "/octo-git/pricing.json"
    if FileManager.default.fileExists(atPath: userFile) {
      table = table.overlaid(with: try read(userFile, source: "user"))
    }
    if let repository, let configured = try repository.config().string("octo.pricing"), !configured.isEmpty {
      let path = Paths.expandingHome(configured, environment: environment, relativeTo: repository.workDirectory)
      guard FileManager.default.fileExists(atPath: path) else {
        throw OctoError.badInput(
          "octo.pricing names \(path), which does not exist", hint: "fix it with git config octo.pricing <file>")
      }
      table = table.overlaid(with: try read(path, source: "file"))
    }
    return table
  }

  static func read(_ path: String, source: String) throws -> PriceTable {
    guard let data = try? RegularFile.contents(path, limit: PriceTable.maxFileSize) else {
      throw OctoError.badInput(
        "cannot read the price table \(path)", hint: "it must be a readable regular file under 64 MiB")
    }
    do {
      return try PriceTable(json: String(decoding: data, as: UTF8.self), source: source)
    } catch let error as OctoError {
      throw OctoError.badInput("\(path): \(error.message)", hint: error.hint)
    }
  }
}
