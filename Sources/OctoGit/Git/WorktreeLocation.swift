import Foundation

/// Where a work tree's git data lives, found by reading a few files and without libgit2, so a hook with
/// nothing to do can return before paying for libgit2's start-up.
public struct WorktreeLocation: Equatable, Sendable {
  /// This work tree's git directory (`.git`, or `.git/worktrees/<name>`).
  public let gitDirectory: String
  /// The directory all worktrees share.
  public let commonDirectory: String

  public init(gitDirectory: String, commonDirectory: String) {
    self.gitDirectory = gitDirectory
    self.commonDirectory = commonDirectory
  }

  /// The location of an open repository.
  public init(_ repository: Repository) {
    self.init(gitDirectory: repository.gitDirectory, commonDirectory: repository.commonDirectory)
  }

  /// Names this work tree among its repository's worktrees: `main`, or `worktrees/<name>`.
  public var key: String {
    let prefix = commonDirectory + "/worktrees/"
    return gitDirectory.hasPrefix(prefix) ? "worktrees/" + gitDirectory.dropFirst(prefix.count) : "main"
  }

  /// The file whose presence says this work tree may have pending usage.
  public var pendingMarker: String {
    commonDirectory + "/octo/pending/" + key.replacingOccurrences(of: "/", with: "_")
  }

  /// Whether a rebase, merge, cherry-pick, revert or `git am` is under way in this work tree, or a `git bisect`
  /// with HEAD detached on a commit it is testing (commits made there are thrown away by `bisect reset`; a
  /// bisect left unfinished while work goes on on a branch is no reason to hold the usage back).
  public var operationInProgress: Bool {
    if ["rebase-merge", "rebase-apply", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "sequencer/todo"].contains(
      where: { access(gitDirectory + "/" + $0, F_OK) == 0 })
    {
      return true
    }
    guard access(gitDirectory + "/BISECT_LOG", F_OK) == 0 else { return false }
    // HEAD names a branch as "ref: refs/heads/…"; detached, it holds a commit id.
    guard let head = FileManager.default.contents(atPath: gitDirectory + "/HEAD") else { return false }
    return !head.starts(with: Array("ref:".utf8))
  }

  /// When this linked worktree was added, in milliseconds (its `commondir` file, written by
  /// `git worktree add` and never after); `nil` for the main work tree or when unknown.
  public var createdMilliseconds: Int64? {
    gitDirectory == commonDirectory ? nil : Self.modifiedMilliseconds(gitDirectory + "/commondir")
  }

  /// The state folder of a rebase under way in this work tree (`rebase-merge`, or `rebase-apply` for
  /// `git am`'s backend); `nil` when none is.
  var rebaseFolder: String? {
    ["rebase-merge", "rebase-apply"].lazy.map { gitDirectory + "/" + $0 }.first { Paths.isFolder($0) }
  }

  /// The commit a rebase under way in this work tree started from (its state folder's `onto`, as git
  /// writes it); `nil` when none is.
  public var rebaseOnto: Oid? {
    guard let folder = rebaseFolder, let data = try? RegularFile.contents(folder + "/onto", limit: 128) else {
      return nil
    }
    return Oid(hex: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// When the rebase under way began, in milliseconds: its state folder's `orig-head`, written as it starts
  /// (by the apply backend at its first stop); `nil` when none is under way.
  var rebaseStartMilliseconds: Int64? {
    rebaseFolder.flatMap { Self.modifiedMilliseconds($0 + "/orig-head") }
  }

  /// When the file at `path` was last written, in milliseconds.
  private static func modifiedMilliseconds(_ path: String) -> Int64? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    return Int64(status.st_mtim.tv_sec) * 1000 + Int64(status.st_mtim.tv_nsec) / 1_000_000
  }

  /// The branch a rebase under way in this work tree is rebasing (its state folder's `head-name`), while HEAD
  /// is detached on the commits it replays; `nil` when none is under way or it rebases a detached HEAD.
  public var rebasedBranch: String? {
    guard let folder = rebaseFolder, let data = try? RegularFile.contents(folder + "/head-name", limit: 4096) else {
      return nil
    }
    let name = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return name.hasPrefix("refs/heads/") ? String(name.dropFirst("refs/heads/".count)) : nil
  }

  /// Finds the git directories for `directory` as git would: `GIT_DIR` (and `GIT_COMMON_DIR`) when set,
  /// else the nearest `.git` folder or `gitdir:` file above it. `nil` when there is none.
  public static func find(from directory: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> WorktreeLocation?
  {
    if let gitDir = environment["GIT_DIR"], !gitDir.isEmpty {
      let absolute = absolutePath(gitDir, base: directory)
      let common =
        environment["GIT_COMMON_DIR"].map { absolutePath($0, base: directory) } ?? commonDirectory(of: absolute)
      return WorktreeLocation(gitDirectory: absolute, commonDirectory: common)
    }
    var current = URL(fileURLWithPath: directory).standardizedFileURL.path
    while true {
      let candidate = (current == "/" ? "" : current) + "/.git"
      var info = stat()
      if stat(candidate, &info) == 0 {
        if info.st_mode & S_IFMT == S_IFDIR {
          return WorktreeLocation(gitDirectory: candidate, commonDirectory: commonDirectory(of: candidate))
        }
        if let text = try? String(contentsOfFile: candidate, encoding: .utf8), text.hasPrefix("gitdir:") {
          let target = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
          let gitDir = absolutePath(target, base: current)
          return WorktreeLocation(gitDirectory: gitDir, commonDirectory: commonDirectory(of: gitDir))
        }
        return nil
      }
      if current == "/" { return nil }
      current = (current as NSString).deletingLastPathComponent
    }
  }

  static func commonDirectory(of gitDirectory: String) -> String {
    guard let text = try? String(contentsOfFile: gitDirectory + "/commondir", encoding: .utf8) else {
      return gitDirectory
    }
    return absolutePath(text.trimmingCharacters(in: .whitespacesAndNewlines), base: gitDirectory)
  }

  static func absolutePath(_ path: String, base: String) -> String { Repository.absolutePath(path, base: base) }

  // MARK: - The pending marker

  /// Creates the pending marker (after pending events were stored).
  public func markPending() {
    let folder = (pendingMarker as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: pendingMarker, contents: nil)
  }

  /// Removes the pending marker.
  public func clearPendingMark() {
    unlink(pendingMarker)
  }

  /// Whether the pending marker exists.
  public var isMarkedPending: Bool {
    access(pendingMarker, F_OK) == 0
  }
}
