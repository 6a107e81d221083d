import CGit2
import Foundation

extension Repository {
  /// Whether `name` is a valid branch name (as `git check-ref-format --branch` decides).
  public static func isValidBranchName(_ name: String) -> Bool {
    LibGit2.ensureInitialised()
    var valid: Int32 = 0
    return git_branch_name_is_valid(&valid, name) == 0 && valid == 1
  }

  /// The branch `origin/HEAD` (or another remote's) points at, e.g. `main`; `nil` when it is not known.
  public func remoteDefaultBranch(remote: String = "origin") throws -> String? {
    guard let target = try symbolicTarget(of: "refs/remotes/\(remote)/HEAD") else { return nil }
    let prefix = "refs/remotes/\(remote)/"
    return target.hasPrefix(prefix) ? String(target.dropFirst(prefix.count)) : nil
  }

  /// Switches the work tree and index to `branch` (which must exist), as `git switch` does: files that
  /// differ between HEAD and the branch are rewritten, local changes elsewhere are carried over, and
  /// nothing local is ever overwritten.
  ///
  /// - Throws: ``OctoError`` naming the paths whose local changes the switch would overwrite (nothing is
  ///   changed then).
  public func switchToBranch(_ branch: String) throws {
    let reference = "refs/heads/" + branch
    guard let target = try self.reference(reference)?.target else {
      throw OctoError.badInput("no branch named \(branch)")
    }
    if try headCommit() != target {
      let tree = try commit(target).tree
      let object = ObjectHandle(
        try makeHandle("look up the tree of \(branch)") {
          var oid = tree.raw
          return git_object_lookup(&$0, pointer, &oid, GIT_OBJECT_TREE)
        })
      var options = octo_git_checkout_options()
      options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
      options.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT.rawValue
      let collector = PathCollector()
      options.notify_payload = Unmanaged.passUnretained(collector).toOpaque()
      options.notify_cb = { _, path, _, _, _, payload in
        if let path, let payload {
          Unmanaged<PathCollector>.fromOpaque(payload).takeUnretainedValue().paths.append(String(cString: path))
        }
        return 0
      }
      let result = withExtendedLifetime(collector) { git_checkout_tree(pointer, object.pointer, &options) }
      if result == GIT_ECONFLICT.rawValue || !collector.paths.isEmpty {
        let paths = collector.paths.sorted()
        throw OctoError(
          "switching to \(branch) would overwrite local changes to \(paths.prefix(5).joined(separator: ", "))"
            + (paths.count > 5 ? " and \(paths.count - 5) more" : ""),
          hint: "commit them, or take a checkpoint (octo-git checkpoint) and restore it after the switch")
      }
      try GitError.check(result, "check out \(branch)")
    }
    try setHead(symbolic: reference)
  }
}

/// Gathers paths from a libgit2 callback.
final class PathCollector {
  var paths: [String] = []
}
