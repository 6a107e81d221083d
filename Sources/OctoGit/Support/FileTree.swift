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
    var found: [File] = []
    var pending = [root]
    while let folder = pending.popLast() {
      guard let stream = opendir(folder) else { continue }
      defer { closedir(stream) }
      let descriptor = dirfd(stream)
      while let entry = readdir(stream) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
          String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        if name == "." || name == ".." { continue }
        let type = Int32(entry.pointee.d_type)
        if type == DT_DIR {
          pending.append(folder + "/" + name)
          continue
        }
        // Without a type from readdir (some file systems), a folder is only known by its stat.
        guard name.hasSuffix(suffix) || type == DT_UNKNOWN else { continue }
        var status = stat()
        // Without AT_SYMLINK_NOFOLLOW: a link to a transcript counts as the transcript.
        guard fstatat(descriptor, name, &status, 0) == 0 else { continue }
        switch status.st_mode & S_IFMT {
        case S_IFREG where name.hasSuffix(suffix): found.append(File(path: folder + "/" + name, size: UInt64(status.st_size)))
        case S_IFDIR where type == DT_UNKNOWN: pending.append(folder + "/" + name)
        default: continue
        }
      }
    }
    return found.sorted { $0.path < $1.path }
  }
}
