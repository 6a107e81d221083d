import Foundation

/// Which of the repository's work trees an agent worked in, from the folder it logged: the deepest work tree
/// that is the folder or holds it.
///
/// Compared with symbolic links and `..` resolved on both sides (in the part of the folder that still
/// exists): an editor opened on a linked folder (`~/code` → `/srv/code`) logs the link's path while git
/// names the real one, and a link inside the repository may lead into another (a request belongs to one
/// repository only). A folder that cannot be resolved (relative) is compared as written. Each folder is
/// looked up once.
struct WorktreeOfFolder {
  private let worktrees: [WorktreeInfo]
  private var resolvedWorktrees: [(path: String, worktree: WorktreeInfo)]?
  private var known: [String: WorktreeInfo?] = [:]

  init(_ worktrees: [WorktreeInfo]) {
    self.worktrees = worktrees
  }

  /// The work tree holding `folder`, `nil` when none does (another project).
  mutating func worktree(holding folder: String) -> WorktreeInfo? {
    if let found = known[folder] { return found }
    let found: WorktreeInfo?
    if let resolved = Self.resolved(folder) {
      if resolvedWorktrees == nil {
        resolvedWorktrees = worktrees.map { (Self.resolved($0.path) ?? $0.path, $0) }
      }
      let holder = Self.deepest(resolvedWorktrees ?? [], holding: resolved)
      // A submodule or a repository nested inside is another repository: the request is its.
      found = holder.flatMap { holder in
        let root = resolvedWorktrees?.first { $0.worktree == holder }?.path ?? holder.path
        return Self.nestedRepository(in: root, above: resolved) ? nil : holder
      }
    } else {
      found = Self.deepest(worktrees.map { ($0.path, $0) }, holding: folder)
    }
    known[folder] = .some(found)
    return found
  }

  /// `folder` with symbolic links resolved in the part of it that exists (a session's folder may be gone
  /// since: its parents still say where it was).
  private static func resolved(_ folder: String) -> String? {
    guard folder.hasPrefix("/") else { return nil }
    var existing = folder
    var rest: [Substring] = []
    while existing != "/" && rest.count < 256 {
      if let real = Repository.realPath(existing) {
        // The part that does not exist has no links left to follow: its `..` go up as written.
        var parts = real.split(separator: "/", omittingEmptySubsequences: true)
        for part in rest.reversed() where !part.isEmpty && part != "." {
          if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
      }
      let cut = existing.lastIndex(of: "/")!
      rest.append(existing[existing.index(after: cut)...])
      existing = cut == existing.startIndex ? "/" : String(existing[..<cut])
    }
    return nil
  }

  /// Whether a folder between `root` (left out) and `folder` (included) holds a `.git` of its own.
  private static func nestedRepository(in root: String, above folder: String) -> Bool {
    var current = folder
    var steps = 0
    while current.count > root.count, current.hasPrefix(root + "/"), steps < 256 {
      var status = stat()
      if lstat(current + "/.git", &status) == 0 { return true }
      current = (current as NSString).deletingLastPathComponent
      steps += 1
    }
    return false
  }

  private static func deepest(_ candidates: [(path: String, worktree: WorktreeInfo)], holding folder: String)
    -> WorktreeInfo?
  {
    candidates.filter { folder == $0.path || folder.hasPrefix($0.path + "/") }.max {
      $0.path.utf8.count < $1.path.utf8.count
    }?.worktree
  }
}
