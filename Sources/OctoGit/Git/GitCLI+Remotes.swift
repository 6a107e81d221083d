/// Checks of remote names against a repository's configuration, before they reach a `git` command line.
///
/// Part of ``GitCLI`` (Support/GitCLI.swift), kept in Git/ because it reads the repository's config through
/// libgit2 (``Repository``), which Support/ does not use.
extension GitCLI {
  /// Checks a remote name the user gave before it goes on a git command line: it must be a remote
  /// configured in `repository` (`remote.<name>.url` set) and cannot be read as an option. git would take
  /// `--upload-pack=<command>` in a remote's place as an option and run the command; a URL or path is
  /// refused too (only configured remotes are fetched from and pushed to). Callers still put
  /// `--end-of-options` before it.
  public static func checkRemote(_ name: String, in repository: Repository) throws {
    let control = name.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    // Control characters are shown escaped: the message reaches a terminal.
    let shown = control ? String(name.unicodeScalars.map { $0.escaped(asASCII: false) }.joined()) : name
    let refused = OctoError.badInput("no remote named '\(shown)'", hint: "see git remote -v")
    guard !name.isEmpty, !name.hasPrefix("-"), !control else { throw refused }
    let config = try repository.config()
    let url: String?
    do {
      url = try config.string("remote.\(name).url")
    } catch {
      // A name libgit2 cannot even make a config key of is no configured remote either.
      throw refused
    }
    guard let url, !url.isEmpty else { throw refused }
  }
}
