import CGit2
import Foundation

/// The kind of object a tree entry names, with its git file mode.
public enum EntryMode: UInt32, Sendable {
  case tree = 0o040000
  case blob = 0o100644
  case executable = 0o100755
  case symlink = 0o120000
  /// A submodule's commit (gitlink).
  case gitlink = 0o160000

  var filemode: git_filemode_t { git_filemode_t(rawValue) }

  /// Whether a mode as a tree spells it (before libgit2 normalizes it: `120755` is a link to git, a blob to
  /// libgit2's filemode) is a file's content, executable or not: what git reads as a note.
  static func isRegularFile(rawMode: UInt32) -> Bool { rawMode & 0o170000 == 0o100000 }
}

/// One entry of a tree.
public struct TreeEntry: Equatable, Sendable {
  public let name: String
  public let id: Oid
  public let mode: EntryMode
  /// The mode as the tree spells it (`mode` is libgit2's normalized one); 0 for an entry not read from a tree.
  public var rawMode: UInt32 = 0
}

/// One change to apply to a tree by path (see ``Repository/updateTree(_:with:)``).
public enum TreeUpdate: Sendable {
  /// Adds or replaces the entry at `path` (slash-separated, from the root).
  case upsert(path: String, id: Oid, mode: EntryMode)
  /// Removes the entry at `path`.
  case remove(path: String)

  var path: String {
    switch self {
    case .upsert(let path, _, _), .remove(let path): path
    }
  }
}

extension Repository {
  func treeHandle(_ id: Oid) throws -> TreeHandle {
    var oid = id.raw
    return TreeHandle(try makeHandle("look up tree \(id.abbreviated())") { git_tree_lookup(&$0, pointer, &oid) })
  }

  /// The entries of one tree (not recursive), in git's order.
  public func treeEntries(_ id: Oid) throws -> [TreeEntry] {
    let tree = try treeHandle(id)
    return (0..<git_tree_entrycount(tree.pointer)).compactMap { index in
      guard let entry = git_tree_entry_byindex(tree.pointer, index),
        let mode = EntryMode(rawValue: git_tree_entry_filemode(entry).rawValue)
      else { return nil }
      return TreeEntry(
        name: RawPath.string(cString: git_tree_entry_name(entry)), id: Oid(git_tree_entry_id(entry)!), mode: mode,
        rawMode: git_tree_entry_filemode_raw(entry).rawValue)
    }
  }

  /// The entry at a slash-separated path inside a tree, or `nil` when there is none.
  public func treeEntry(in treeID: Oid, path: String) throws -> TreeEntry? {
    let tree = try treeHandle(treeID)
    var raw: OpaquePointer?
    let result = RawPath.withCString(path) { git_tree_entry_bypath(&raw, tree.pointer, $0) }
    if result == GIT_ENOTFOUND.rawValue { return nil }
    try GitError.check(result, "find \(path) in tree \(treeID.abbreviated())")
    defer { git_tree_entry_free(raw) }
    guard let mode = EntryMode(rawValue: git_tree_entry_filemode(raw).rawValue) else { return nil }
    return TreeEntry(
      name: RawPath.string(cString: git_tree_entry_name(raw)), id: Oid(git_tree_entry_id(raw)!), mode: mode,
      rawMode: git_tree_entry_filemode_raw(raw).rawValue)
  }

  /// Writes a tree holding exactly `entries` (one level; names must be unique).
  public func createTree(_ entries: [TreeEntry]) throws -> Oid {
    let builder = TreeBuilderHandle(try makeHandle("start a tree") { git_treebuilder_new(&$0, pointer, nil) })
    for entry in entries {
      var oid = entry.id.raw
      try GitError.check(
        RawPath.withCString(entry.name) { git_treebuilder_insert(nil, builder.pointer, $0, &oid, entry.mode.filemode) },
        "add \(RawPath.shown(entry.name)) to a tree")
    }
    var out = git_oid()
    try GitError.check(git_treebuilder_write(&out, builder.pointer), "write a tree")
    return Oid(out)
  }

  /// Writes the tree that results from applying `updates` to `base` (`nil`: the empty tree). Only the
  /// subtrees on the updated paths are rewritten, so the cost follows the number of changes.
  public func updateTree(_ base: Oid?, with updates: [TreeUpdate]) throws -> Oid {
    try updateTree(base, with: updates, rawPaths: false)
  }

  /// The same; with `rawPaths`, the paths are in ``RawPath`` form (names of any bytes, as read from the
  /// work tree) and go to libgit2 as the bytes they stand for.
  func updateTree(_ base: Oid?, with updates: [TreeUpdate], rawPaths: Bool) throws -> Oid {
    let baseTree = try base.map { try treeHandle($0) } ?? treeHandle(try createTree([]))
    var out = git_oid()
    let paths = updates.map { rawPaths ? RawPath.duplicate($0.path) : strdup($0.path) }
    defer { paths.forEach { free($0) } }
    var raw: [git_tree_update] = zip(updates, paths).map { update, path in
      switch update {
      case .upsert(_, let id, let mode):
        git_tree_update(action: GIT_TREE_UPDATE_UPSERT, id: id.raw, filemode: mode.filemode, path: path)
      case .remove:
        git_tree_update(action: GIT_TREE_UPDATE_REMOVE, id: git_oid(), filemode: GIT_FILEMODE_UNREADABLE, path: path)
      }
    }
    let result = raw.withUnsafeMutableBufferPointer { buffer in
      git_tree_create_updated(&out, pointer, baseTree.pointer, buffer.count, buffer.baseAddress)
    }
    try GitError.check(result, "update a tree with \(updates.count) changes")
    return Oid(out)
  }
}
