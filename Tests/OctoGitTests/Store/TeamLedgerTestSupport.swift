import Foundation

@testable import OctoGit

/// A database of its own on the test server (`OCTO_TEST_POSTGRES_URL`, started by
/// `scripts/test-postgres.sh` under `make test`), created for one test and dropped when the value goes away.
final class TestTeamDatabase {
  /// The server's URL (its role may create databases and roles); `nil`: the tests are skipped.
  static var serverURL: String? {
    ProcessInfo.processInfo.environment["OCTO_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
  }

  let name: String
  /// The URL of this database.
  let url: String

  init() throws {
    name = "octo_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    url = try Self.url(database: name)
    try Self.admin { try $0.execute("CREATE DATABASE \(name)") }
  }

  deinit {
    let name = self.name
    try? Self.admin { try $0.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
  }

  /// Drops the database and creates it again, empty (a recreated team database).
  func recreate() throws {
    try Self.admin {
      try $0.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
      try $0.execute("CREATE DATABASE \(name)")
    }
  }

  /// The server's URL with another database (and user).
  static func url(database: String, user: String? = nil) throws -> String {
    guard let server = serverURL, var components = URLComponents(string: server) else {
      throw OctoError("OCTO_TEST_POSTGRES_URL is not set")
    }
    components.path = "/" + database
    if let user { components.user = user }
    guard let url = components.string else { throw OctoError("cannot make a URL from \(server)") }
    return url
  }

  /// Runs `body` on a connection to the server's own database.
  static func admin(_ body: (PostgresConnection) throws -> Void) throws {
    guard let server = serverURL else { return }
    try body(try PostgresConnection(settings: [("dbname", server)]))
  }

  func connection(user: String? = nil) throws -> PostgresConnection {
    try PostgresConnection(settings: [("connect_timeout", "5"), ("dbname", try Self.url(database: name, user: user))])
  }

  /// The rows of a query, as text.
  func rows(_ sql: String) throws -> [[String?]] {
    let result = try connection().execute(sql)
    return (0..<result.rowCount).map { row in (0..<result.columnCount).map { result[row, $0] } }
  }

  func value(_ sql: String) throws -> String? { try rows(sql).first?.first ?? nil }
}

/// Repositories with usage under one private home (its ~/.local/share holds the rollup registry and the
/// record of what was pushed).
final class TeamWorkspace {
  let first: TestRepository
  var home: String { first.home }
  var root: String { first.root }

  init(name: String = "shop") throws { first = try TestRepository(name: name) }

  /// A new repository beside the first, installed (registered) and with `origin`.
  func repository(_ name: String, origin: String?) throws -> String {
    let path = try first.sibling(name, origin: origin)
    try octo(["install"], in: path)
    return path
  }

  @discardableResult
  func git(_ arguments: [String], in directory: String) throws -> String {
    try first.gitRaw(arguments, in: directory)
  }

  /// Runs the built octo-git; `OCTO_GIT_TEAM_URL` is cleared unless given (the tests name the database).
  func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws
    -> Shell.Result
  {
    try OctoGitBinary.run(
      arguments, in: directory ?? root, home: home,
      environment: ["OCTO_GIT_TEAM_URL": ""].merging(environment) { $1 })
  }

  @discardableResult
  func octo(_ arguments: [String], in directory: String? = nil) throws -> String {
    let result = try run(arguments, in: directory)
    guard result.status == 0 else { throw Shell.Failure(command: ["octo-git"] + arguments, result: result) }
    return result.stdout
  }

  func json(_ arguments: [String]) throws -> JSONValue { try CanonicalJSON.parse(try octo(arguments)) }

  /// Records events (model, output tokens, cost, time, id) and commits them through the post-commit hook.
  func commitUsage(
    _ events: [(model: String, out: Int, cost: String, at: String, id: String?)], in directory: String,
    message: String = "work"
  ) throws {
    for event in events {
      var arguments = [
        "usage", "record", "--model", event.model, "--in", "100", "--out", String(event.out), "--cost", event.cost,
        "--at", event.at,
      ]
      if let id = event.id { arguments += ["--id", id] }
      try octo(arguments, in: directory)
    }
    try git(["commit", "-q", "--allow-empty", "-m", message], in: directory)
  }

  /// The registered repositories, as the rollup database lists them.
  func entries() throws -> [RollupStore.Entry] {
    try RollupStore(path: home + "/.local/share/octo-git/rollup.sqlite").entries()
  }

  var statePath: String { home + "/.local/share/octo-git/team.sqlite" }
}
