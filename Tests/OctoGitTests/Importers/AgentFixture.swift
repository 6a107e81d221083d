import Foundation
import GRDB
import Testing

@testable import OctoGit

/// The fixtures of `Tests/Fixtures/agents/<agent>/`, laid out as each agent lays out its data, written for
/// these tests from the agents' formats. `@REPO@` stands for the test repository's path and `@HASH@` for its
/// SHA-256 (Gemini CLI's project hash), in file names and contents.
enum AgentFixture {
  static let root = packageRoot + "/Tests/Fixtures/agents"

  /// Copies the fixture `name` to `destination` for the repository at `repository`; returns `destination`.
  @discardableResult
  static func install(_ name: String, at destination: String, repository: String) throws -> String {
    let source = root + "/" + name
    let hash = SHA256.hex(repository)
    let walker = try #require(FileManager.default.enumerator(atPath: source))
    for case let relative as String in walker {
      var isFolder: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: source + "/" + relative, isDirectory: &isFolder)
      if isFolder.boolValue { continue }
      let target = destination + "/" + relative.replacingOccurrences(of: "@HASH@", with: hash)
      try FileManager.default.createDirectory(
        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      let text = try String(contentsOfFile: source + "/" + relative, encoding: .utf8)
        .replacingOccurrences(of: "@REPO@", with: repository).replacingOccurrences(of: "@HASH@", with: hash)
      try Data(text.utf8).write(to: URL(fileURLWithPath: target))
    }
    return destination
  }

  /// The pending events of the repository's main work tree, by id.
  static func pending(_ fixture: TestRepository) throws -> [String: JSONValue] {
    let list = try CanonicalJSON.parse(try fixture.octo("usage", "pending", "--json")).arrayValue ?? []
    var byID: [String: JSONValue] = [:]
    for event in list {
      if let id = event["id"]?.stringValue { byID[id] = event }
    }
    return byID
  }

  /// An event's `in`, `out`, `cr`, `cw5m`, `cw1h` (-1 where missing).
  static func tokens(_ event: JSONValue?) -> [Int] {
    ["in", "out", "cr", "cw5m", "cw1h"].map { event?[$0]?.intValue ?? -1 }
  }

  /// Runs `octo-git usage import <arguments> --json` and parses its counts.
  static func importing(_ fixture: TestRepository, _ arguments: String...) throws -> JSONValue {
    try CanonicalJSON.parse(try fixture.octo(["usage", "import"] + arguments + ["--json"]))
  }
}
