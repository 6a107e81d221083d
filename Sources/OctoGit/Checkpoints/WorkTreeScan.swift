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
/// that the next scan reads them again (see ``saveCache(_:recheck:)``).
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
    /// Folders holding something left out: read again by the next scan whatever their stamps say.
    var recheck: Set<String> = []
    /// Each folder's stamp as read now (what the cache will say of it).
    fileprivate(set) var stamps: [String: Stamp] = [:]
    fileprivate(set) var cacheChanged = false
    fileprivate(set) var started: TimeInterval = 0
    fileprivate(set) var fingerprint = ""
  }

  typealias Stamp = FolderCache.Stamp

  let handle: Repository
  /// Whether the snapshot holds a file (or gitlink) at a path (``RawPath`` form).
  let isTracked: (String) -> Bool
  let cachePath: String
  let includeIgnored: Bool
  private let names: GitNames

  init(handle: Repository, isTracked: @escaping (String) -> Bool, cachePath: String, includeIgnored: Bool) {
    self.handle = handle
    self.isTracked = isTracked
    self.cachePath = cachePath
    self.includeIgnored = includeIgnored
    self.names = GitNames(handle)
  }

  /// Scans the work tree of `handle`; `rulesMoved` (a `.gitignore` changed) forces a full scan. With
  /// `changed`, the paths a file-system monitor says may have changed, only the cached folders they touch
  /// are looked at (``foldersTouched(by:in:)``); the others keep what the cache says of them.
  ///
  /// The folder cache is not saved here: the caller saves it with ``saveCache(_:recheck:)`` once what
  /// was found is recorded in the snapshot state. Saved earlier, a failure in between would leave a
  /// cache that calls these folders known while the state lacks their files, and the next scan would
  /// never look for them again.
  func run(rulesMoved: Bool, changed: [String]? = nil) throws -> Findings {
    let started = Date().timeIntervalSince1970
    let fingerprint = rulesFingerprint()
    var findings = Findings()
    findings.started = started
    findings.fingerprint = fingerprint
    var stamps: [String: Stamp] = [:]
    var pending: [String] = []
    var known: Set<String> = []
    if !rulesMoved, let cache = FolderCache.load(cachePath, tag: fingerprint) {
      known = Set(cache.folders.keys)
      // In order, so that each stat thread walks one part of the tree (its folder checks are remembered).
      let paths: [String]
      if let changed {
        let touched = Self.foldersTouched(by: changed, in: cache)
        for (path, folder) in cache.folders where !touched.contains(path) { stamps[path] = folder.stamp }
        paths = touched.sorted()
      } else {
        paths = cache.folders.keys.sorted()
      }
      let now = PathStatus.of(rawPaths: paths, under: handle.workDirectory)
      for (path, found) in zip(paths, now) {
        guard found.error == 0, found.mode & UInt32(S_IFMT) == UInt32(S_IFDIR) else { continue }
        let stamp = Stamp(seconds: found.mtime_seconds, nanoseconds: found.mtime_nanoseconds, inode: found.inode)
        if cache.isCurrent(path, stamp) {
          stamps[path] = stamp
        } else {
          pending.append(path)
        }
      }
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
  func saveCache(_ findings: Findings, recheck: Set<String>) {
    let again = findings.recheck.union(recheck)
    guard findings.cacheChanged || !again.isEmpty else { return }
    var cache = FolderCache(scannedAt: findings.started)
    cache.folders = findings.stamps.mapValues { FolderCache.Folder(stamp: $0) }
    for folder in again where cache.folders[folder] != nil {
      cache.folders[folder] = FolderCache.Folder(stamp: .unknown)
    }
    cache.save(cachePath, tag: findings.fingerprint)
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
        "left out \(directory.isEmpty ? "." : RawPath.shown(directory))/ (cannot read the folder: \(String(cString: strerror(problem))))"
      )
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
          if !includeIgnored, try handle.isIgnored(path) { continue }
          leaveOut(path + "/", in: directory, into: &findings)
          continue
        }
        if RawPath.withCString(name + "/.git", { fstatat(folder, $0, &found, 0) }) == 0 {
          findings.nestedRepositories.append(path)
          continue
        }
        if !includeIgnored, try handle.isIgnored(path) { continue }
        pending.append(path)
      case Int32(DT_REG), Int32(DT_LNK):
        if isTracked(path) { continue }
        if !includeIgnored, try handle.isIgnored(path) { continue }
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

/// The names git refuses as a component of a path it adds: `verify_path` in git's read-cache.c, which
/// `git add` applies to every path (and the reason "invalid path" stops a whole `git add -A`), with the
/// defaults of Linux (`core.protectNTFS` on, `core.protectHFS` off) unless configured otherwise. libgit2
/// refuses the same names when it writes a tree (`invalid name for a tree entry`).
///
/// Refused: `.` and `..`; `.git` in any case; with `core.protectNTFS`, `.git` followed by dots and spaces
/// or a `:stream` or a backslash, the short name `git~1`, and any of those after a backslash in the name;
/// with `core.protectHFS`, `.git` with code points HFS+ ignores. For a symlink, also `.gitmodules` (and
/// its NTFS and HFS+ spellings).
final class GitNames {
  private let handle: Repository
  private lazy var protectNTFS: Bool = (try? handle.config().bool("core.protectNTFS")) ?? true
  private lazy var protectHFS: Bool = (try? handle.config().bool("core.protectHFS")) ?? false

  init(_ handle: Repository) { self.handle = handle }

  private static let dot = UInt8(ascii: "."), space = UInt8(ascii: " "), colon = UInt8(ascii: ":")
  private static let backslash = UInt8(ascii: "\\"), tilde = UInt8(ascii: "~")

  /// Whether git refuses `name` (one component, in ``RawPath`` form).
  func refuses(_ name: String, isSymlink: Bool) -> Bool {
    guard let first = name.utf8.first else { return true }
    let hasBackslash = name.utf8.contains(Self.backslash)
    // Every refused name begins with ".", "g" or "G" (or, for HFS+, an ignorable code point), or holds a
    // backslash: the common name is decided by its first byte.
    guard first == Self.dot || first == UInt8(ascii: "g") || first == UInt8(ascii: "G") || first >= 0x80 || hasBackslash
    else { return false }
    let bytes = Array(name.utf8)
    if bytes == [Self.dot] || bytes == [Self.dot, Self.dot] { return true }
    if Self.isDotGit(bytes) { return true }
    if isSymlink && bytes.count == 11 && bytes[0] == Self.dot && Self.matches(bytes, at: 1, "gitmodules") {
      return true
    }
    if first == Self.dot || first == UInt8(ascii: "g") || first == UInt8(ascii: "G") || hasBackslash, protectNTFS {
      var starts = [0]
      for (index, byte) in bytes.enumerated() where byte == Self.backslash { starts.append(index + 1) }
      for start in starts {
        if Self.isNTFSDotGit(bytes, from: start) { return true }
        if isSymlink && Self.isNTFSDotGeneric(bytes, from: start, "gitmodules", shortPrefix: "gi7eba") { return true }
      }
    }
    if first == Self.dot || first >= 0x80, protectHFS {
      if Self.isHFSDot(name, "git") || (isSymlink && Self.isHFSDot(name, "gitmodules")) { return true }
    }
    return false
  }

  private static func lower(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
  }

  /// The byte at `index`, or 0 past the end (as C reads a string).
  private static func at(_ bytes: [UInt8], _ index: Int) -> UInt8 {
    index < bytes.count ? bytes[index] : 0
  }

  /// Whether `bytes` from `start` begin with the lowercase ASCII `word`, in any case.
  private static func matches(_ bytes: [UInt8], at start: Int, _ word: String) -> Bool {
    var index = start
    for expected in word.utf8 {
      guard lower(at(bytes, index)) == expected else { return false }
      index += 1
    }
    return true
  }

  /// `.git` in any case (git's `verify_dotfile`).
  static func isDotGit(_ bytes: [UInt8]) -> Bool {
    bytes.count == 4 && bytes[0] == dot && matches(bytes, at: 1, "git")
  }

  /// Dots and spaces up to the end or a colon (NTFS drops trailing dots and spaces; `:` starts a stream).
  private static func onlySpacesAndPeriods(_ bytes: [UInt8], from start: Int) -> Bool {
    var index = start
    while true {
      let byte = at(bytes, index)
      index += 1
      if byte == 0 || byte == colon { return true }
      if byte != space && byte != dot { return false }
    }
  }

  /// git's `is_ntfs_dotgit` on the name from `start`.
  static func isNTFSDotGit(_ bytes: [UInt8], from start: Int) -> Bool {
    var index = start
    let first = at(bytes, index)
    index += 1
    if first == dot {
      guard matches(bytes, at: index, "git") else { return false }
      index += 3
    } else if lower(first) == UInt8(ascii: "g") {
      guard matches(bytes, at: index, "it~1") else { return false }
      index += 4
    } else {
      return false
    }
    while true {
      let byte = at(bytes, index)
      index += 1
      if byte == 0 || byte == UInt8(ascii: "/") || byte == backslash || byte == colon { return true }
      if byte != dot && byte != space { return false }
    }
  }

  /// git's `is_ntfs_dot_generic`: `.name`, its short name `namepr~1`…`~4`, or the fall-back short name
  /// (`shortPrefix` then `~` and digits) on NTFS.
  static func isNTFSDotGeneric(_ bytes: [UInt8], from start: Int, _ dotName: String, shortPrefix: String) -> Bool {
    let name = Array(dotName.utf8)
    let prefix = Array(shortPrefix.utf8)
    if at(bytes, start) == dot && matches(bytes, at: start + 1, dotName) {
      return onlySpacesAndPeriods(bytes, from: start + 1 + name.count)
    }
    if matches(bytes, at: start, String(decoding: name.prefix(6), as: UTF8.self)), at(bytes, start + 6) == tilde,
      at(bytes, start + 7) >= UInt8(ascii: "1"), at(bytes, start + 7) <= UInt8(ascii: "4")
    {
      return onlySpacesAndPeriods(bytes, from: start + 8)
    }
    var index = 0
    var sawTilde = false
    while index < 8 {
      let byte = at(bytes, start + index)
      if byte == 0 { return false }
      if sawTilde {
        if byte < UInt8(ascii: "0") || byte > UInt8(ascii: "9") { return false }
      } else if byte == tilde {
        index += 1
        let digit = at(bytes, start + index)
        if digit < UInt8(ascii: "1") || digit > UInt8(ascii: "9") { return false }
        sawTilde = true
      } else if index >= 6 {
        return false
      } else if byte & 0x80 != 0 {
        return false
      } else if lower(byte) != prefix[index] {
        return false
      }
      index += 1
    }
    return onlySpacesAndPeriods(bytes, from: start + index)
  }

  /// git's `is_hfs_dot_generic`: `.` and `needle` once the code points HFS+ ignores are dropped, in any
  /// case, then the end. A byte that is not UTF-8 reads as the end, as in git.
  static func isHFSDot(_ name: String, _ needle: String) -> Bool {
    var scalars = name.unicodeScalars.makeIterator()
    func next() -> UInt32? {
      while let scalar = scalars.next() {
        if scalar.value >= RawPath.escapeBase { return nil }
        if GitPathRules.isIgnorableByHFS(scalar) { continue }
        return scalar.value
      }
      return nil
    }
    guard next() == UInt32(dot) else { return false }
    for expected in needle.utf8 {
      guard let value = next(), value <= 127, lower(UInt8(value)) == expected else { return false }
    }
    return next() == nil
  }
}

@available(*, unavailable)
extension GitNames: Sendable {}
