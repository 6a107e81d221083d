import Foundation

extension SnapshotBuilder {
  /// `tree` with `updates` applied. When libgit2 refuses the batch, they are applied one at a time and
  /// those it refuses are returned (path and error) instead of failing everything.
  static func apply(_ updates: [TreeUpdate], to tree: Oid, in repository: Repository) -> (
    Oid, [(String, Error)]
  ) {
    if updates.isEmpty { return (tree, []) }
    do {
      return (try repository.updateTree(tree, with: updates, rawPaths: true), [])
    } catch {
      var current = tree
      var refused: [(String, Error)] = []
      for update in updates {
        do {
          current = try repository.updateTree(current, with: [update], rawPaths: true)
        } catch {
          refused.append((update.path, error))
        }
      }
      // (A repository failing as a whole, a full disk, fails the commit that follows.)
      return (current, refused)
    }
  }

  /// The folder holding `path` (`""`: the top of the work tree). The last `/` byte, as the file system
  /// splits it: a name beginning with a combining mark makes one Character of the `/` before it.
  static func parent(of path: String) -> String {
    guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
    return String(decoding: path.utf8[..<slash], as: UTF8.self)
  }
}
