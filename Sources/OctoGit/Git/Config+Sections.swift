import Foundation

/// A configuration section, as in `[notes]` or `[notes "octo/usage"]`.
public struct ConfigSection: Hashable, Sendable, CustomStringConvertible {
  /// The section's name, lowercased (git compares it without case).
  public let name: String
  /// The subsection, as written (git compares it with case).
  public let subsection: String?

  public init(name: String, subsection: String?) {
    self.name = name.lowercased()
    self.subsection = subsection
  }

  /// The section holding `key` (`section.name` or `section.subsection.name`).
  public init?(key: String) {
    guard let firstDot = key.firstIndex(of: "."), let lastDot = key.lastIndex(of: "."), firstDot != key.startIndex
    else {
      return nil
    }
    let name = String(key[..<firstDot])
    self.init(name: name, subsection: firstDot == lastDot ? nil : String(key[key.index(after: firstDot)..<lastDot]))
  }

  /// How git writes the header's inside: `notes` or `notes "octo/usage"`.
  public var description: String {
    guard let subsection else { return name }
    let escaped = subsection.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    return "\(name) \"\(escaped)\""
  }

  /// A regular expression (POSIX extended) matching the names of this section's keys as libgit2 lists them.
  var keyPattern: String {
    let special = Set("\\^$.|?*+()[]{}")
    func escaped(_ text: String) -> String { text.map { special.contains($0) ? "\\\($0)" : String($0) }.joined() }
    guard let subsection else { return "^" + escaped(name) + "\\.[^.]+$" }
    return "^" + escaped(name) + "\\." + escaped(subsection) + "\\.[^.]+$"
  }
}

extension Repository {
  /// Removes from the repository's own config file (`<common-dir>/config`) the headers of the sections
  /// holding `keys` that hold no setting any more: libgit2, like older git, leaves a section's header behind
  /// when its last key is removed. A section is kept when it still has a key (libgit2 is asked) or anything
  /// but blank lines under its header (a comment is the user's). Returns the sections removed.
  @discardableResult
  public func removeEmptyConfigSections(containing keys: [String]) throws -> [ConfigSection] {
    var sections: [ConfigSection] = []
    for key in keys {
      if let section = ConfigSection(key: key), !sections.contains(section) { sections.append(section) }
    }
    if sections.isEmpty { return [] }
    let local = try config(at: .local)
    var empty: Set<ConfigSection> = []
    for section in sections {
      if try local.entries(matching: section.keyPattern).isEmpty { empty.insert(section) }
    }
    if empty.isEmpty { return [] }
    let path = commonDirectory + "/config"
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    let lines = Array(data).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)

    var drop = Set<Int>()
    var removed: [ConfigSection] = []
    var index = 0
    while index < lines.count {
      guard let section = Self.sectionHeader(lines[index]), empty.contains(section) else {
        index += 1
        continue
      }
      var next = index + 1
      var blank = true
      while next < lines.count, Self.sectionHeader(lines[next]) == nil, !Self.startsSection(lines[next]) {
        if !lines[next].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { blank = false }
        next += 1
      }
      if blank {
        drop.insert(index)
        if !removed.contains(section) { removed.append(section) }
      }
      index = next
    }
    if drop.isEmpty { return [] }
    let kept = lines.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
    try replaceConfigFile(path, with: Array(kept.joined(separator: [0x0A])))
    return removed
  }

  /// Whether a line opens a section (whatever follows its header).
  static func startsSection(_ line: [UInt8]) -> Bool {
    line.first { $0 != 0x20 && $0 != 0x09 } == UInt8(ascii: "[")
  }

  /// The section a line opens when it is a header alone (optionally followed by blanks): `[name]`,
  /// `[name "subsection"]` or the old `[name.subsection]`. Nil for anything else.
  static func sectionHeader(_ line: [UInt8]) -> ConfigSection? {
    var text = Substring(String(decoding: line, as: UTF8.self))
    while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
    while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
    guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
    text = text.dropFirst().dropLast()
    if let quote = text.firstIndex(of: "\"") {
      let name = text[..<quote].trimmingCharacters(in: .whitespaces)
      var subsection = ""
      var position = text.index(after: quote)
      var closed = false
      while position < text.endIndex {
        let character = text[position]
        if character == "\\" {
          position = text.index(after: position)
          guard position < text.endIndex else { return nil }
          subsection.append(text[position])
        } else if character == "\"" {
          closed = true
          position = text.index(after: position)
          break
        } else {
          subsection.append(character)
        }
        position = text.index(after: position)
      }
      guard closed, !name.isEmpty, text[position...].allSatisfy({ $0 == " " || $0 == "\t" }) else { return nil }
      return ConfigSection(name: name, subsection: subsection)
    }
    guard !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) else { return nil }
    if let dot = text.firstIndex(of: ".") {
      // `[section.subsection]`: the subsection is lowercased by git.
      return ConfigSection(name: String(text[..<dot]), subsection: String(text[text.index(after: dot)...]).lowercased())
    }
    return ConfigSection(name: String(text), subsection: nil)
  }
}

/// Writes a config file as git does: through `<file>.lock`, then renamed over it. Nothing is written when
/// someone else holds the lock.
private func replaceConfigFile(_ path: String, with bytes: [UInt8]) throws {
  let lock = path + ".lock"
  let descriptor = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0o644)
  guard descriptor >= 0 else { return }
  var original = stat()
  if stat(path, &original) == 0 { fchmod(descriptor, original.st_mode & 0o7777) }
  let written = bytes.withUnsafeBytes { buffer -> Bool in
    var offset = 0
    while offset < buffer.count {
      let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
      if count <= 0 { return false }
      offset += count
    }
    return true
  }
  close(descriptor)
  guard written, rename(lock, path) == 0 else {
    unlink(lock)
    throw OctoError("cannot rewrite \(path): \(String(cString: strerror(errno)))")
  }
}
