import CGit2
import Foundation

/// A commit, copied out of libgit2 into plain values.
public struct Commit: Equatable, Sendable {
  public let id: Oid
  public let tree: Oid
  public let parents: [Oid]
  /// The full message, as stored.
  public let message: String
  public let author: Signature
  public let committer: Signature

  /// The first line of the message.
  public var summary: String { Self.summary(of: message) }

  /// The first line of a commit message.
  static func summary(of message: String) -> String {
    String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
  }

  init(_ handle: CommitHandle) {
    let raw = handle.pointer
    id = Oid(git_commit_id(raw)!)
    tree = Oid(git_commit_tree_id(raw)!)
    parents = (0..<git_commit_parentcount(raw)).map { Oid(git_commit_parent_id(raw, $0)!) }
    message = git_commit_message(raw).map { String(cString: $0) } ?? ""
    author = Signature(git_commit_author(raw)!)
    committer = Signature(git_commit_committer(raw)!)
  }
}

extension Repository {
  /// Reads a commit.
  public func commit(_ id: Oid) throws -> Commit {
    Commit(try commitHandle(id))
  }

  /// Calls `body` with each of `ids`, its committer time (seconds since 1970) and subject, read in the order
  /// the commits are cheapest to read; a commit this repository does not have gives 0 and "".
  func forEachCommitDescription(_ ids: [Oid], _ body: (Oid, Int64, String) throws -> Void) throws {
    let order = ids.count < 64 ? Array(ids.indices) : readingOrder(of: ids)
    for position in order {
      let id = ids[position]
      guard objectExists(id), let handle = try? commitHandle(id) else {
        try body(id, 0, "")
        continue
      }
      let (time, message) = withExtendedLifetime(handle) {
        (Int64(git_commit_time(handle.pointer)), git_commit_message(handle.pointer).map { String(cString: $0) } ?? "")
      }
      try body(id, time, Commit.summary(of: message))
    }
  }

  func commitHandle(_ id: Oid) throws -> CommitHandle {
    var oid = id.raw
    return CommitHandle(
      try makeHandle("look up commit \(id.abbreviated())") { git_commit_lookup(&$0, pointer, &oid) })
  }

  /// Writes a commit object. It moves no reference: callers publish it with
  /// ``updateReference(_:to:expecting:message:)`` (compare-and-swap).
  public func createCommit(
    tree: Oid, parents: [Oid], message: String, author: Signature, committer: Signature? = nil
  ) throws -> Oid {
    let treeHandle = try treeHandle(tree)
    let parentHandles = try parents.map { try commitHandle($0) }
    let authorHandle = try author.makeHandle()
    let committerHandle = try (committer ?? author).makeHandle()
    var out = git_oid()
    var parentPointers: [OpaquePointer?] = parentHandles.map { $0.pointer }
    let result = parentPointers.withUnsafeMutableBufferPointer { buffer in
      git_commit_create(
        &out, pointer, nil, authorHandle.pointer, committerHandle.pointer, "UTF-8", message, treeHandle.pointer,
        buffer.count, buffer.baseAddress)
    }
    try GitError.check(result, "create a commit")
    return Oid(out)
  }
}
