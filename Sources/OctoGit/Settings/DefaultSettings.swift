import Foundation

/// One documented octo-git setting with its default value.
public struct SettingDefault: Equatable, Sendable, Codable {
  /// The git config key, e.g. `octo.checkpoint.keep`.
  public let key: String
  /// The default value; `nil` for settings that have none (documented, commented out).
  public let value: String?
  /// The comment lines above it in `config/settings.gitconfig`.
  public let help: String
}

/// The defaults documented in `config/settings.gitconfig` (compiled into the binary).
public enum DefaultSettings {
  /// Every documented setting, in file order.
  public static let all: [SettingDefault] = parse(DefaultFiles.content(of: "config/settings.gitconfig") ?? "")

  /// The default of `key` (matched case-insensitively on section and name, as git does).
  public static func value(of key: String) -> String? {
    all.first { $0.key.lowercased() == key.lowercased() }?.value
  }

  /// Reads the small subset of git config syntax the defaults file uses: `[section]` and
  /// `[section "sub"]` headers, `key = value` lines, and `#` comments (a commented-out `# key = value`
  /// documents a setting without a default).
  static func parse(_ text: String) -> [SettingDefault] {
    var section = ""
    var help: [String] = []
    var settings: [SettingDefault] = []
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = rawLine.trimmingCharacters(in: .whitespaces)
      if line.isEmpty {
        help = []
      } else if line.hasPrefix("[") {
        section = sectionName(line)
        help = []
      } else if line.hasPrefix("#") {
        let comment = line.dropFirst().trimmingCharacters(in: .whitespaces)
        if !section.isEmpty, let (name, _) = assignment(comment), !name.contains(" ") {
          settings.append(SettingDefault(key: section + "." + name, value: nil, help: help.joined(separator: " ")))
          help = []
        } else {
          help.append(comment)
        }
      } else if let (name, value) = assignment(line), !section.isEmpty {
        settings.append(SettingDefault(key: section + "." + name, value: value, help: help.joined(separator: " ")))
        help = []
      }
    }
    return settings
  }

  private static func sectionName(_ line: String) -> String {
    let inner = line.dropFirst().prefix { $0 != "]" }
    let parts = inner.split(separator: " ", maxSplits: 1)
    guard let name = parts.first else { return "" }
    if parts.count == 2 {
      return name + "." + parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
    return String(name)
  }

  private static func assignment(_ line: String) -> (String, String)? {
    guard let equals = line.firstIndex(of: "=") else { return nil }
    let name = line[..<equals].trimmingCharacters(in: .whitespaces)
    let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return nil }
    return (name, value)
  }
}
