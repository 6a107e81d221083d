import Foundation

/// Whether a checkpoint just taken prunes the older ones (`octo.checkpoint.keep`).
///
/// Pruning lists every checkpoint ref, and libgit2 reads each loose ref's file to list it: at the default
/// `keep` of 200 that is a tenth of a checkpoint of 20,000 files. So from a `keep` of 20 up, checkpoints
/// are pruned in batches: at most `keep / 20` checkpoints are taken beyond `keep` between two prunes (10 at
/// 200; a restore's undo checkpoints come on top), and the checkpoints between prune nothing. Below 20 every
/// checkpoint prunes.
///
/// The checkpoints taken since the last prune are counted in `<git-dir>/octo/checkpoint-prune` with the
/// `keep` they were counted for. Like the other caches there it is trusted only when it reads exactly: a
/// file that is missing, damaged or counted for another `keep` has the checkpoint prune at once. Two
/// checkpoints at once may count one; that only delays a prune by one checkpoint.
struct PruneSchedule {
  static let header = "octo-git prune 1"
  /// The file holding the count.
  let path: String

  /// How many checkpoints beyond `keep` may stand before a prune.
  static func allowance(keep: Int) -> Int { keep / 20 }

  /// Whether the checkpoint just taken prunes, for `keep`; counts it when it does not.
  ///
  /// Call ``pruned(keep:)`` after a prune that succeeded, so the count starts again.
  func isDue(keep: Int) -> Bool {
    let allowance = Self.allowance(keep: keep)
    guard allowance > 0, let taken = load(keep: keep), taken < allowance else { return true }
    // A count that cannot be written has the next checkpoint prune: never more than the allowance.
    return !save(keep: keep, taken: taken + 1)
  }

  /// Starts the count again after a prune for `keep`.
  func pruned(keep: Int) {
    guard Self.allowance(keep: keep) > 0 else { return forget() }
    _ = save(keep: keep, taken: 0)
  }

  /// Drops the count (no limit now): the next checkpoint under a limit prunes at once.
  func forget() { unlink(path) }

  /// The checkpoints counted since the last prune for `keep`; `nil` when the file does not say so exactly.
  private func load(keep: Int) -> Int? {
    guard let data = try? RegularFile.contents(path, limit: 256) else { return nil }
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.count == 3, lines[0] == Substring(Self.header), lines[2].isEmpty else { return nil }
    let numbers = lines[1].split(separator: " ", omittingEmptySubsequences: false).map { Int($0) }
    guard numbers.count == 2, numbers[0] == keep, let taken = numbers[1], taken >= 0 else { return nil }
    return taken
  }

  /// Writes the count, as 19 digits: a count that goes up keeps the file's length, so the file is written
  /// over in place (a checkpoint then creates no file for it) rather than replaced. A count read while it is
  /// written may come out damaged (a prune at once) or off, which moves a prune by one allowance at most.
  private func save(keep: Int, taken: Int) -> Bool {
    let digits = String(taken)
    let bytes = Array(
      "\(Self.header)\n\(keep) \(String(repeating: "0", count: max(0, 19 - digits.count)))\(digits)\n".utf8)
    let descriptor = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    if descriptor >= 0 {
      defer { close(descriptor) }
      var status = stat()
      // Only a file of its own (a second link to it would be written through too).
      if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_nlink == 1,
        status.st_size == bytes.count
      {
        return bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) } == bytes.count
      }
    }
    return (try? FileReplacement.write(bytes, to: path)) != nil
  }
}
