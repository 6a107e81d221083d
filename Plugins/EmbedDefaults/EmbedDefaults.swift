import Foundation
import PackagePlugin

/// Compiles the default files kept in `hooks/`, `templates/` and `config/` into the target that uses this
/// plugin, so the installed binary carries them and those folders stay the one source of truth.
@main
struct EmbedDefaults: BuildToolPlugin {
  static let folders = ["hooks", "templates", "config"]

  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let root = context.package.directoryURL
    var inputs: [URL] = []
    for folder in Self.folders {
      let dir = root.appending(path: folder)
      guard let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])
      else { continue }
      for case let file as URL in walker {
        let values = try file.resourceValues(forKeys: [.isRegularFileKey])
        if values.isRegularFile == true, !file.lastPathComponent.hasPrefix(".") {
          inputs.append(file)
        }
      }
    }
    inputs.sort { $0.path < $1.path }
    let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedDefaults.swift")
    return [
      .buildCommand(
        displayName: "Embedding \(inputs.count) default files",
        executable: try context.tool(named: "EmbedDefaultsTool").url,
        arguments: [output.path, root.path] + inputs.map(\.path),
        inputFiles: inputs,
        outputFiles: [output]
      )
    ]
  }
}
