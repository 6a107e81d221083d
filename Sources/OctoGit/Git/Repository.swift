import CGit2
import Foundation

/// An open git repository with a work tree. Owns its `git_repository` handle.
///
/// Open it once per process and pass it around; like every libgit2 object it must not be used from two
/// threads at once, hence not `Sendable`.
public final class Repository {
  let pointer: OpaquePointer
  /// Whether ``config()`` has added this worktree's `config.worktree` to the repository's config.
  var worktreeConfigAttached = false

  init(owning pointer: OpaquePointer) {
    self.pointer = pointer
  }

  deinit {
    git_repository_free(pointer)
  }

  /// Opens the repository whose work tree contains `path` (any folder inside it, a linked worktree
  /// included), searching upwards as git does.
  ///
  /// Git's discovery variables are honoured: `GIT_CEILING_DIRECTORIES` (the search stops below them) and
  /// `GIT_DISCOVERY_ACROSS_FILESYSTEM` always; `GIT_DIR` and `GIT_WORK_TREE` when `path` is the directory
  /// octo-git runs in (the user's own command, or a hook git runs, which sets `GIT_DIR` in a linked
  /// worktree). Other paths name a repository of their own (a registered repository, another worktree),
  /// which a `GIT_DIR` in the environment must not turn into this one; ``discover(from:environment:)``
  /// honours them whatever the path.
  ///
  /// - Throws: ``OctoError`` with ``ExitStatus/notARepository`` when there is none, when it is bare, or when
  ///   another user owns it and `safe.directory` does not allow it.
  public static func open(at path: String) throws -> Repository {
    try discover(from: path, environment: discoveryEnvironment(for: path))
  }

  /// The environment ``open(at:)`` discovers with: this process's, without `GIT_DIR` and `GIT_WORK_TREE`
  /// unless `path` is the directory octo-git runs in.
  static func discoveryEnvironment(
    for path: String, _ environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> [String: String] {
    guard environment["GIT_DIR"] != nil || environment["GIT_WORK_TREE"] != nil, !isCurrentDirectory(path) else {
      return environment
    }
    var scoped = environment
    scoped["GIT_DIR"] = nil
    scoped["GIT_WORK_TREE"] = nil
    return scoped
  }

  /// Finds the repository for `directory` as git run there would, from git's environment variables:
  ///
  /// - `GIT_DIR`: the git directory, no search (relative to `directory`). Its work tree is `GIT_WORK_TREE`,
  ///   else `core.worktree`, else `directory` itself (git's rule), unless the repository is bare.
  /// - `GIT_WORK_TREE`: the work tree, also with a git directory found by searching.
  /// - `GIT_CEILING_DIRECTORIES`: absolute folders (`:`-separated) the search does not go up into;
  ///   `directory` itself is always looked at. Entries after an empty one are taken as written (not
  ///   through symlinks), as git does.
  /// - `GIT_DISCOVERY_ACROSS_FILESYSTEM`: whether the search may cross into another file system.
  ///
  /// With `allowBare` a bare repository (no work tree) is returned; otherwise it is refused.
  ///
  /// - Throws: ``OctoError`` with ``ExitStatus/notARepository``, as ``open(at:)``.
  public static func discover(
    from directory: String, environment: [String: String] = ProcessInfo.processInfo.environment,
    allowBare: Bool = false
  ) throws -> Repository {
    LibGit2.ensureInitialised()
    let base = absolutePath(directory, base: FileManager.default.currentDirectoryPath)
    let gitDirectory = environment["GIT_DIR"].flatMap { $0.isEmpty ? nil : absolutePath($0, base: base) }
    let workTree = environment["GIT_WORK_TREE"].flatMap { $0.isEmpty ? nil : absolutePath($0, base: base) }
    var flags: UInt32 = 0
    if let across = environment["GIT_DISCOVERY_ACROSS_FILESYSTEM"], gitBoolean(across) == true {
      flags |= GIT_REPOSITORY_OPEN_CROSS_FS.rawValue
    }
    var ceilings: String?
    if gitDirectory != nil {
      // Named, not searched for: git ignores the ceilings then.
      flags |= GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue | GIT_REPOSITORY_OPEN_NO_DOTGIT.rawValue
    } else {
      ceilings = environment["GIT_CEILING_DIRECTORIES"].flatMap(ceilingDirectories)
    }
    let start = gitDirectory ?? directory
    var handle: OpaquePointer?
    let result = git_repository_open_ext(&handle, start, flags, ceilings)
    if result < 0 {
      let error = GitError.last(code: result, operation: "open a repository at \(start)")
      git_repository_free(handle)
      // libgit2 1.5 reports a refused owner as "safe.directory not found" when that key is not set at all.
      if error.isOwnershipRefused || error.message.contains("safe.directory"),
        let top = Self.workTreeOwnedByOtherUser(containing: start) ?? Self.ownershipPath(in: error.message)
      {
        throw OctoError.notARepository(
          "the repository at \(top) is owned by another user",
          hint: "if you trust it, run: git config --global --add safe.directory '\(top)'")
      }
      if let gitDirectory {
        throw OctoError.notARepository(
          "GIT_DIR names no git repository: \(gitDirectory)", hint: "unset GIT_DIR, or point it at a .git folder")
      }
      if error.isNotFound {
        if let ceilings {
          throw OctoError.notARepository(
            "not a git repository (or any parent up to GIT_CEILING_DIRECTORIES \(ceilings)): \(directory)",
            hint: "run octo-git inside a work tree, or pass -C <path>")
        }
        throw OctoError.notARepository(
          "not a git repository (or any parent up to /): \(directory)",
          hint: "run octo-git inside a work tree, or pass -C <path>")
      }
      throw OctoError.notARepository(error.description, hint: "check that \(start) holds a valid repository")
    }
    guard let handle else {
      throw OctoError.notARepository("cannot open a repository at \(start)")
    }
    let repository = Repository(owning: handle)
    // The work tree git would use: GIT_WORK_TREE; with GIT_DIR and neither GIT_WORK_TREE nor core.worktree,
    // the directory git runs in (libgit2 would take the git directory's parent instead).
    var chosenWorkTree = workTree
    if chosenWorkTree == nil, gitDirectory != nil, git_repository_is_bare(handle) == 0,
      Self.configValue("core.worktree", in: handle) == nil
    {
      chosenWorkTree = base
    }
    if let chosenWorkTree {
      var info = stat()
      guard stat(chosenWorkTree, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
        throw OctoError.notARepository(
          "the work tree \(chosenWorkTree) is not a folder", hint: "check GIT_WORK_TREE, or unset it")
      }
      if chosenWorkTree != repository.workDirectory {
        try GitError.check(
          git_repository_set_workdir(handle, chosenWorkTree, 0), "use \(chosenWorkTree) as the work tree")
      }
    }
    if !allowBare, git_repository_is_bare(handle) == 1 {
      throw OctoError.notARepository(
        "\(repository.gitDirectory) is a bare repository; octo-git needs a work tree",
        hint: "run it in a clone or a linked worktree (git worktree add), or set GIT_WORK_TREE")
    }
    return repository
  }

  /// Whether `path` is the directory this process runs in (after symlinks).
  static func isCurrentDirectory(_ path: String) -> Bool {
    let current = FileManager.default.currentDirectoryPath
    guard let here = realPath(current), let there = realPath(absolutePath(path, base: current)) else { return false }
    return here == there
  }

  /// `GIT_CEILING_DIRECTORIES` as libgit2 takes it: absolute entries only, through symlinks (libgit2 resolves
  /// each entry itself), except that entries after an empty one are compared as written, as git does: one
  /// that is not already its real path can never match, and is left out. `nil` when none is left.
  static func ceilingDirectories(_ value: String) -> String? {
    var entries: [String] = []
    var resolve = true
    for entry in value.split(separator: ":", omittingEmptySubsequences: false).map(String.init) {
      if entry.isEmpty {
        resolve = false
        continue
      }
      guard entry.hasPrefix("/") else { continue }
      let trimmed = trimmingSlash(entry)
      if resolve {
        entries.append(realPath(trimmed) ?? trimmed)
      } else if realPath(trimmed) ?? trimmed == trimmed {
        entries.append(trimmed)
      }
    }
    return entries.isEmpty ? nil : entries.joined(separator: ":")
  }

  /// A boolean environment value as git reads one (`true`/`yes`/`on`/`1`, `false`/`no`/`off`/`0`/empty).
  static func gitBoolean(_ value: String) -> Bool? {
    switch value.trimmingCharacters(in: .whitespaces).lowercased() {
    case "true", "yes", "on": true
    case "false", "no", "off", "": false
    default: Int(value.trimmingCharacters(in: .whitespaces)).map { $0 != 0 }
    }
  }

  /// A configuration value of a freshly opened repository, before any ``Config`` is made for it.
  static func configValue(_ key: String, in handle: OpaquePointer) -> String? {
    var config: OpaquePointer?
    guard git_repository_config_snapshot(&config, handle) == 0, let config else { return nil }
    defer { git_config_free(config) }
    var value: UnsafePointer<CChar>?
    guard git_config_get_string(&value, config, key) == 0, let value else { return nil }
    return String(cString: value)
  }

  static func absolutePath(_ path: String, base: String) -> String {
    // An absolute path with nothing to standardize (the usual case: the current directory) is itself;
    // Foundation's URL costs a tenth of a millisecond of a checkpoint.
    if isStandardAbsolute(path) { return path }
    return URL(fileURLWithPath: path.hasPrefix("/") ? path : base + "/" + path).standardizedFileURL.path
  }

  /// Whether `path` is absolute with no empty, `.` or `..` component and no trailing `/` (`/` itself is).
  static func isStandardAbsolute(_ path: String) -> Bool {
    guard path.hasPrefix("/") else { return false }
    if path == "/" { return true }
    return !path.hasSuffix("/")
      && !path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).contains {
        $0.isEmpty || $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8)
      }
  }

  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// Creates a new repository (non-bare) in `path`. Used by tests and tools, never on a user's behalf.
  public static func initialise(at path: String, initialBranch: String = "main") throws -> Repository {
    LibGit2.ensureInitialised()
    var handle: OpaquePointer?
    try GitError.check(git_repository_init(&handle, path, 0), "initialise a repository at \(path)")
    let repository = Repository(owning: handle!)
    try repository.setHead(symbolic: "refs/heads/\(initialBranch)")
    return repository
  }

  // MARK: - Locations

  /// The top folder of the work tree, without a trailing slash.
  public var workDirectory: String {
    guard let path = git_repository_workdir(pointer) else { return "" }
    return Self.trimmingSlash(String(cString: path))
  }

  /// This work tree's git directory (`.git`, or `.git/worktrees/<name>` for a linked worktree).
  public var gitDirectory: String {
    Self.trimmingSlash(String(cString: git_repository_path(pointer)))
  }

  /// The directory shared by all worktrees: objects, refs, config, hooks.
  public var commonDirectory: String {
    Self.trimmingSlash(String(cString: git_repository_commondir(pointer)))
  }

  /// Whether this is a linked worktree (made by `git worktree add`).
  public var isLinkedWorktree: Bool {
    git_repository_is_worktree(pointer) == 1
  }

  /// The path of the repository's index file for this work tree.
  public var indexPath: String {
    itemPath(GIT_REPOSITORY_ITEM_INDEX) ?? gitDirectory + "/index"
  }

  /// The hooks directory git itself runs hooks from: `core.hooksPath` when set (relative paths are taken
  /// from the top of the work tree, `~/` from the home directory), else `hooks` in the common directory.
  public func hooksDirectory() throws -> String {
    if let configured = try config().string("core.hooksPath"), !configured.isEmpty {
      return Self.resolveConfiguredPath(configured, relativeTo: workDirectory)
    }
    return itemPath(GIT_REPOSITORY_ITEM_HOOKS) ?? commonDirectory + "/hooks"
  }

  func itemPath(_ item: git_repository_item_t) -> String? {
    var buffer = octo_git_buf()
    defer { git_buf_dispose(&buffer) }
    guard git_repository_item_path(&buffer, pointer, item) == 0, let text = buffer.ptr else { return nil }
    return Self.trimmingSlash(String(cString: text))
  }

  // MARK: - HEAD and state

  /// What HEAD points at.
  public func head() throws -> Head {
    if git_repository_head_unborn(pointer) == 1 {
      let target = try symbolicTarget(of: "HEAD") ?? "refs/heads/main"
      return .unborn(branch: Self.branchName(target))
    }
    var reference: OpaquePointer?
    try GitError.check(git_repository_head(&reference, pointer), "resolve HEAD")
    defer { git_reference_free(reference) }
    let oid = Oid(git_reference_target(reference)!)
    if git_repository_head_detached(pointer) == 1 {
      return .detached(oid)
    }
    return .branch(name: Self.branchName(String(cString: git_reference_name(reference))), commit: oid)
  }

  /// The commit HEAD points at; `nil` on an unborn branch.
  public func headCommit() throws -> Oid? {
    try head().commit
  }

  /// Points HEAD at a branch (which need not exist yet), as `git symbolic-ref HEAD` does.
  public func setHead(symbolic reference: String) throws {
    try GitError.check(git_repository_set_head(pointer, reference), "point HEAD at \(reference)")
  }

  /// The multi-step operation in progress in this work tree (rebase, merge, cherry-pick…), if any.
  public var operationInProgress: Operation? {
    Operation(state: git_repository_state(pointer))
  }

  // MARK: - Helpers

  static func trimmingSlash(_ path: String) -> String {
    path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
  }

  static func branchName(_ reference: String) -> String {
    reference.hasPrefix("refs/heads/") ? String(reference.dropFirst("refs/heads/".count)) : reference
  }

  static func resolveConfiguredPath(_ value: String, relativeTo base: String) -> String {
    if value.hasPrefix("~/") {
      let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
      return trimmingSlash(home + value.dropFirst(1))
    }
    if value.hasPrefix("/") { return trimmingSlash(value) }
    return trimmingSlash(
      URL(fileURLWithPath: value, relativeTo: URL(fileURLWithPath: base + "/")).standardizedFileURL.path)
  }

  /// The top of the work tree containing `path` when its `.git` belongs to another user, as git's
  /// `safe.directory` check sees it.
  static func workTreeOwnedByOtherUser(containing path: String) -> String? {
    var directory = URL(fileURLWithPath: path).standardizedFileURL
    while true {
      var info = stat()
      if lstat(directory.path + "/.git", &info) == 0 {
        return info.st_uid == geteuid() ? nil : directory.path
      }
      let parent = directory.deletingLastPathComponent()
      if parent.path == directory.path { return nil }
      directory = parent
    }
  }

  static func ownershipPath(in message: String) -> String? {
    guard let start = message.firstIndex(of: "'"), let end = message.lastIndex(of: "'"), start < end else {
      return nil
    }
    return String(message[message.index(after: start)..<end])
  }
}

@available(*, unavailable)
extension Repository: Sendable {}

/// What HEAD points at.
public enum Head: Equatable, Sendable {
  /// On a branch (short name, e.g. `main`) whose tip is `commit`.
  case branch(name: String, commit: Oid)
  /// Detached at a commit.
  case detached(Oid)
  /// On a branch with no commit yet (a new repository, or after `git switch --orphan`).
  case unborn(branch: String)

  /// The commit HEAD resolves to, if any.
  public var commit: Oid? {
    switch self {
    case .branch(_, let commit), .detached(let commit): commit
    case .unborn: nil
    }
  }

  /// The branch name, if HEAD is on one (born or not).
  public var branch: String? {
    switch self {
    case .branch(let name, _), .unborn(let name): name
    case .detached: nil
    }
  }
}

/// A multi-step git operation in progress; hooks stay out of the way while one runs.
public enum Operation: String, Sendable {
  case merge, revert
  case cherryPick = "cherry-pick"
  case bisect, rebase
  case applyMailbox = "am"

  init?(state: Int32) {
    switch git_repository_state_t(UInt32(state)) {
    case GIT_REPOSITORY_STATE_MERGE: self = .merge
    case GIT_REPOSITORY_STATE_REVERT, GIT_REPOSITORY_STATE_REVERT_SEQUENCE: self = .revert
    case GIT_REPOSITORY_STATE_CHERRYPICK, GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE: self = .cherryPick
    case GIT_REPOSITORY_STATE_BISECT: self = .bisect
    case GIT_REPOSITORY_STATE_REBASE, GIT_REPOSITORY_STATE_REBASE_INTERACTIVE, GIT_REPOSITORY_STATE_REBASE_MERGE:
      self = .rebase
    case GIT_REPOSITORY_STATE_APPLY_MAILBOX, GIT_REPOSITORY_STATE_APPLY_MAILBOX_OR_REBASE: self = .applyMailbox
    default: return nil
    }
  }
}
