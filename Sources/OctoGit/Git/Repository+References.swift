import CGit2
import Foundation

/// A reference as read at one moment: its full name and what it points at.
public struct ReferenceValue: Equatable, Sendable {
  /// Full name, e.g. `refs/heads/main` or `refs/notes/octo/usage`.
  public let name: String
  /// The object it points at (after following a symbolic reference).
  public let target: Oid
  /// For a symbolic reference (like `HEAD`), the name it points at.
  public let symbolicTarget: String?
}

extension Repository {
  /// Reads a reference, following symbolic ones; `nil` when it does not exist (or is an unborn HEAD).
  public func reference(_ name: String) throws -> ReferenceValue? {
    guard let reference = try lookupReference(name) else { return nil }
    var symbolic: String?
    if git_reference_type(reference.pointer) == GIT_REFERENCE_SYMBOLIC {
      symbolic = String(cString: git_reference_symbolic_target(reference.pointer))
    }
    var resolvedRaw: OpaquePointer?
    let resolveResult = git_reference_resolve(&resolvedRaw, reference.pointer)
    if resolveResult == GIT_ENOTFOUND.rawValue { return nil }
    try GitError.check(resolveResult, "resolve \(name)")
    let resolved = ReferenceHandle(resolvedRaw!)
    return ReferenceValue(name: name, target: Oid(git_reference_target(resolved.pointer)!), symbolicTarget: symbolic)
  }

  /// Where a symbolic reference points (e.g. `refs/heads/main` for `HEAD`), without resolving it.
  public func symbolicTarget(of name: String) throws -> String? {
    guard let reference = try lookupReference(name) else { return nil }
    guard git_reference_type(reference.pointer) == GIT_REFERENCE_SYMBOLIC else { return nil }
    return String(cString: git_reference_symbolic_target(reference.pointer))
  }

  func lookupReference(_ name: String) throws -> ReferenceHandle? {
    var raw: OpaquePointer?
    let result = git_reference_lookup(&raw, pointer, name)
    if result == GIT_ENOTFOUND.rawValue { return nil }
    try GitError.check(result, "look up \(name)")
    return ReferenceHandle(raw!)
  }

  /// Every direct reference whose name matches `glob` (fnmatch, e.g. `refs/notes/octo/*`), sorted by name.
  public func references(matching glob: String) throws -> [ReferenceValue] {
    let iterator = ReferenceIteratorHandle(
      try makeHandle("list references matching \(glob)") { git_reference_iterator_glob_new(&$0, pointer, glob) })
    var values: [ReferenceValue] = []
    while true {
      var raw: OpaquePointer?
      let result = git_reference_next(&raw, iterator.pointer)
      if result == GIT_ITEROVER.rawValue { break }
      try GitError.check(result, "list references matching \(glob)")
      let reference = ReferenceHandle(raw!)
      guard git_reference_type(reference.pointer) == GIT_REFERENCE_DIRECT,
        let target = git_reference_target(reference.pointer)
      else { continue }
      values.append(
        ReferenceValue(
          name: String(cString: git_reference_name(reference.pointer)), target: Oid(target), symbolicTarget: nil))
    }
    return values.sorted { $0.name < $1.name }
  }

  /// Moves (or creates) reference `name` to `target` only if it still points at `expected` (`nil`: only if it
  /// does not exist yet). This is the compare-and-swap every writer of shared refs uses.
  ///
  /// - Throws: ``GitError`` with ``GitError/isConcurrentUpdate`` when the reference moved (or appeared)
  ///   meanwhile; the caller re-reads and retries.
  public func updateReference(_ name: String, to target: Oid, expecting expected: Oid?, message: String) throws {
    var out: OpaquePointer?
    var newId = target.raw
    let result: Int32
    if var current = expected?.raw {
      result = git_reference_create_matching(&out, pointer, name, &newId, 1, &current, message)
    } else {
      // libgit2 1.5 checks that a new ref does not exist yet *before* taking the ref's lock, and in a
      // linked worktree it looks for a shared ref in the worktree's own git dir, so it never finds one:
      // two creators could both "create" the ref and the second would overwrite the first. octo-git's
      // creators therefore check for the ref themselves, holding a file lock around check and write.
      result = withReferenceCreationLock {
        var existing: OpaquePointer?
        let lookup = git_reference_lookup(&existing, pointer, name)
        git_reference_free(existing)
        if lookup == 0 {
          return GIT_EEXISTS.rawValue
        }
        return git_reference_create(&out, pointer, name, &newId, 1, message)
      }
    }
    if let out { git_reference_free(out) }
    try GitError.check(result, "update \(name)")
  }

  /// Runs `body` holding an exclusive `flock` on `<common-dir>/octo/ref-create.lock`. The kernel releases it
  /// when the process dies, so it can never be left stale.
  func withReferenceCreationLock(_ body: () -> Int32) -> Int32 {
    let folder = commonDirectory + "/octo"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let descriptor = Glibc.open(folder + "/ref-create.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { return body() }
    defer { close(descriptor) }
    while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
    defer { flock(descriptor, LOCK_UN) }
    return body()
  }

  /// Deletes reference `name` only if it still points at `expected`.
  public func deleteReference(_ name: String, expecting expected: Oid) throws {
    var raw: OpaquePointer?
    try GitError.check(git_reference_lookup(&raw, pointer, name), "look up \(name)")
    let reference = ReferenceHandle(raw!)
    guard let current = git_reference_target(reference.pointer), Oid(current) == expected else {
      throw GitError(
        code: GIT_EMODIFIED.rawValue, message: "\(name) no longer points at \(expected.abbreviated())",
        operation: "delete \(name)")
    }
    try GitError.check(git_reference_delete(reference.pointer), "delete \(name)")
  }

  /// Resolves a revision expression (`HEAD~2`, a branch, an abbreviated id) to a commit id.
  public func resolveCommit(_ revision: String) throws -> Oid {
    var raw: OpaquePointer?
    let result = git_revparse_single(&raw, pointer, revision)
    if result == GIT_ENOTFOUND.rawValue || result == GIT_EAMBIGUOUS.rawValue || result == GIT_EINVALIDSPEC.rawValue {
      throw OctoError.badInput(
        "unknown revision '\(SafeText.terminal(revision))'",
        hint: "name a commit, branch or tag that exists in this repository")
    }
    try GitError.check(result, "resolve \(revision)")
    let object = ObjectHandle(raw!)
    var peeled: OpaquePointer?
    guard git_object_peel(&peeled, object.pointer, GIT_OBJECT_COMMIT) == 0, let peeled else {
      // A tree or a blob (HEAD^{tree}, HEAD:file), or a tag of one: no commit to name.
      let kind = String(cString: git_object_type2string(git_object_type(object.pointer)))
      throw OctoError.badInput(
        "'\(SafeText.terminal(revision))' names a \(kind), not a commit",
        hint: "name a commit, branch or tag of a commit")
    }
    let commit = ObjectHandle(peeled)
    return Oid(git_object_id(commit.pointer)!)
  }
}
