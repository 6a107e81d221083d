import Foundation

/// The commits a person makes while a rebase stands (`git commit` or `--amend` at a stop or in an `exec`,
/// the commit `rebase --continue` makes of a resolved conflict), each with the moment it was made, in
/// milliseconds: the post-commit hook, which otherwise stands down during a rebase, notes them in
/// `<git dir>/octo/rebase-commits`, and post-rewrite charges the usage recorded meanwhile to them when the
/// rebase ends (``PostRewriteHook``). HEAD's reflog tells them from the commits the rebase replays, but
/// its times have whole seconds and are the committer's date (which `--committer-date-is-author-date`
/// sets in the past): the moments are taken here. A rebase that rewrites nothing (every pick a fast-forward)
/// gets no post-rewrite: the next commit's hook charges what it left.
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
    guard let start = rebaseStart(location), let entry = lastHeadEntry(location) else { return }
    guard entry.message.hasPrefix("commit") || entry.message.contains(" (continue): ") else { return }
    let line = "\(entry.new.hex) \(Int64((now.timeIntervalSince1970 * 1000).rounded(.down))) \(start)\n"
    let path = file(location)
    try? FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    _ = line.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
  }

  /// The commits noted, oldest first, each with its moment and its rebase's start (ms).
  static func noted(_ location: WorktreeLocation) -> [(commit: Oid, at: Int64, start: Int64)] {
    guard let data = try? RegularFile.contents(file(location), limit: 1 << 20) else { return [] }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ")
      guard fields.count == 3, let commit = Oid(hex: String(fields[0])), let at = Int64(fields[1]),
        let start = Int64(fields[2])
      else { return nil }
      return (commit, at, start)
    }.sorted { $0.at < $1.at }
  }

  /// Whether commits are noted while no rebase stands (a rebase that rewrote nothing, or was aborted).
  static func leftOver(_ location: WorktreeLocation) -> Bool {
    rebaseStart(location) == nil && access(file(location), F_OK) == 0
  }

  /// Attaches the usage recorded while the rebase stood to the commits a person made then: each event to the
  /// first made at or after it, a commit an amend, fixup or squash replaced later to what replaced it; then
  /// forgets the notes. Usage recorded before the rebase (work not committed yet, autostashed), after its
  /// last such commit, or before one no longer in the branch (reset away, an aborted rebase's) stays
  /// pending: the commits a rebase only replays, or someone else's it stops on, spent none of it. Only the
  /// latest rebase's notes count (an aborted one's before it are older).
  static func charge(in location: WorktreeLocation, repository: Repository, ledger: Ledger) throws {
    let all = noted(location)
    guard let start = all.map(\.start).max() else { return forget(location) }
    let made = all.filter { $0.start == start && $0.at >= start }
    // What replaced each commit, from HEAD's reflog (newest first: a commit replaced twice, after a reset,
    // by the later one).
    var replaced: [Oid: Oid] = [:]
    for entry in try repository.reflog(of: "HEAD", limit: 2_000) where replaced[entry.old] == nil {
      let message = entry.message
      if message.hasPrefix("commit (amend)") || message.contains(" (fixup): ") || message.contains(" (squash): ") {
        replaced[entry.old] = entry.new
      }
    }
    let head = try repository.headCommit()
    var windows: [(commit: Oid, since: Int64, before: Int64)] = []
    var since = start
    for (commit, at, _) in made {
      var final = commit
      for _ in 0..<made.count + 64 {
        guard let next = replaced[final] else { break }
        final = next
      }
      if let head, repository.isAncestor(final, of: head) { windows.append((final, since, at + 1)) }
      since = max(since, at + 1)
    }
    try ledger.attachPending(windows: windows)
    forget(location)
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
