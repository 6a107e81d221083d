/// URLs as octo-git keeps and shows them: without what may be a secret. A remote's URL can carry a token
/// (`https://ghp_…@github.com/…`, `?private_token=…`), and git repeats it in its messages.
public enum RedactedURL {
  /// `url` without the user and password of an `http(s)` URL (a token often stands as the user name), the
  /// password of any other (`ssh://git@host` keeps `git`), a query and a fragment. scp-like remotes
  /// (`git@host:path`), `file://` URLs and local paths carry no password and stay as they are.
  public static func of(_ url: String) -> String {
    guard let scheme = url.range(of: "://"), !url.lowercased().hasPrefix("file://") else { return url }
    let rest = url[scheme.upperBound...]
    let slash = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
    var authority = String(rest[..<slash])
    if let at = authority.lastIndex(of: "@") {
      let user = authority[..<at]
      let host = authority[authority.index(after: at)...]
      authority = url.lowercased().hasPrefix("http") ? String(host) : String(user.prefix { $0 != ":" }) + "@" + host
    }
    let path = rest[slash...].prefix { $0 != "?" && $0 != "#" }
    return String(url[..<scheme.upperBound]) + authority + path
  }

  /// `text` (a message) with every URL in it redacted as ``of(_:)`` does: a URL runs from its scheme to the
  /// next white space or quote.
  public static func inText(_ text: String) -> String {
    guard text.contains("://") else { return text }
    let ends: Set<Character> = [" ", "\t", "\n", "'", "\"", "`", "<", ">"]
    var out = ""
    var rest = Substring(text)
    while let scheme = rest.range(of: "://") {
      // The scheme: the letters, digits and + . - right before "://".
      var start = scheme.lowerBound
      while start > rest.startIndex {
        let before = rest[rest.index(before: start)]
        guard before.isLetter || before.isNumber || "+.-".contains(before) else { break }
        start = rest.index(before: start)
      }
      let end = rest[scheme.upperBound...].firstIndex { ends.contains($0) } ?? rest.endIndex
      out += rest[..<start]
      out += start == scheme.lowerBound ? String(rest[start..<end]) : of(String(rest[start..<end]))
      rest = rest[end...]
    }
    return out + rest
  }
}
