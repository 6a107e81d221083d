import Foundation

/// What makes several clones of one project count once in the rollup: the normalised URL of their
/// `origin` remote, or the path of a repository that has none.
public enum ProjectIdentity {
  /// `host/path` in lower case, whatever the spelling: `git@github.com:Org/Repo.git`,
  /// `ssh://git@github.com:22/Org/Repo`, `https://user:token@GitHub.com/Org/Repo.git/?private_token=…` all
  /// give `github.com/org/repo`. Credentials, ports, queries and fragments are dropped; a local path stays a
  /// path. A relative local path is taken as it is written (the caller resolves it when it can).
  public static func normalise(url: String) -> String {
    var text = url.trimmingCharacters(in: .whitespacesAndNewlines)
    if text.hasPrefix("file://") { return localPath(String(text.dropFirst(7))) }
    // Without credentials, query and fragment: what is left names the host and the path.
    text = RedactedURL.of(text)
    var host = ""
    var path = text
    if let scheme = text.range(of: "://") {
      text = String(text[scheme.upperBound...])
      let slash = text.firstIndex(of: "/") ?? text.endIndex
      host = String(text[..<slash])
      path = String(text[slash...])
    } else if let colon = text.firstIndex(of: ":"), !text.hasPrefix("/"), !text.hasPrefix("."),
      !text[..<colon].contains("/")
    {
      // scp-like syntax: [user@]host:path
      host = String(text[..<colon])
      path = String(text[text.index(after: colon)...])
    } else {
      return localPath(path)
    }
    if let at = host.lastIndex(of: "@") { host = String(host[host.index(after: at)...]) }
    if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
      // An IPv6 address, whose colons are no port's.
      host = String(host[...close])
    } else if let port = host.lastIndex(of: ":") {
      host = String(host[..<port])
    }
    var trimmed = Substring(path)
    while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    if trimmed.hasSuffix(".git") { trimmed = trimmed.dropLast(4) }
    while trimmed.hasPrefix("/") || trimmed.hasPrefix("~") { trimmed = trimmed.dropFirst() }
    return (host + "/" + trimmed).lowercased()
  }

  /// A remote on this machine: its path without a trailing slash or `.git` folder name (case kept: local
  /// paths are case-sensitive).
  static func localPath(_ path: String) -> String {
    var trimmed = Substring(path)
    // `count` walks the whole string: counted once, not for every slash taken off.
    var length = trimmed.utf8.count
    while length > 1, trimmed.hasSuffix("/") {
      trimmed = trimmed.dropLast()
      length -= 1
    }
    if trimmed.hasSuffix("/.git") {
      trimmed = trimmed.dropLast(5)
    } else if trimmed.hasSuffix(".git") {
      trimmed = trimmed.dropLast(4)
    }
    return String(trimmed)
  }

  /// The project of `repository`: its `origin` URL normalised, else its path; and the URL with its
  /// credentials taken out (``RedactedURL/of(_:)``).
  static func of(_ repository: Repository, path: String) throws -> (project: String, origin: String?) {
    let config = try repository.config()
    if let origin = try config.string("remote.origin.url") {
      if !origin.hasPrefix("/"), !origin.contains(":") {
        // Relative to the work tree (a bare repository's own directory).
        let absolute = URL(fileURLWithPath: repository.commandDirectory + "/" + origin).standardizedFileURL.path
        return (normalise(url: absolute), origin)
      }
      return (normalise(url: origin), RedactedURL.of(origin))
    }
    return (path, nil)
  }
}
