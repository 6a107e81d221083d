import Foundation

/// The commits a person makes while a rebase stands (`git commit` or `--amend` at a stop or in an `exec`,
/// the commit `rebase --continue` makes of a resolved conflict), each with the moment it was made, in
/// milliseconds: the post-commit hook, which otherwise stands down during a rebase, notes them in
/// `<git dir>/octo/rebase-commits` ("commit moment rebase-start branch"), and post-rewrite charges the usage
/// recorded meanwhile to them when the rebase ends (``PostRewriteHook``). HEAD's reflog tells them from the
/// commits the rebase replays, but its times have whole seconds and are the committer's date (which
/// `--committer-date-is-author-date` sets in the past): the moments are taken here. A rebase that rewrites
/// nothing (every pick a fast-forward) gets no post-rewrite: the next commit's hook, or the next rebase's
/// end, charges what it left.
enum RebaseCommits {
  static func file(_ location: WorktreeLocation) -> String { location.gitDirectory + "/octo/rebase-commits" }

  /// A noted commit.
  struct Noted {
    let commit: Oid
    /// When it was made, and when its rebase began (ms).
    let at: Int64
    let start: Int64
    /// The branch the rebase rebased (`nil`: a detached HEAD).
    let branch: String?
  }

  /// Notes HEAD's commit when a rebase is under way and HEAD's last reflog entry says a person made it. A
  /// few reads and one appended line: the hook still returns at once. Never fails.
  static func noteIfMadeByHand(_ location: WorktreeLocation, now: Date = Date()) {
    guard let start = location.rebaseStartMilliseconds, let entry = lastHeadEntry(location) else { return }
    guard entry.message.hasPrefix("commit") || entry.message.contains(" (continue): ") else { return }
    let moment = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
    // Branch names hold no spaces or newlines (git refuses them).
    let line = "\(entry.new.hex) \(moment) \(start) \(location.rebasedBranch ?? "")\n"
    let path = file(location)
    try? FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    _ = line.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
  }

  /// The commits noted, oldest first.
  static func noted(_ location: WorktreeLocation) -> [Noted] {
    guard let data = try? RegularFile.contents(file(location), limit: 1 << 20) else { return [] }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
      let fields = line.split(separator: " ", omittingEmptySubsequences: false)
      guard fields.count == 4, let commit = Oid(hex: String(fields[0])), let at = Int64(fields[1]),
        let start = Int64(fields[2])
      else { return nil }
      return Noted(commit: commit, at: at, start: start, branch: fields[3].isEmpty ? nil : String(fields[3]))
    }.sorted { $0.at < $1.at }
  }

  /// Whether commits are noted (a rebase ending now, or one that rewrote nothing or was aborted).
  static func anyNoted(_ location: WorktreeLocation) -> Bool { access(file(location), F_OK) == 0 }

  /// Whether commits are noted while no rebase stands (a rebase that rewrote nothing, or was aborted).
  static func leftOver(_ location: WorktreeLocation) -> Bool {
    location.rebaseStartMilliseconds == nil && anyNoted(location)
  }

  /// Attaches the usage recorded while each noted rebase stood to the commits a person made then: each event
  /// to the first made at or after it, a commit an amend, fixup or squash replaced later (or a rebase since:
  /// `rewritten`, post-rewrite's pairs) to what replaced it; then forgets the notes. Usage recorded before a
  /// rebase (work not committed yet, autostashed), after its last such commit, or before one in neither the
  /// rebased branch nor HEAD's history (reset away, an aborted rebase's) stays pending: the commits a rebase
  /// only replays, or someone else's it stops on, spent none of it.
  static func charge(
    in location: WorktreeLocation, repository: Repository, ledger: Ledger, rewritten: [(Oid, Oid)] = []
  ) throws {
    let all = noted(location)
    guard !all.isEmpty else { return forget(location) }
    // What replaced each commit: HEAD's reflog, then the rebase ending now.
    var replaced = try CommitReplacements(repository, limit: 2_000, foldsToo: true)
    for (old, new) in rewritten { replaced.add(old, replacedBy: new) }
    var windows: [(commit: Oid, since: Int64, before: Int64)] = []
    var tips: [String: Oid?] = [:]
    for (start, made) in Dictionary(grouping: all, by: \.start).sorted(by: { $0.key < $1.key }) {
      var since = start
      for noted in made {
        let final = replaced.final(of: noted.commit, steps: all.count + 64)
        let key = noted.branch ?? ""
        if tips[key] == nil {
          tips[key] = .some(
            try noted.branch.flatMap { try repository.reference("refs/heads/" + $0)?.target }
              ?? repository.headCommit())
        }
        // In the rebased branch as it is now, or in HEAD's history (a rebase left with --quit).
        if let tip = tips[key] ?? nil, repository.isAncestor(final, of: tip) {
          windows.append((final, since, noted.at + 1))
        } else if let head = try repository.headCommit(), repository.isAncestor(final, of: head) {
          windows.append((final, since, noted.at + 1))
        }
        since = max(since, noted.at + 1)
      }
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
