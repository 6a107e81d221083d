import CGit2
import Foundation

// Bare repositories and mirrors (`git clone --bare`, `git clone --mirror`) for the commands that only read:
// `usage` reports, `usage show`, `repos add` and the rollup. Everything that needs a work tree (checkpoints,
// features, hooks, recording usage) keeps opening with ``Repository/open(at:)``, which refuses a bare
// repository with a clear message.

extension Repository {
  /// Opens the repository at or above `path` for reading: like ``open(at:)`` (same search, same errors),
  /// except that a bare repository or mirror is accepted too (`path` is its directory or a folder inside).
  ///
  /// - Throws: ``OctoError`` with ``ExitStatus/notARepository`` when there is none, or when another user
  ///   owns it and `safe.directory` does not allow it.
  public static func openForReading(at path: String) throws -> Repository {
    // The same search as git's (ceilings, GIT_DIR), with a bare repository allowed.
    try discover(from: path, environment: discoveryEnvironment(for: path), allowBare: true)
  }

  /// Whether this repository has no work tree (a bare clone or a mirror).
  public var isBare: Bool {
    git_repository_is_bare(pointer) == 1
  }

  /// The folder git commands about this repository run in: the top of the work tree, or the repository's
  /// own directory when it is bare.
  public var commandDirectory: String {
    let top = workDirectory
    return top.isEmpty ? commonDirectory : top
  }
}
