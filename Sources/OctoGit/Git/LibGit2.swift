import CGit2
import CShims
import Foundation

/// The process-wide libgit2 runtime: initialised once, on first use, and never shut down (a CLI process
/// ends instead).
public enum LibGit2 {
  private static let initialisation: Void = {
    // Referencing the start-up module keeps its certificate-loading override linked in.
    _ = octo_git_certificates_skipped()
    _ = git_libgit2_init()
    // libgit2 1.5 refuses repositories that use `extensions.worktreeConfig` (git worktree's per-worktree
    // config); it can read them, so it is told the extension is known.
    var names: [UnsafePointer<CChar>?] = [UnsafePointer(strdup("worktreeconfig"))]
    _ = names.withUnsafeMutableBufferPointer { buffer in
      octo_git_set_extensions(buffer.baseAddress, buffer.count)
    }
  }()

  /// Initialises libgit2 if this process has not yet done so. Every entry point of the Git layer calls it.
  public static func ensureInitialised() {
    _ = initialisation
  }

  /// Whether every object read is hashed again to check it (libgit2's default; git itself does not on
  /// reads). Process-wide: a reader of many objects that only sums them (the rollup) turns it off.
  private static func verifyObjectHashes(_ enabled: Bool) {
    ensureInitialised()
    _ = octo_git_enable_strict_hash_verification(enabled ? 1 : 0)
  }

  /// Turns libgit2's object cache on or off (process-wide). Reading each of a hundred thousand notes once
  /// gains nothing from it and pays for every insertion and eviction.
  private static func cacheObjects(_ enabled: Bool) {
    ensureInitialised()
    _ = octo_git_enable_caching(enabled ? 1 : 0)
  }

  /// How many callers are inside ``withBulkReads(_:)`` right now.
  private static let bulkReaders = Locked(0)

  /// Runs `body` with object hashing and libgit2's object cache off (process-wide, back on when the last
  /// caller inside leaves): for reading each of many thousands of objects once, as git reads them (it does
  /// not re-hash on reads) and with nothing gained from caching them. Threads `body` starts must have
  /// finished with libgit2 when it returns.
  static func withBulkReads<T>(_ body: () throws -> T) rethrows -> T {
    bulkReaders.withLock { count in
      if count == 0 {
        verifyObjectHashes(false)
        cacheObjects(false)
      }
      count += 1
    }
    defer {
      bulkReaders.withLock { count in
        count -= 1
        if count == 0 {
          verifyObjectHashes(true)
          cacheObjects(true)
        }
      }
    }
    return try body()
  }

  /// The version of the libgit2 this process runs with, e.g. `1.5.1`.
  public static var version: String {
    ensureInitialised()
    var major: Int32 = 0
    var minor: Int32 = 0
    var revision: Int32 = 0
    git_libgit2_version(&major, &minor, &revision)
    return "\(major).\(minor).\(revision)"
  }

  /// Points libgit2's search for the global (`~/.gitconfig`) configuration at `directory`; `nil` restores
  /// the default. Process-wide: meant for tests and for honouring an explicit `HOME` override.
  public static func setGlobalConfigDirectory(_ directory: String?) throws {
    ensureInitialised()
    try GitError.check(octo_git_set_search_path(GIT_CONFIG_LEVEL_GLOBAL, directory), "set the global config path")
    try GitError.check(octo_git_set_search_path(GIT_CONFIG_LEVEL_XDG, directory), "set the XDG config path")
  }
}

extension Version {
  /// libgit2, e.g. `1.5.1`.
  public static var libgit2: String { LibGit2.version }
}
