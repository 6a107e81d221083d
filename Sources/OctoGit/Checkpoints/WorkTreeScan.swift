import CShims
import Foundation

/// Finds the files of a work tree that a snapshot does not hold yet (untracked files, ignored ones
/// too when asked, and repositories nested in the work tree), reading only the directories that changed
/// since the previous scan.
///
/// A directory that did not change (``FolderCache``) holds the same names, and its untracked files are
/// already in the snapshot (their contents are checked with the tracked files' stat data). The directories
/// read last time are kept in a cache file beside the snapshot state, with a fingerprint of the ignore
/// rules that live outside the work tree (`info/exclude`, `core.excludesFile`): when those change, or a
/// `.gitignore` does, every directory is read again.
///
/// Names are read as bytes and carried in ``RawPath`` form: a name that is not UTF-8 is found, looked up
/// and hashed as itself. A name git refuses in a path (`.git` in any case, NTFS's `git~1`, `.git.`…) is
/// left out with a warning, as are folders that cannot be read; the folders holding them are recorded so
/// that the next scan reads them again (see ``saveCache(_:recheck:savedState:)``).
struct WorkTreeScan {
  /// What the scan found.
  struct Findings {
    /// Files (and symlinks) the snapshot does not hold and the ignore rules do not exclude, in
    /// ``RawPath`` form.
    var untracked: [String] = []
    /// Directories holding a `.git` that the snapshot does not hold: recorded as gitlinks.
    var nestedRepositories: [String] = []
    /// Whether every directory was read (no usable cache, or the ignore rules changed): files captured
    /// earlier must then be checked against the ignore rules again.
    var readEverything = false
    /// What was left out, one line each (`left out .GIT/ (a name git refuses)`).
    var warnings: [String] = []
    /// The paths of what was left out (files and folders), as the snapshot's ``SnapshotBuilder/Snapshot/leftOut``.
    var leftOut: [String] = []
    /// Folders holding something left out: read again by the next scan whatever their stamps say.
    var recheck: Set<String> = []
    /// Each folder's stamp as read now (what the cache will say of it).
    fileprivate(set) var stamps: [String: Stamp] = [:]
    fileprivate(set) var cacheChanged = false
    fileprivate(set) var started: TimeInterval = 0
    fileprivate(set) var fingerprint = ""
  }

  typealias Stamp = FolderCache.Stamp

  /// Whether an untracked path is not captured: ignored (unless ignored files are captured), and not in
  /// git's index (a file added with `git add -f`, or a folder holding one, is captured whatever the rules).
  private func isLeftOut(_ path: String, folder: Bool) throws -> Bool {
    guard !includeIgnored, try handle.isIgnored(path) else { return false }
    return try !isIndexed(path, folder)
  }

  let handle: Repository
  /// Whether the snapshot holds a file (or gitlink) at a path (``RawPath`` form).
  let isTracked: (String) -> Bool
  /// Whether git tracks a path (a file; with `true`, a folder holding tracked files): git never ignores what
  /// it tracks, even when an ignore rule matches it (`git add -f`).
  let isIndexed: (_ path: String, _ folder: Bool) throws -> Bool
  let cachePath: String
  let includeIgnored: Bool
  /// The version of the snapshot state read (`nil`: rebuilt). The folder cache is used only with the state
  /// it was saved beside: two checkpoints at once could otherwise leave one's cache (folders called known)
  /// beside the other's state (without their new files), and those files would never be looked for.
  let stateVersion: FileVersion?
  private let names: GitNames

  init(
    handle: Repository, isTracked: @escaping (String) -> Bool,
    isIndexed: @escaping (_ path: String, _ folder: Bool) throws -> Bool, cachePath: String, includeIgnored: Bool,
    stateVersion: FileVersion?
  ) {
    self.handle = handle
    self.isTracked = isTracked
    self.isIndexed = isIndexed
    self.cachePath = cachePath
    self.includeIgnored = includeIgnored
    self.stateVersion = stateVersion
    self.names = GitNames(handle)
  }

  /// The folder cache's tag: the ignore rules' fingerprint and the version of the state it goes with.
  private static func tag(_ fingerprint: String, _ state: FileVersion?) -> String {
    guard let state else { return fingerprint + " state none" }
    return fingerprint + " state \(state.device):\(state.inode):\(state.size):\(state.seconds).\(state.nanoseconds)"
  }

  /// Scans the work tree of `handle`; `rulesMoved` (a `.gitignore` changed) forces a full scan. With
  /// `changed`, the paths a file-system monitor says may have changed, only the cached folders they touch
  /// are looked at (``foldersTouched(by:in:)``); the others keep what the cache says of them. `stamped`
  /// holds the stamps of folders taken just now (by the stat pass over the recorded files, which began at
  /// `since`): those folders are not looked up again, and the scan counts as begun at `since` (a folder
  /// changed after its stamp was taken, within the same second, is then never called current). A file added
  /// to such a folder after its stamp (while changed files were hashed) is found by the next scan.
  ///
  /// The folder cache is not saved here: the caller saves it with ``saveCache(_:recheck:savedState:)`` once what
  /// was found is recorded in the snapshot state. Saved earlier, a failure in between would leave a
  /// cache that calls these folders known while the state lacks their files, and the next scan would
  /// never look for them again.
  func run(
    rulesMoved: Bool, changed: [String]? = nil, stamped: (stamps: [String: Stamp], since: TimeInterval)? = nil
  ) throws -> Findings {
    let started = min(stamped?.since ?? .infinity, Date().timeIntervalSince1970)
    let fingerprint = rulesFingerprint()
    var findings = Findings()
    findings.started = started
    findings.fingerprint = fingerprint
    var stamps: [String: Stamp] = [:]
    var pending: [String] = []
    var known: Set<String> = []
    if !rulesMoved, let cache = FolderCache.load(cachePath, tag: Self.tag(fingerprint, stateVersion)) {
      known = Set(cache.folders.keys)
      let looked: [String]
      if let changed {
        let touched = Self.foldersTouched(by: changed, in: cache)
        for (path, folder) in cache.folders where !touched.contains(path) { stamps[path] = folder.stamp }
        looked = Array(touched)
      } else {
        looked = Array(cache.folders.keys)
      }
      var unstamped: [String] = []
      func check(_ path: String, _ stamp: Stamp) {
        if cache.isCurrent(path, stamp) {
          stamps[path] = stamp
        } else {
          pending.append(path)
        }
      }
      for path in looked {
        if let stamp = stamped?.stamps[path] { check(path, stamp) } else { unstamped.append(path) }
      }
      // In order, so that each stat thread walks one part of the tree (its folder checks are remembered).
      unstamped.sort()
      let now = PathStatus.of(rawPaths: unstamped, under: handle.workDirectory)
      for (path, found) in zip(unstamped, now) {
        guard found.error == 0, found.mode & UInt32(S_IFMT) == UInt32(S_IFDIR) else { continue }
        check(path, Stamp(seconds: found.mtime_seconds, nanoseconds: found.mtime_nanoseconds, inode: found.inode))
      }
      // Read in the same order every time: what is found, and said, comes in path order.
      pending.sort(by: >)
    } else {
      pending = [""]
      findings.readEverything = true
    }

    let root = Glibc.open(handle.workDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    defer { if root >= 0 { Glibc.close(root) } }
    var readAny = false
    while let directory = pending.popLast() {
      readAny = true
      guard let stamp = try read(directory, root: root, known: known, into: &findings, pending: &pending) else {
        continue
      }
      stamps[directory] = stamp
    }
    // A new .gitignore may ignore files captured earlier, or un-ignore some in directories not read:
    // everything is read again under the new rules.
    if !findings.readEverything, !includeIgnored,
      findings.untracked.contains(where: { $0 == ".gitignore" || $0.hasSuffix("/.gitignore") })
    {
      return try run(rulesMoved: true)
    }
    findings.stamps = stamps
    findings.cacheChanged = readAny || stamps.count != known.count
    return findings
  }

  /// Saves the folder cache for the next scan. Call it only once the snapshot state holding what the scan
  /// found is saved. The folders in `recheck` (those holding a file left out: unreadable, too big, refused
  /// by libgit2) and those the scan itself left something out of are recorded as known but not current,
  /// so the next scan reads them again and retries what they hold.
  /// `savedState` is the version of the state file now (saved by this checkpoint, or as it was read).
  func saveCache(_ findings: Findings, recheck: Set<String>, savedState: FileVersion?) {
    let again = findings.recheck.union(recheck)
    guard findings.cacheChanged || !again.isEmpty || savedState != stateVersion else { return }
    var cache = FolderCache(scannedAt: findings.started)
    cache.folders = findings.stamps.mapValues { FolderCache.Folder(stamp: $0) }
    for folder in again where cache.folders[folder] != nil {
      cache.folders[folder] = FolderCache.Folder(stamp: .unknown)
    }
    cache.save(cachePath, tag: Self.tag(findings.fingerprint, savedState))
  }

  /// Reads one directory: new files and nested repositories go to `findings`, new subdirectories to
  /// `pending`. Returns the directory's stamp taken before reading; ``FolderCache/Stamp/unknown`` when it
  /// cannot be read (so that the next scan tries again), `nil` when it is gone.
  private func read(
    _ directory: String, root: Int32, known: Set<String>, into findings: inout Findings, pending: inout [String]
  )
    throws -> Stamp?
  {
    // From the top folder's descriptor, never through a symlink: a folder replaced by a link since it was
    // listed (or cached) is not entered.
    let descriptor: Int32
    if root >= 0 {
      descriptor = RawPath.withCString(directory.isEmpty ? "." : directory) {
        Glibc.openat(root, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      }
    } else {
      let absolute = directory.isEmpty ? handle.workDirectory : handle.workDirectory + "/" + directory
      descriptor = RawPath.withCString(absolute) { Glibc.open($0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
    }
    guard descriptor >= 0 else {
      let problem = errno
      if problem == ENOENT || problem == ENOTDIR || problem == ELOOP { return nil }
      findings.warnings.append(
        "left out \(directory.isEmpty ? "." : RawPath.shown(directory))/"
          + " (cannot read the folder: \(String(cString: strerror(problem))))"
      )
      findings.leftOut.append(directory)
      return .unknown
    }
    guard let stream = Glibc.fdopendir(descriptor) else {
      Glibc.close(descriptor)
      return .unknown
    }
    // The stream owns the descriptor: closing it closes both.
    defer { Glibc.closedir(stream) }
    let folder = dirfd(stream)
    var status = stat()
    guard fstat(folder, &status) == 0 else { return .unknown }
    let stamp = Stamp(status)
    // A directory that became a repository of its own (git init inside the work tree) is one gitlink.
    var found = stat()
    if !directory.isEmpty, fstatat(folder, ".git", &found, 0) == 0 {
      findings.nestedRepositories.append(directory)
      return stamp
    }
    while let entry = Glibc.readdir(stream) {
      // The name exactly as the file system holds it; the type from lstat when readdir does not say.
      let (name, type) = withUnsafeBytes(of: entry.pointee.d_name) { raw -> (String, Int32) in
        let cName = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
        let length = strlen(cName)
        let name = RawPath.string(
          UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: length))
        var type = Int32(entry.pointee.d_type)
        if type == DT_UNKNOWN {
          var found = stat()
          guard fstatat(folder, cName, &found, AT_SYMLINK_NOFOLLOW) == 0 else { return (name, Int32(DT_UNKNOWN)) }
          switch found.st_mode & S_IFMT {
          case S_IFDIR: type = Int32(DT_DIR)
          case S_IFREG: type = Int32(DT_REG)
          case S_IFLNK: type = Int32(DT_LNK)
          default: type = Int32(DT_UNKNOWN)
          }
        }
        return (name, type)
      }
      if name == "." || name == ".." || (directory.isEmpty && name == ".git") { continue }
      let path = directory.isEmpty ? name : directory + "/" + name
      switch type {
      case Int32(DT_DIR):
        // Cached directories are checked on their own; a gitlink entry is checked through its HEAD.
        if known.contains(path) || isTracked(path) { continue }
        if names.refuses(name, isSymlink: false) {
          if try isLeftOut(path, folder: true) { continue }
          leaveOut(path + "/", in: directory, into: &findings)
          continue
        }
        if RawPath.withCString(name + "/.git", { fstatat(folder, $0, &found, 0) }) == 0 {
          findings.nestedRepositories.append(path)
          continue
        }
        if try isLeftOut(path, folder: true) { continue }
        pending.append(path)
      case Int32(DT_REG), Int32(DT_LNK):
        if isTracked(path) { continue }
        if name.hasPrefix(WorkTreeWriter.temporaryPrefix) { continue }
        if try isLeftOut(path, folder: false) { continue }
        if names.refuses(name, isSymlink: type == Int32(DT_LNK)) {
          leaveOut(path, in: directory, into: &findings)
          continue
        }
        findings.untracked.append(path)
      default:
        continue  // sockets, pipes and devices are not content git records (git add skips them too)
      }
    }
    return stamp
  }

  private func leaveOut(_ shownPath: String, in directory: String, into findings: inout Findings) {
    findings.warnings.append("left out \(RawPath.shown(shownPath)) (a name git refuses)")
    findings.leftOut.append(shownPath)
    findings.recheck.insert(directory)
  }

  // MARK: - Ignore rules outside the work tree

  /// Stat data of the ignore files outside the work tree, and whether ignored files are included.
  private func rulesFingerprint() -> String {
    var files = [handle.commonDirectory + "/info/exclude"]
    if let configured = try? handle.config().string("core.excludesFile") {
      files.append(configured.hasPrefix("~/") ? NSHomeDirectory() + String(configured.dropFirst(1)) : configured)
    } else {
      let base =
        ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
        ?? NSHomeDirectory() + "/.config"
      files.append(base + "/git/ignore")
    }
    let described = files.map { file -> String in
      var status = stat()
      guard lstat(file, &status) == 0 else { return file + ":-" }
      return "\(file):\(status.st_size):\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec):\(status.st_ino)"
    }
    return (includeIgnored ? "with-ignored " : "") + described.joined(separator: " ")
  }
}
