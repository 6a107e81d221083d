import CGit2

/// A walk over commit history, newest first unless told otherwise. Owns its `git_revwalk` handle; keeps
/// its repository alive while it exists.
public final class RevWalk: Sequence, IteratorProtocol {
  /// The order commits come out in.
  public struct Order: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Parents after all their children.
    public static let topological = Order(rawValue: GIT_SORT_TOPOLOGICAL.rawValue)
    /// By commit time, newest first.
    public static let time = Order(rawValue: GIT_SORT_TIME.rawValue)
    /// Oldest first.
    public static let reverse = Order(rawValue: GIT_SORT_REVERSE.rawValue)
  }

  let pointer: OpaquePointer
  let repository: Repository

  /// A walk in `repository`, in `order`, following only first parents when `firstParentOnly` is set.
  public init(_ repository: Repository, order: Order = [.topological, .time], firstParentOnly: Bool = false) throws {
    self.repository = repository
    pointer = try makeHandle("start a history walk") { git_revwalk_new(&$0, repository.pointer) }
    try GitError.check(git_revwalk_sorting(pointer, order.rawValue), "order a history walk")
    if firstParentOnly {
      try GitError.check(git_revwalk_simplify_first_parent(pointer), "follow first parents")
    }
  }

  deinit { git_revwalk_free(pointer) }

  /// Starts the walk at `commit` (and its ancestors).
  public func include(_ commit: Oid) throws {
    var oid = commit.raw
    try GitError.check(git_revwalk_push(pointer, &oid), "walk from \(commit.abbreviated())")
  }

  /// Leaves out `commit` and its ancestors (as in `base..tip`).
  public func exclude(_ commit: Oid) throws {
    var oid = commit.raw
    try GitError.check(git_revwalk_hide(pointer, &oid), "hide \(commit.abbreviated()) from a walk")
  }

  /// The next commit id, or `nil` at the end of the walk.
  public func next() -> Oid? {
    var oid = git_oid()
    guard git_revwalk_next(&oid, pointer) == 0 else { return nil }
    return Oid(oid)
  }
}

@available(*, unavailable)
extension RevWalk: Sendable {}

extension Repository {
  /// The commits reachable from `tip` but not from `base` (as `git rev-list base..tip`), newest first.
  public func commits(from tip: Oid, excluding base: Oid? = nil, limit: Int = .max) throws -> [Oid] {
    try commits(from: tip, excludingAll: base.map { [$0] } ?? [], limit: limit)
  }

  /// The commits reachable from `tip` but from none of `bases`, newest first.
  public func commits(from tip: Oid, excludingAll bases: [Oid], limit: Int = .max) throws -> [Oid] {
    let walk = try RevWalk(self)
    try walk.include(tip)
    for base in bases { try walk.exclude(base) }
    return Array(walk.prefix(limit))
  }

  /// Whether `ancestor` is `commit` or reachable from it.
  public func isAncestor(_ ancestor: Oid, of commit: Oid) -> Bool {
    if ancestor == commit { return true }
    var descendant = commit.raw
    var older = ancestor.raw
    return git_graph_descendant_of(pointer, &descendant, &older) == 1
  }
}
