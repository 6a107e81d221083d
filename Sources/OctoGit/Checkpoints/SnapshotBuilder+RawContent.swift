import Foundation

/// Hashing a file from its bytes, when nothing can make git store it otherwise.
///
/// libgit2 hashes a work-tree file through the repository's filters; deciding which apply looks up the
/// file's attributes, and its first lookup reads the whole index to find `.gitattributes` files in it:
/// 40 ms on 100,000 files, for a checkpoint that otherwise takes 20. When no attributes exist anywhere
/// and no line-ending conversion is configured, no filter can apply, and the blob is the file's bytes.
///
/// A `.gitattributes` created since the last snapshot is found among the new files: the files already hashed
/// as bytes are then hashed again through the filters. An ignored `.gitattributes` (never in the state
/// unless ignored files are captured) is not looked for: git would apply it, this does not.
extension SnapshotBuilder {
  /// Files larger than this are left to libgit2, which streams them.
  static let largestRawFile = 64 << 20

  /// Whether git stores every file of this work tree as its bytes: `core.autocrlf` false or unset,
  /// `core.eol` unset, no attributes file (`.gitattributes` anywhere in `state` or at the top of the work
  /// tree, `info/attributes`, `core.attributesFile` or the user's `git/attributes`, `/etc/gitattributes`).
  static func storesBytesUnfiltered(_ repository: Repository, config: Config?, state: SnapshotState) -> Bool {
    // Set to anything but false (a key without a value is git's true), or unreadable: filters decide.
    func isSet(_ key: String) -> Bool {
      do {
        guard let value = try config?.string(key) else { return false }
        return FileSystemMonitor.maybeBool(value) != false
      } catch {
        return true
      }
    }
    if isSet("core.autocrlf") || isSet("core.eol") { return false }
    let environment = ProcessInfo.processInfo.environment
    let home = environment["HOME"] ?? NSHomeDirectory()
    let top = repository.workDirectory
    // The work tree's top-level file too: new since the last snapshot, it is not in the state yet.
    var files = [repository.commonDirectory + "/info/attributes", "/etc/gitattributes", top + "/.gitattributes"]
    let attributesFile: String?
    do {
      attributesFile = try config?.string("core.attributesFile")
    } catch {
      return false
    }
    if let configured = attributesFile {
      // `~user/…` and `%(prefix)/…` are not worth resolving here: filters decide.
      if configured.hasPrefix("~/") {
        files.append(home + configured.dropFirst(1))
      } else if configured.hasPrefix("/") {
        files.append(configured)
      } else if configured.hasPrefix("~") || configured.hasPrefix("%(") {
        return false
      } else {
        files.append(top + "/" + configured)
      }
    } else if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
      files.append(xdg + "/git/attributes")
    } else {
      files.append(home + "/.config/git/attributes")
    }
    // Anything there (even a folder or an unreadable file) may hold attributes: filters decide then.
    if files.contains(where: { access($0, F_OK) == 0 }) { return false }
    let name = Array(".gitattributes".utf8CString.dropLast())
    for position in 0..<state.count {
      let path = state.pathPointer(position)
      let length = strlen(path)
      guard length >= name.count else { continue }
      let tail = path + (length - name.count)
      if memcmp(tail, name, name.count) == 0 && (length == name.count || (tail - 1).pointee == CChar(UInt8(ascii: "/")))
      {
        return false
      }
    }
    return true
  }

  static func isAttributesFile(_ path: String) -> Bool {
    path == ".gitattributes" || path.hasSuffix("/.gitattributes")
  }
}
