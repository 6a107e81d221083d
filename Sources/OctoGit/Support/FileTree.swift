import CShims
import Foundation

/// Files below a folder, found with `readdir` and sized with `fstatat` on each folder's descriptor:
/// thousands of transcripts are listed in milliseconds (Foundation's enumerator makes objects per entry
/// and asks for attributes one path at a time).
enum FileTree {
  struct File {
    let path: String
    let size: UInt64
  }

  /// Regular files (symlinks to them too) whose names end with `suffix`, at any depth below `root`, in
  /// path order. Folders reached through symlinks are not entered; unreadable ones are skipped.
  static func files(under root: String, suffix: String) -> [File] {
    files(under: [root], suffix: suffix, cachePath: nil)
  }

  /// The same below each of `roots`; with `cachePath`, a folder that did not change since the previous
  /// listing (``FolderCache``) is not read again: only its files are sized, all at once on every core.
  /// A second listing of thousands of transcript folders is then a `stat` per folder and per file.
  static func files(under roots: [String], suffix: String, cachePath: String?) -> [File] {
    let started = Date().timeIntervalSince1970
    let tag = "files " + suffix
    let previous = cachePath.flatMap { FolderCache.load($0, tag: tag) }
    var current = FolderCache(scannedAt: started)
    var stamps: [String: FolderCache.Stamp] = [:]
    if let previous {
      stamps.reserveCapacity(previous.folders.count)
      let folders = Array(previous.folders.keys)
      for (folder, found) in zip(folders, status(of: folders, roots: roots))
      where found.error == 0 && found.mode & UInt32(S_IFMT) == UInt32(S_IFDIR) {
        stamps[folder] = FolderCache.Stamp(
          seconds: found.mtime_seconds, nanoseconds: found.mtime_nanoseconds, inode: found.inode)
      }
    }
    current.folders.reserveCapacity(stamps.count)
    var candidates: [String] = []
    var pending = roots
    var readAny = false
    while let folder = pending.popLast() {
      let entries: FolderCache.Folder
      if let previous, let stamp = stamps[folder], previous.isCurrent(folder, stamp),
        let known = previous.folders[folder]
      {
        entries = known
      } else {
        readAny = true
        guard let read = read(folder, suffix: suffix) else { continue }
        entries = read
      }
      current.folders[folder] = entries
      // Each name is a kind ("d" folder, "f" file) and the name.
      for entry in entries.names {
        let path = folder + "/" + entry.dropFirst()
        if entry.hasPrefix("d") { pending.append(path) } else { candidates.append(path) }
      }
    }
    if let cachePath, readAny || current.folders.count != previous?.folders.count { current.save(cachePath, tag: tag) }
    // Following symlinks: a link to a transcript counts as the transcript.
    var found: [File] = []
    for (path, status) in zip(candidates, status(of: candidates, roots: roots))
    where status.error == 0 && status.mode & UInt32(S_IFMT) == UInt32(S_IFREG) {
      found.append(File(path: path, size: status.size))
    }
    return found.sorted { $0.path < $1.path }
  }

  /// `stat` of each path (symlinks followed), on every core, looked up from the root it lies in (opened
  /// once: the kernel does not walk the root's own folders again for each path).
  private static func status(of paths: [String], roots: [String]) -> [octo_path_stat] {
    var results = [octo_path_stat](repeating: octo_path_stat(), count: paths.count)
    // Counted and cut in UTF-8 (a String's count walks its characters).
    func isInside(_ path: String, _ root: String) -> Bool {
      path.utf8.count > root.utf8.count && path.hasPrefix(root)
        && path.utf8[path.utf8.index(path.utf8.startIndex, offsetBy: root.utf8.count)] == UInt8(ascii: "/")
    }
    var byRoot: [Int: [Int]] = [:]
    for (index, path) in paths.enumerated() {
      let root = roots.firstIndex { isInside(path, $0) } ?? -1
      byRoot[root, default: []].append(index)
    }
    for (root, indexes) in byRoot {
      let statuses: [octo_path_stat]
      if root >= 0 {
        let base = roots[root]
        let relative = indexes.map { String(decoding: paths[$0].utf8.dropFirst(base.utf8.count + 1), as: UTF8.self) }
        statuses = PathStatus.of(relative, under: base, following: true)
      } else {
        // A root itself, or a path in none: absolute for the stat ("" + "/" + an absolute path).
        let here = FileManager.default.currentDirectoryPath
        statuses = PathStatus.of(
          indexes.map { paths[$0].hasPrefix("/") ? paths[$0] : here + "/" + paths[$0] }, under: "", following: true)
      }
      for (index, status) in zip(indexes, statuses) { results[index] = status }
    }
    return results
  }

  /// One folder's stamp (taken before reading) and the entries that matter: subfolders and files named
  /// with `suffix`. `nil` when it cannot be read.
  private static func read(_ folder: String, suffix: String) -> FolderCache.Folder? {
    guard let stream = opendir(folder) else { return nil }
    defer { closedir(stream) }
    let descriptor = dirfd(stream)
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    var entries = FolderCache.Folder(stamp: FolderCache.Stamp(status))
    while let entry = readdir(stream) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
      }
      if name == "." || name == ".." { continue }
      var type = Int32(entry.pointee.d_type)
      // Without a type from readdir (some file systems), a folder is only known by its stat.
      if type == DT_UNKNOWN {
        var found = stat()
        guard fstatat(descriptor, name, &found, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
        type = found.st_mode & S_IFMT == S_IFDIR ? Int32(DT_DIR) : Int32(DT_REG)
      }
      if type == DT_DIR {
        entries.names.append("d" + name)
      } else if name.hasSuffix(suffix) {
        entries.names.append("f" + name)
      }
    }
    return entries
  }
}
