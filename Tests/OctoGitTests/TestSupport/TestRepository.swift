import Foundation
import Testing

@testable import OctoGit

/// A throwaway git repository in its own temporary folder, removed when the value goes away. Made with the
/// `git` CLI so that what octo-git reads is independent of how octo-git writes.
final class TestRepository {
  /// The temporary folder holding everything (the work tree, a private `HOME`, linked worktrees).
  let root: String
  /// The work tree.
  let path: String
  /// A private home directory: the global git config of every git command run here.
  let home: String

  /// - Parameters:
  ///   - name: the work tree folder's name (spaces and non-ASCII welcome).
  ///   - initialCommit: whether to commit a first file (`README.md`), or leave the branch unborn.
  init(name: String = "repo", initialCommit: Bool = true) throws {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("octo-git-tests-\(UUID().uuidString)")
    root = base.path
    path = base.appendingPathComponent(name).path
    home = base.appendingPathComponent("home").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    try git("init", "-q", "-b", "main")
    try git("config", "user.name", "Test User")
    try git("config", "user.email", "test@example.com")
    if initialCommit {
      try write("README.md", "# test\n")
      try git("add", "README.md")
      try git("commit", "-q", "-m", "Initial commit")
    }
  }

  deinit {
    try? FileManager.default.removeItem(atPath: root)
  }

  /// Runs `git` in the work tree (or `directory`), returning its trimmed standard output; throws when it
  /// fails.
  @discardableResult
  func git(
    _ arguments: String..., in directory: String? = nil, input: String? = nil, environment: [String: String] = [:]
  )
    throws -> String
  {
    let result = try Shell.run(
      Shell.git, arguments, in: directory ?? path, input: input.map { Data($0.utf8) }, environment: environment,
      home: home)
    guard result.status == 0 else { throw Shell.Failure(command: ["git"] + arguments, result: result) }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Runs `git` in the work tree and returns its standard output exactly as printed.
  func gitRaw(_ arguments: String...) throws -> String {
    try gitRaw(arguments)
  }

  /// Runs `git` in the work tree (or `directory`) and returns its standard output exactly as printed; throws
  /// when it fails.
  @discardableResult
  func gitRaw(_ arguments: [String], in directory: String? = nil) throws -> String {
    let result = try Shell.run(Shell.git, arguments, in: directory ?? path, home: home)
    guard result.status == 0 else { throw Shell.Failure(command: ["git"] + arguments, result: result) }
    return result.stdout
  }

  /// Writes a file (creating folders) relative to the work tree.
  func write(_ relativePath: String, _ content: String, executable: Bool = false) throws {
    let url = URL(fileURLWithPath: path).appendingPathComponent(relativePath)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(content.utf8).write(to: url)
    if executable {
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }
  }

  /// Commits everything in the work tree and returns the new commit id.
  @discardableResult
  func commitAll(_ message: String) throws -> String {
    try git("add", "-A")
    try git("commit", "-q", "--allow-empty", "-m", message)
    return try git("rev-parse", "HEAD")
  }

  /// Makes a bare repository `remote.git` beside the work tree and adds it as `origin`; returns its path.
  @discardableResult
  func addBareOrigin() throws -> String {
    let remote = root + "/remote.git"
    try git("init", "-q", "--bare", remote)
    try git("remote", "add", "origin", remote)
    return remote
  }

  /// A new repository `name` beside this one (in ``root``, sharing ``home``): one empty commit on `main` by
  /// `<name>@example.com`, and `origin` when given. Returns its work tree.
  func sibling(_ name: String, origin: String?) throws -> String {
    let folder = root + "/" + name
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try git("init", "-q", "-b", "main", in: folder)
    try git("config", "user.email", "\(name)@example.com", in: folder)
    try git("config", "user.name", name, in: folder)
    if let origin { try git("remote", "add", "origin", origin, in: folder) }
    try git("commit", "-q", "--allow-empty", "-m", "start", in: folder)
    return folder
  }

  /// Adds a linked worktree on a new branch and returns its path.
  func addWorktree(_ name: String, branch: String) throws -> String {
    let worktree = URL(fileURLWithPath: root).appendingPathComponent(name).path
    try git("worktree", "add", "-q", "-b", branch, worktree)
    return worktree
  }

  /// Opens the repository with octo-git's libgit2 layer.
  func open(_ directory: String? = nil) throws -> Repository {
    try Repository.open(at: directory ?? path)
  }

  /// The bytes of a file relative to the work tree's `.git` directory.
  func gitFileBytes(_ relativePath: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path + "/.git/" + relativePath))
  }

  /// A signature for commits and notes written by tests.
  static let signature = Signature(
    name: "Test User", email: "test@example.com", time: Date(timeIntervalSince1970: 1_700_000_000), offsetMinutes: 0)
}

/// Runs the built `octo-git` binary.
enum OctoGitBinary {
  /// The binary `swift build` put beside the test bundle.
  static var path: String {
    let candidates = [
      Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("octo-git").path,
      Bundle.main.bundleURL.appendingPathComponent("octo-git").path,
      URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/octo-git").path,
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
  }

  static func run(
    _ arguments: [String], in directory: String, home: String? = nil, environment: [String: String] = [:],
    input: String? = nil
  ) throws -> Shell.Result {
    try Shell.run(
      path, arguments, in: directory, input: input.map { Data($0.utf8) }, environment: environment, home: home)
  }
}

/// The package's root folder, for tests that read the files the binary embeds.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path

extension TestRepository {
  /// Installs octo-git's post-commit stub (pointing at the built binary) in the hooks directory git uses.
  func installPostCommitHook() throws {
    let hooks = try git("rev-parse", "--path-format=absolute", "--git-path", "hooks")
    try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
    let stub = DefaultFiles.content(of: "hooks/post-commit")!.replacingOccurrences(
      of: "@OCTO_GIT_BIN@", with: OctoGitBinary.path)
    try Data(stub.utf8).write(to: URL(fileURLWithPath: hooks + "/post-commit"))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hooks + "/post-commit")
  }

  /// Runs the built octo-git in the work tree (or `directory`); throws when it exits non-zero.
  @discardableResult
  func octo(_ arguments: String..., in directory: String? = nil, input: String? = nil) throws -> String {
    try octo(arguments, in: directory, input: input)
  }

  @discardableResult
  func octo(_ arguments: [String], in directory: String? = nil, input: String? = nil) throws -> String {
    let result = try OctoGitBinary.run(arguments, in: directory ?? path, home: home, input: input)
    guard result.status == 0 else { throw Shell.Failure(command: ["octo-git"] + arguments, result: result) }
    return result.stdout
  }

  /// The events of every usage note in the repository, as git reads them.
  func allUsageLines() throws -> [String] {
    let listing = try git("notes", "--ref=octo/usage", "list")
    var lines: [String] = []
    for entry in listing.split(separator: "\n") {
      let blob = String(entry.split(separator: " ")[0])
      lines += try git("cat-file", "-p", blob).split(separator: "\n").map(String.init)
    }
    return lines
  }
}
