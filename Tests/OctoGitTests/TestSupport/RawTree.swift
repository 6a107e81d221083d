import Foundation

/// One entry of a tree written byte for byte (see ``TestRepository/rawTree(_:)``).
struct RawTreeEntry {
  let mode: String
  let name: String
  let id: String
}

extension TestRepository {
  /// Writes a tree object exactly as given (names `git mktree` would refuse, modes as some writers pad them),
  /// in git's order; returns its id.
  func rawTree(_ entries: [RawTreeEntry]) throws -> String {
    // Git sorts a tree's name as if it ended with a slash.
    func key(_ entry: RawTreeEntry) -> [UInt8] {
      Array(entry.name.utf8) + (entry.mode.hasSuffix("40000") ? [UInt8(ascii: "/")] : [])
    }
    var data = Data()
    for entry in entries.sorted(by: { key($0).lexicographicallyPrecedes(key($1)) }) {
      data.append(contentsOf: Array("\(entry.mode) \(entry.name)".utf8))
      data.append(0)
      var hex = Substring(entry.id)
      while !hex.isEmpty {
        data.append(UInt8(hex.prefix(2), radix: 16) ?? 0)
        hex = hex.dropFirst(2)
      }
    }
    let result = try Shell.run(
      Shell.git, ["hash-object", "-t", "tree", "--literally", "-w", "--stdin"], in: path, input: data, home: home)
    guard result.status == 0 else {
      throw Shell.Failure(command: ["git", "hash-object", "-t", "tree"], result: result)
    }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
