import Foundation

/// Files replaced whole: the new content is written to a temporary file of this process beside the old one,
/// then renamed over it, so a reader sees the old file or the new one, never half of either. What the
/// checkpoint caches, the import states and octo-git's hooks are saved with.
enum FileReplacement {
  /// Why a file could not be replaced (nothing is left behind).
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// Replaces the file at `path` with `bytes`, created with `mode`. Returns the version written, taken
  /// before the rename (another process may replace the file right after: this is the one this process
  /// wrote).
  @discardableResult
  static func write(_ bytes: some ContiguousBytes, to path: String, mode: mode_t = 0o644) throws(Failure)
    -> FileVersion
  {
    // This process's own name: one a crash left behind is replaced.
    let temporary = path + ".\(getpid()).tmp"
    unlink(temporary)
    func failure() -> Failure { Failure(description: String(cString: strerror(errno))) }
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard descriptor >= 0 else { throw failure() }
    var problem: Failure?
    bytes.withUnsafeBytes { buffer in
      var written = 0
      while written < buffer.count {
        let count = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else {
          problem = failure()
          return
        }
        written += count
      }
    }
    var status = stat()
    if problem == nil, fstat(descriptor, &status) != 0 { problem = failure() }
    // umask may have narrowed the mode asked for: a hook must be executable whatever it is.
    if problem == nil, fchmod(descriptor, mode) != 0 { problem = failure() }
    if close(descriptor) != 0, problem == nil { problem = failure() }
    if problem == nil, rename(temporary, path) != 0 { problem = failure() }
    if let problem {
      unlink(temporary)
      throw problem
    }
    return FileVersion(status)
  }
}
