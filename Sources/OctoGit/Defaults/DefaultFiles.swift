/// The default files compiled into the binary from the package's `hooks/`, `templates/` and `config/`
/// folders (by the EmbedDefaults build plugin), so an installed binary needs no resource folder.
public enum DefaultFiles {
  /// The paths of every embedded file, relative to the package root (e.g. `config/settings.gitconfig`).
  public static var paths: [String] { EmbeddedDefaults.files.keys.sorted() }

  /// The content of an embedded file, or `nil` when no such file was embedded.
  public static func content(of path: String) -> String? {
    EmbeddedDefaults.files[path]
  }
}
