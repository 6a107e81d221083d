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
  /// - Throws: ``OctoError`` with ``ExitStatus/notARepository`` when there is none, when it is bare, or when
  ///   another user owns it and `safe.directory` does not allow it.
  public static func open(at path: String) throws -> Repository {
    LibGit2.ensureInitialised()
    var handle: OpaquePointer?
    let result = git_repository_open_ext(&handle, path, 0, nil)
    if result < 0 {
      let error = GitError.last(code: result, operation: "open a repository at \(path)")
      git_repository_free(handle)
      // libgit2 1.5 reports a refused owner as "safe.directory not found" when that key is not set at all.
      if error.isOwnershipRefused || error.message.contains("safe.directory"),
        let top = Self.workTreeOwnedByOtherUser(containing: path) ?? Self.ownershipPath(in: error.message)
      {
        throw OctoError.notARepository(
          "the repository at \(top) is owned by another user",
          hint: "if you trust it, run: git config --global --add safe.directory '\(top)'")
      }
      if error.isNotFound {
        throw OctoError.notARepository(
          "not a git repository (or any parent up to /): \(path)",
          hint: "run octo-git inside a work tree, or pass -C <path>")
      }
      throw OctoError.notARepository(error.description, hint: "check that \(path) holds a valid repository")
    }
    guard let handle else {
      throw OctoError.notARepository("cannot open a repository at \(path)")
    }
    let repository = Repository(owning: handle)
    if git_repository_is_bare(handle) == 1 {
      throw OctoError.notARepository(
        "\(repository.gitDirectory) is a bare repository; octo-git needs a work tree",
        hint: "run it in a clone or a linked worktree (git worktree add)")
    }
    return repository
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
    return trimmingSlash(URL(fileURLWithPath: value, relativeTo: URL(fileURLWithPath: base + "/")).standardizedFileURL.path)
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
  case merge, revert, cherryPick = "cherry-pick", bisect, rebase, applyMailbox = "am"

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
