import Foundation

/// The commits a person makes while a rebase stands (`git commit` or `--amend` at a stop or in an `exec`,
/// the commit `rebase --continue` makes of a resolved conflict), each with the moment it was made, in
/// milliseconds: the post-commit hook, which otherwise stands down during a rebase, notes them in
/// `<git dir>/octo/rebase-commits`, and post-rewrite charges the usage recorded meanwhile to them when the
/// rebase ends (``PostRewriteHook``). HEAD's reflog tells them from the commits the rebase replays, but
/// its times have whole seconds and are the committer's date (which `--committer-date-is-author-date`
/// sets in the past): the moments are taken here.
enum RebaseCommits {
  static func file(_ location: WorktreeLocation) -> String { location.gitDirectory + "/octo/rebase-commits" }

  /// When the rebase under way in `location` began (its state folder's `orig-head`, written at its start),
  /// in milliseconds; `nil` when none is under way.
  static func rebaseStart(_ location: WorktreeLocation) -> Int64? {
    var status = stat()
    for folder in ["rebase-merge", "rebase-apply"]
    where stat(location.gitDirectory + "/" + folder + "/orig-head", &status) == 0 {
      return Int64(status.st_mtim.tv_sec) * 1000 + Int64(status.st_mtim.tv_nsec) / 1_000_000
    }
    return nil
  }

  /// Notes HEAD's commit when a rebase is under way and HEAD's last reflog entry says a person made it. A
  /// few reads and one appended line: the hook still returns at once. Never fails.
  static func noteIfMadeByHand(_ location: WorktreeLocation, now: Date = Date()) {
    guard rebaseStart(location) != nil, let entry = lastHeadEntry(location) else { return }
    guard entry.message.hasPrefix("commit") || entry.message.contains(" (continue): ") else { return }
    let line = "\(entry.new.hex) \(Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))\n"
    let path = file(location)
    try? FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    _ = line.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
  }

  /// The commits noted since `since` (ms), oldest first (an aborted rebase's notes are older).
  static func noted(_ location: WorktreeLocation, since: Int64) -> [(commit: Oid, at: Int64)] {
    guard let data = try? RegularFile.contents(file(location), limit: 1 << 20) else { return [] }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      guard fields.count == 2, let commit = Oid(hex: String(fields[0])), let at = Int64(fields[1]), at >= since
      else { return nil }
      return (commit, at)
    }.sorted { $0.at < $1.at }
  }

  /// Forgets every note, once the usage they place is attached.
  static func forget(_ location: WorktreeLocation) { unlink(file(location)) }

  /// HEAD's newest reflog entry, read from the end of `logs/HEAD` ("old new name <email> time zone\tmessage").
  private static func lastHeadEntry(_ location: WorktreeLocation) -> (new: Oid, message: String)? {
    let descriptor = open(location.gitDirectory + "/logs/HEAD", O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size > 0 else { return nil }
    let length = Int(min(status.st_size, 8192))
    var bytes = [UInt8](repeating: 0, count: length)
    guard pread(descriptor, &bytes, length, off_t(status.st_size) - off_t(length)) == length else { return nil }
    var lines = bytes.split(separator: UInt8(ascii: "\n"))
    guard let last = lines.popLast(), let tab = last.firstIndex(of: UInt8(ascii: "\t")) else { return nil }
    let fields = last[..<tab].split(separator: UInt8(ascii: " "))
    guard fields.count >= 2, let new = Oid(hex: String(decoding: fields[1], as: UTF8.self)) else { return nil }
    return (new, String(decoding: last[last.index(after: tab)...], as: UTF8.self))
  }
}
