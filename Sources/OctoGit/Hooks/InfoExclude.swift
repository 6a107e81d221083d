import Foundation

/// The lines octo-git adds to `<common-dir>/info/exclude` (git's own, never committed, ignore file) for the
/// files it creates inside a work tree, so that `git status` stays as it was. What was added, and the file's
/// bytes before, are kept in `<common-dir>/octo/exclude.json`: taking out the last line puts back those
/// bytes exactly.
enum InfoExclude {
  static let agentsOwner = "agents"
  static let hooksOwner = "hooks"

  struct State: Codable {
    struct Line: Codable, Equatable {
      var pattern: String
      var owner: String
    }

    /// The file's bytes before octo-git's first line; nil when there was no file.
    var original: Data?
    var lines: [Line] = []
  }

  static func filePath(_ repository: Repository) -> String { repository.commonDirectory + "/info/exclude" }
  static func statePath(_ repository: Repository) -> String { repository.commonDirectory + "/octo/exclude.json" }

  /// The pattern matching exactly `relativePath` from the work tree's top.
  static func pattern(_ relativePath: String) -> String {
    var out = "/"
    for character in relativePath {
      if "\\*?[".contains(character) { out.append("\\") }
      out.append(character)
    }
    if out.hasSuffix(" ") { out.insert("\\", at: out.index(before: out.endIndex)) }
    return out
  }

  static func load(_ repository: Repository) -> State? {
    guard let data = FileManager.default.contents(atPath: statePath(repository)) else { return nil }
    return try? JSONDecoder().decode(State.self, from: data)
  }

  static func save(_ state: State, _ repository: Repository) throws {
    let path = statePath(repository)
    if state.lines.isEmpty {
      unlink(path)
      return
    }
    do {
      try FileManager.default.createDirectory(
        atPath: repository.commonDirectory + "/octo", withIntermediateDirectories: true)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
      try encoder.encode(state).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw OctoError("cannot write \(path): \(OctoError.reason(error))")
    }
  }

  static func write(_ bytes: [UInt8], _ repository: Repository) throws {
    let path = filePath(repository)
    do {
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw OctoError("cannot write \(path): \(OctoError.reason(error))", hint: "check the folder's permissions")
    }
  }

  /// Lists `relativePath` in `info/exclude`. Returns whether a line was added (not when git ignores the
  /// path already).
  @discardableResult
  static func add(_ relativePath: String, owner: String, in repository: Repository) throws -> Bool {
    if (try? repository.isIgnored(relativePath)) == true { return false }
    let line = pattern(relativePath)
    let current = FileManager.default.contents(atPath: filePath(repository))
    var bytes = current.map { Array($0) } ?? []
    if bytes.split(separator: 0x0A, omittingEmptySubsequences: false).contains(where: { Array($0) == Array(line.utf8) })
    {
      return false
    }
    var state = load(repository) ?? State(original: current, lines: [])
    if let last = bytes.last, last != 0x0A { bytes.append(0x0A) }
    bytes += Array((line + "\n").utf8)
    try write(bytes, repository)
    state.lines.append(.init(pattern: line, owner: owner))
    try save(state, repository)
    return true
  }

  /// Takes out the lines `owner` added (only the one for `relativePath` when given). With `keepLine` the
  /// line stays in the file and is simply no longer octo-git's.
  static func remove(_ relativePath: String? = nil, owner: String, keepLine: Bool = false, in repository: Repository)
    throws
  {
    guard var state = load(repository) else { return }
    let wanted = relativePath.map(pattern)
    let mine = state.lines.filter { $0.owner == owner && (wanted == nil || $0.pattern == wanted) }
    if mine.isEmpty { return }
    state.lines.removeAll { mine.contains($0) }
    let path = filePath(repository)
    if !keepLine, let current = FileManager.default.contents(atPath: path) {
      var lines = Array(current).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
      for line in mine {
        if let index = lines.lastIndex(of: Array(line.pattern.utf8)) { lines.remove(at: index) }
      }
      var result = Array(lines.joined(separator: [0x0A]))
      if state.lines.isEmpty {
        if let original = state.original {
          if result == Array(original) || result == Array(original) + [0x0A] { result = Array(original) }
        } else if result.allSatisfy({ $0 == 0x0A || $0 == 0x20 }) {
          unlink(path)
          try save(state, repository)
          return
        }
      }
      if result != Array(current) { try write(result, repository) }
    }
    try save(state, repository)
  }
}
