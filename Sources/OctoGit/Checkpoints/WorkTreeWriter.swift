import Foundation

/// Writes and deletes files below the top folder of a work tree the way `git checkout` does, without ever
/// following a symlink: every path is walked from a descriptor of the top folder, one folder at a time
/// (`openat` with `O_NOFOLLOW`), so a symlink (or a file) where the path needs a folder is never gone
/// through. When a write needs a folder there, that entry is removed and a folder made in its place; a
/// delete finds nothing to delete through it.
///
/// Files and symlinks are made under a temporary name in their folder and renamed over the final name, so
/// a reader sees the old entry or the new one, never half of a file. Only paths that ``GitPathRules``
/// accepts are written or deleted.
final class WorkTreeWriter {
  /// A write or delete left undone because something in the way must be kept (an ignored file, a
  /// nested repository, a folder that still holds files); the restore reports it and goes on.
  struct Blocked: Error, Sendable, CustomStringConvertible {
    /// The path that was to be written or deleted.
    let path: String
    /// Why, naming what is in the way.
    let reason: String

    var description: String { "\(path): \(reason)" }
  }

  /// The top folder of the work tree.
  let root: String
  private let rootDescriptor: Int32
  /// Asked before anything that is not being restored is removed from the way (a file or symlink where a
  /// folder must go, the files of a folder where a file must go), with its path: why it must be kept, or
  /// `nil` when it may go.
  private let keep: (String) throws -> String?

  /// - Parameters:
  ///   - root: the top folder of the work tree (it may be reached through symlinks; nothing below it is).
  ///   - keep: why an entry in the way must be kept, or `nil` when it may be removed.
  init(root: String, keep: @escaping (String) throws -> String? = { _ in nil }) throws {
    let descriptor = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw OctoError("cannot open the work tree \(root): \(Self.explain(errno))", hint: "check its permissions")
    }
    self.root = root
    self.rootDescriptor = descriptor
    self.keep = keep
  }

  deinit {
    Glibc.close(rootDescriptor)
  }

  // MARK: - Writing

  /// Writes a regular file: mode 0777 (`executable`) or 0666, less the umask; a file it replaces keeps its
  /// permissions (a 0600 secret stays 0600), with the executable bits set or cleared as `executable` says.
  func writeFile(_ path: String, contents: Data, executable: Bool) throws {
    try withFreeEntry(path) { parent, name in
      try writeFile(contents, executable: executable, named: name, in: parent, path: path)
    }
  }

  private func writeFile(_ contents: Data, executable: Bool, named name: String, in parent: Int32, path: String) throws
  {
    let mode: mode_t = executable ? 0o777 : 0o666
    var existing = stat()
    var kept: mode_t?
    if RawPath.withCString(name, { Glibc.fstatat(parent, $0, &existing, AT_SYMLINK_NOFOLLOW) }) == 0,
      existing.st_mode & S_IFMT == S_IFREG
    {
      let bits = existing.st_mode & 0o777
      // Executable for whoever may read it, as git's checkout of an executable file; else for no one.
      kept = executable ? bits | (bits & 0o444) >> 2 : bits & ~0o111
    }
    var temporary = ""
    var descriptor: Int32 = -1
    for _ in 0..<16 {
      temporary = Self.temporaryName()
      descriptor = Glibc.openat(parent, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
      if descriptor >= 0 || errno != EEXIST { break }
    }
    guard descriptor >= 0 else {
      throw OctoError(
        "cannot write \(SafeText.terminal(path)): \(Self.explain(errno))", hint: "check the folder's permissions")
    }
    let failure: Int32? = contents.withUnsafeBytes { bytes -> Int32? in
      var offset = 0
      while offset < bytes.count {
        let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if count < 0 {
          if errno == EINTR { continue }
          return errno
        }
        offset += count
      }
      return nil
    }
    let permitted: Int32? = kept.map { Glibc.fchmod(descriptor, $0) == 0 ? nil : errno } ?? nil
    let closed: Int32? = Glibc.close(descriptor) == 0 ? nil : errno
    if let problem = failure ?? permitted ?? closed {
      Glibc.unlinkat(parent, temporary, 0)
      throw OctoError("cannot write \(SafeText.terminal(path)): \(Self.explain(problem))")
    }
    try publish(temporary, as: name, in: parent, path: path)
  }

  /// Makes a symlink pointing at `target` (its bytes as stored, up to a NUL).
  func writeSymlink(_ path: String, target: Data) throws {
    try withFreeEntry(path) { parent, name in try writeSymlink(target, named: name, in: parent, path: path) }
  }

  private func writeSymlink(_ target: Data, named name: String, in parent: Int32, path: String) throws {
    var destination = target.map { CChar(bitPattern: $0) }
    destination.append(0)
    for _ in 0..<16 {
      let temporary = Self.temporaryName()
      if Glibc.symlinkat(destination, parent, temporary) == 0 {
        try publish(temporary, as: name, in: parent, path: path)
        return
      }
      if errno != EEXIST { break }
    }
    throw OctoError("cannot create the symlink \(SafeText.terminal(path)): \(Self.explain(errno))")
  }

  /// Makes sure a folder is at `path` (a submodule's, or one a tree names), replacing a file or symlink
  /// in its place.
  func makeFolder(_ path: String) throws {
    let names = try components(of: path)
    let folders = try openFolders(names, path: path)
    defer { closeOwned(folders) }
    if let descriptor = try openFolder(
      names[names.count - 1], in: folders[folders.count - 1], at: path, for: path, create: true)
    {
      Glibc.close(descriptor)
    }
  }

  // MARK: - Deleting

  /// Deletes the file or symlink at `path`, then the folders above it that became empty (never the top
  /// folder). An empty folder at `path` (a submodule's) is deleted too; one that holds files is left
  /// (``Blocked``). A path below a symlink or a file is not in the work tree: nothing is deleted.
  ///
  /// - Returns: whether something was deleted.
  @discardableResult
  func delete(_ path: String) throws -> Bool {
    let names = try components(of: path)
    guard let folders = try openFolders(names, path: path, create: false) else { return false }
    defer { closeOwned(folders) }
    let parent = folders[folders.count - 1]
    let name = names[names.count - 1]
    var info = stat()
    guard RawPath.withCString(name, { Glibc.fstatat(parent, $0, &info, AT_SYMLINK_NOFOLLOW) }) == 0 else {
      if errno == ENOENT { return false }
      throw OctoError("cannot delete \(SafeText.terminal(path)): \(Self.explain(errno))")
    }
    if info.st_mode & S_IFMT == S_IFDIR {
      if RawPath.withCString(name, { Glibc.unlinkat(parent, $0, AT_REMOVEDIR) }) != 0 {
        let problem = errno
        if problem == ENOENT { return false }
        if problem == ENOTEMPTY || problem == EEXIST {
          throw Blocked(path: path, reason: "it is a folder that still holds files")
        }
        throw OctoError("cannot delete the folder \(SafeText.terminal(path)): \(Self.explain(problem))")
      }
    } else if RawPath.withCString(name, { Glibc.unlinkat(parent, $0, 0) }) != 0 {
      if errno == ENOENT { return false }
      throw OctoError(
        "cannot delete \(SafeText.terminal(path)): \(Self.explain(errno))", hint: "check its folder's permissions")
    }
    // folders[level] is the folder names[level - 1], inside folders[level - 1].
    var level = folders.count - 1
    while level > 0,
      RawPath.withCString(names[level - 1], { Glibc.unlinkat(folders[level - 1], $0, AT_REMOVEDIR) }) == 0
    {
      level -= 1
    }
    return true
  }

  // MARK: - Walking

  /// The components of a safe path.
  private func components(of path: String) throws -> [String] {
    guard GitPathRules.isSafe(path) else {
      throw OctoError.badInput("refusing to write or delete \(GitPathRules.shown(path)): git would not check it out")
    }
    return path.split(separator: "/").map(String.init)
  }

  /// Calls `body` with the open parent folder of `path` and its last name, once nothing (no folder) stands
  /// where the entry goes.
  private func withFreeEntry(_ path: String, _ body: (_ parent: Int32, _ name: String) throws -> Void) throws {
    let names = try components(of: path)
    let folders = try openFolders(names, path: path)
    defer { closeOwned(folders) }
    let parent = folders[folders.count - 1]
    let name = names[names.count - 1]
    try clearFolder(name, in: parent, path: path)
    try body(parent, name)
  }

  /// Descriptors of the folders from the top folder down to the one holding the last of `names`: element
  /// `i` is the folder `names[0..<i]`, element 0 the top folder (not owned: ``closeOwned(_:)`` skips it).
  /// Missing folders are made; a file or symlink where a folder must go is replaced by a folder.
  private func openFolders(_ names: [String], path: String) throws -> [Int32] {
    // Creating, a folder that cannot be opened throws: never `nil`.
    try openFolders(names, path: path, create: true)!
  }

  /// The same, making and replacing folders with `create`; without, nothing is made or replaced, and it is
  /// `nil` when a folder on the way is missing, or is a file or a symlink. Whatever was opened is closed
  /// again when it throws or gives `nil`.
  private func openFolders(_ names: [String], path: String, create: Bool) throws -> [Int32]? {
    var folders: [Int32] = [rootDescriptor]
    do {
      for position in 0..<(names.count - 1) {
        let relative = names[0...position].joined(separator: "/")
        guard
          let child = try openFolder(
            names[position], in: folders[folders.count - 1], at: relative, for: path, create: create)
        else {
          if create { throw OctoError("cannot open the folder \(SafeText.terminal(relative))") }
          closeOwned(folders)
          return nil
        }
        folders.append(child)
      }
    } catch {
      closeOwned(folders)
      throw error
    }
    return folders
  }

  /// Opens the folder `name` inside `parent` without following a symlink. With `create`, a missing folder
  /// is made, and a file or symlink in its place is removed first (unless `keep` says otherwise, then
  /// ``Blocked`` for `path`); without, `nil` when there is no folder there.
  private func openFolder(_ name: String, in parent: Int32, at relative: String, for path: String, create: Bool) throws
    -> Int32?
  {
    // A few rounds: another process may create or remove the same entry meanwhile.
    for _ in 0..<8 {
      let descriptor = RawPath.withCString(
        name, { Glibc.openat(parent, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) })
      if descriptor >= 0 { return descriptor }
      let problem = errno
      switch problem {
      case EINTR:
        continue
      case ENOENT:
        guard create else { return nil }
        if RawPath.withCString(name, { Glibc.mkdirat(parent, $0, 0o777) }) != 0 && errno != EEXIST {
          throw OctoError("cannot create the folder \(SafeText.terminal(relative)): \(Self.explain(errno))")
        }
      case ENOTDIR, ELOOP:
        // A file, or a symlink (to a folder or not), where a folder must go.
        guard create else { return nil }
        if let reason = try keep(relative) {
          throw Blocked(path: path, reason: "\(SafeText.terminal(relative)) is in the way and is kept (\(reason))")
        }
        if RawPath.withCString(name, { Glibc.unlinkat(parent, $0, 0) }) != 0 && errno != ENOENT {
          throw OctoError("cannot replace \(SafeText.terminal(relative)) by a folder: \(Self.explain(errno))")
        }
        if RawPath.withCString(name, { Glibc.mkdirat(parent, $0, 0o777) }) != 0 && errno != EEXIST {
          throw OctoError("cannot create the folder \(SafeText.terminal(relative)): \(Self.explain(errno))")
        }
      default:
        throw OctoError("cannot open the folder \(SafeText.terminal(relative)): \(Self.explain(problem))")
      }
    }
    throw OctoError("cannot open the folder \(SafeText.terminal(relative)): it keeps changing", hint: "retry")
  }

  /// Removes a folder standing where the file `path` must go: an empty one at once; one with files only when
  /// `keep` lets every file in it go and it holds no repository, all removed through descriptors (symlinks
  /// inside are removed, never followed).
  private func clearFolder(_ name: String, in parent: Int32, path: String) throws {
    var info = stat()
    guard RawPath.withCString(name, { Glibc.fstatat(parent, $0, &info, AT_SYMLINK_NOFOLLOW) }) == 0,
      info.st_mode & S_IFMT == S_IFDIR
    else { return }
    if RawPath.withCString(name, { Glibc.unlinkat(parent, $0, AT_REMOVEDIR) }) == 0 { return }
    guard errno == ENOTEMPTY || errno == EEXIST else {
      throw OctoError("cannot replace the folder \(SafeText.terminal(path)) by a file: \(Self.explain(errno))")
    }
    let cName = Array(name.utf8CString)
    // First every file is checked, so nothing is removed unless everything may be.
    try walk(cName, in: parent, relative: path, path: path, remove: false)
    try walk(cName, in: parent, relative: path, path: path, remove: true)
  }

  /// Visits (or, with `remove`, deletes) everything in the folder `name` of `parent`, depth first, then the
  /// folder itself. Names are kept as bytes, so any name on disk can be removed.
  private func walk(_ name: [CChar], in parent: Int32, relative: String, path: String, remove: Bool) throws {
    let descriptor = Glibc.openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard descriptor >= 0 else {
      if errno == ENOENT && remove { return }
      throw OctoError("cannot read the folder \(SafeText.terminal(relative)): \(Self.explain(errno))")
    }
    guard let stream = Glibc.fdopendir(descriptor) else {
      let problem = errno
      Glibc.close(descriptor)
      throw OctoError("cannot read the folder \(SafeText.terminal(relative)): \(Self.explain(problem))")
    }
    // The stream owns the descriptor: closing it closes both.
    defer { Glibc.closedir(stream) }
    var entries: [[CChar]] = []
    while let entry = Glibc.readdir(stream) {
      let bytes: [CChar] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        var name = raw.prefix { $0 != 0 }.map { CChar(bitPattern: $0) }
        name.append(0)
        return name
      }
      if bytes == [46, 0] || bytes == [46, 46, 0] { continue }  // "." and ".."
      entries.append(bytes)
    }
    for entry in entries {
      let shownName = String(decoding: entry.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let child = relative + "/" + shownName
      if GitPathRules.isGitFolderName(Substring(shownName)) {
        throw Blocked(
          path: path, reason: "the folder \(SafeText.terminal(relative)) is in the way and holds a repository")
      }
      var info = stat()
      guard Glibc.fstatat(descriptor, entry, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
        if errno == ENOENT { continue }
        throw OctoError("cannot read \(SafeText.terminal(child)): \(Self.explain(errno))")
      }
      if info.st_mode & S_IFMT == S_IFDIR {
        try walk(entry, in: descriptor, relative: child, path: path, remove: remove)
      } else if remove {
        if Glibc.unlinkat(descriptor, entry, 0) != 0 && errno != ENOENT {
          throw OctoError("cannot delete \(SafeText.terminal(child)): \(Self.explain(errno))")
        }
      } else if let reason = try keep(child) {
        throw Blocked(path: path, reason: "\(SafeText.terminal(child)) is in the way and is kept (\(reason))")
      }
    }
    if remove, Glibc.unlinkat(parent, name, AT_REMOVEDIR) != 0, errno != ENOENT {
      throw OctoError("cannot delete the folder \(SafeText.terminal(relative)): \(Self.explain(errno))")
    }
  }

  /// Renames the temporary entry over `name` (replacing a file or symlink there, never following it).
  private func publish(_ temporary: String, as name: String, in parent: Int32, path: String) throws {
    guard RawPath.withCString(name, { Glibc.renameat(parent, temporary, parent, $0) }) == 0 else {
      let problem = errno
      Glibc.unlinkat(parent, temporary, 0)
      throw OctoError("cannot write \(SafeText.terminal(path)): \(Self.explain(problem))")
    }
  }

  private func closeOwned(_ folders: [Int32]) {
    for descriptor in folders.dropFirst() { Glibc.close(descriptor) }
  }

  /// The start of the names of the files a restore writes before renaming them into place: a checkpoint
  /// never captures them (a restore killed part way leaves them behind).
  static let temporaryPrefix = ".octo-restore-"

  private static func temporaryName() -> String {
    temporaryPrefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
  }

  private static func explain(_ code: Int32) -> String {
    String(cString: strerror(code))
  }
}

@available(*, unavailable)
extension WorkTreeWriter: Sendable {}
