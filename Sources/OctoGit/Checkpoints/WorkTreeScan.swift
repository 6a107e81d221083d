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
struct WorkTreeScan {
  /// What the scan found.
  struct Findings {
    /// Files (and symlinks) the snapshot does not hold and the ignore rules do not exclude.
    var untracked: [String] = []
    /// Directories holding a `.git` that the snapshot does not hold: recorded as gitlinks.
    var nestedRepositories: [String] = []
    /// Whether every directory was read (no usable cache, or the ignore rules changed): files captured
    /// earlier must then be checked against the ignore rules again.
    var readEverything = false
  }

  typealias Stamp = FolderCache.Stamp

  let handle: Repository
  /// Whether the snapshot holds a file (or gitlink) at a path.
  let isTracked: (String) -> Bool
  let cachePath: String
  let includeIgnored: Bool

  /// Scans the work tree of `handle`; `rulesMoved` (a `.gitignore` changed) forces a
  /// full scan. Saves the directory cache for the next scan.
  func run(rulesMoved: Bool) throws -> Findings {
    let started = Date().timeIntervalSince1970
    let fingerprint = rulesFingerprint()
    var findings = Findings()
    var stamps: [String: Stamp] = [:]
    var pending: [String] = []
    var known: Set<String> = []
    if !rulesMoved, let cache = FolderCache.load(cachePath, tag: fingerprint) {
      known = Set(cache.folders.keys)
      let paths = Array(cache.folders.keys)
      let now = PathStatus.of(paths, under: handle.workDirectory)
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

    var readAny = false
    while let directory = pending.popLast() {
      readAny = true
      guard let stamp = try read(directory, known: known, into: &findings, pending: &pending) else { continue }
      stamps[directory] = stamp
    }
    // A new .gitignore may ignore files captured earlier, or un-ignore some in directories not read:
    // everything is read again under the new rules.
    if !findings.readEverything, !includeIgnored,
      findings.untracked.contains(where: { $0 == ".gitignore" || $0.hasSuffix("/.gitignore") })
    {
      return try run(rulesMoved: true)
    }
    if readAny || stamps.count != known.count {
      var cache = FolderCache(scannedAt: started)
      cache.folders = stamps.mapValues { FolderCache.Folder(stamp: $0) }
      cache.save(cachePath, tag: fingerprint)
    }
    return findings
  }

  /// Reads one directory: new files and nested repositories go to `findings`, new subdirectories to
  /// `pending`. Returns the directory's stamp taken before reading, or `nil` when it cannot be read.
  private func read(_ directory: String, known: Set<String>, into findings: inout Findings, pending: inout [String]) throws
    -> Stamp?
  {
    let absolute = directory.isEmpty ? handle.workDirectory : handle.workDirectory + "/" + directory
    guard let stream = opendir(absolute) else { return nil }
    defer { closedir(stream) }
    var status = stat()
    guard fstat(dirfd(stream), &status) == 0 else { return nil }
    let stamp = Stamp(status)
    // A directory that became a repository of its own (git init inside the work tree) is one gitlink.
    if !directory.isEmpty, FileManager.default.fileExists(atPath: absolute + "/.git") {
      findings.nestedRepositories.append(directory)
      return stamp
    }
    while let entry = readdir(stream) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
      }
      if name == "." || name == ".." || (directory.isEmpty && name == ".git") { continue }
      let path = directory.isEmpty ? name : directory + "/" + name
      var type = Int32(entry.pointee.d_type)
      if type == DT_UNKNOWN {
        var found = stat()
        guard lstat(absolute + "/" + name, &found) == 0 else { continue }
        switch found.st_mode & S_IFMT {
        case S_IFDIR: type = Int32(DT_DIR)
        case S_IFREG: type = Int32(DT_REG)
        case S_IFLNK: type = Int32(DT_LNK)
        default: continue
        }
      }
      switch type {
      case Int32(DT_DIR):
        // Cached directories are checked on their own; a gitlink entry is checked through its HEAD.
        if known.contains(path) || isTracked(path) { continue }
        if FileManager.default.fileExists(atPath: absolute + "/" + name + "/.git") {
          findings.nestedRepositories.append(path)
          continue
        }
        if !includeIgnored, try handle.isIgnored(path) { continue }
        pending.append(path)
      case Int32(DT_REG), Int32(DT_LNK):
        if isTracked(path) { continue }
        if !includeIgnored, try handle.isIgnored(path) { continue }
        findings.untracked.append(path)
      default:
        continue  // sockets, pipes and devices are not content git records
      }
    }
    return stamp
  }

  // MARK: - Ignore rules outside the work tree

  /// Stat data of the ignore files outside the work tree, and whether ignored files are included.
  private func rulesFingerprint() -> String {
    var files = [handle.commonDirectory + "/info/exclude"]
    if let configured = try? handle.config().string("core.excludesFile") {
      files.append(configured.hasPrefix("~/") ? NSHomeDirectory() + String(configured.dropFirst(1)) : configured)
    } else {
      let base = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
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
