import Foundation

/// `octo-git repos`: which repositories the rollup reads. `install` registers a repository by itself.
///
/// A repository is registered by its main work tree's path (a linked worktree registers its main one; a
/// bare repository or mirror, which the rollup reads as well, its own directory), and known by its
/// project: the normalised `origin` URL, else that path.
public struct RepositoryRegistry {
  let store: RollupStore

  public init(store: RollupStore) { self.store = store }

  /// The path a repository is registered under: the main work tree's top folder, or a bare repository's
  /// directory.
  static func registeredPath(of repository: Repository) -> String {
    let common = repository.commonDirectory
    if repository.isBare { return common }
    if repository.isLinkedWorktree, common.hasSuffix("/.git") { return String(common.dropLast(5)) }
    return repository.workDirectory
  }

  /// Registers `repository` (again: updates its project). Returns its entry and whether it was new or
  /// changed.
  @discardableResult
  public func add(_ repository: Repository) throws -> (entry: RollupStore.Entry, changed: Bool) {
    let path = Self.registeredPath(of: repository)
    let identity = try ProjectIdentity.of(repository, path: path)
    let changed = try store.register(path: path, project: identity.project, origin: identity.origin)
    return (RollupStore.Entry(path: path, project: identity.project, origin: identity.origin), changed)
  }

  /// The entry `repository` is registered under, if it is; `nil` too when there is no rollup database yet
  /// (it is not created to answer).
  public static func registration(
    of repository: Repository, storePath: String = RollupStore.defaultPath()
  ) -> RollupStore.Entry? {
    guard Paths.entryExists(storePath), let entries = try? RollupStore(path: storePath).entries() else { return nil }
    let path = registeredPath(of: repository)
    return entries.first { $0.path == path }
  }

  /// Unregisters by path (any folder of the repository, or the registered path even when it is gone) or
  /// by project (every clone). Returns the paths removed.
  public func remove(_ name: String) throws -> [String] {
    let entries = try store.entries()
    var paths = entries.filter {
      $0.path == name || $0.project == ProjectIdentity.normalise(url: name) || $0.project == name
    }
    .map(\.path)
    if paths.isEmpty, let repository = try? Repository.openForReading(at: name) {
      let path = Self.registeredPath(of: repository)
      paths = entries.filter { $0.path == path }.map(\.path)
    }
    if paths.isEmpty, let resolved = realpath(name, nil) {
      defer { free(resolved) }
      let path = String(cString: resolved)
      paths = entries.filter { $0.path == path }.map(\.path)
    }
    for path in paths { try store.unregister(path: path) }
    return paths
  }

  /// What `scan` found.
  public struct ScanResult: Sendable {
    public var added: [String] = []
    public var known: [String] = []
    /// Folders that looked like repositories but could not be opened, with why.
    public var skipped: [(path: String, reason: String)] = []
  }

  /// Registers every repository found under `folder`, down to `depth` folder levels (the folder itself is
  /// level 0), bare repositories and mirrors included. A repository's own folders are not searched
  /// further; hidden folders and dependency folders are skipped.
  public func scan(_ folder: String, depth: Int) throws -> ScanResult {
    guard Paths.isFolder(folder) else {
      throw OctoError.badInput("no folder at \(folder)", hint: "name a folder that holds repositories")
    }
    var result = ScanResult()
    var queue: [(String, Int)] = [(folder, 0)]
    let skippedNames: Set<String> = ["node_modules", "vendor", "Pods", "target", "build", "dist"]
    while !queue.isEmpty {
      let (current, level) = queue.removeFirst()
      let bare = Self.looksBare(current)
      if bare || FileManager.default.fileExists(atPath: current + "/.git") {
        do {
          let repository = bare ? try Repository.openForReading(at: current) : try Repository.open(at: current)
          let outcome = try add(repository)
          if outcome.changed {
            result.added.append(outcome.entry.path)
          } else {
            result.known.append(outcome.entry.path)
          }
        } catch {
          result.skipped.append((current, "\(error)"))
        }
        continue
      }
      guard level < depth, let names = try? FileManager.default.contentsOfDirectory(atPath: current) else { continue }
      for name in names.sorted() where !name.hasPrefix(".") && !skippedNames.contains(name) {
        let child = current == "/" ? "/" + name : current + "/" + name
        var status = stat()
        // Symbolic links are not followed: they would count a repository twice or loop.
        guard lstat(child, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else { continue }
        queue.append((child, level + 1))
      }
    }
    return result
  }

  /// Whether `folder` has a bare repository's layout: a `HEAD` file, `objects` and `refs` folders, and no
  /// work tree around it (`core.bare` is checked when it is opened).
  static func looksBare(_ folder: String) -> Bool {
    var status = stat()
    guard stat(folder + "/HEAD", &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return false }
    return Paths.isFolder(folder + "/objects") && Paths.isFolder(folder + "/refs")
      && !FileManager.default.fileExists(atPath: folder + "/.git")
  }
}
