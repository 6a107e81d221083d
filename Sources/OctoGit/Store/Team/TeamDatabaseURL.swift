import Foundation

/// Where the team's ledger is: `--url`, else `OCTO_GIT_TEAM_URL`, else `git config octo.teamUrl`. A
/// `postgresql://` URL or libpq's `key=value` settings (`service=team`); credentials follow PostgreSQL's
/// conventions (`PGPASSWORD`, `~/.pgpass`, `PGSERVICE` and `pg_service.conf`, `sslmode` in the URL) and
/// octo-git never stores, logs or prints them: messages name the database by host, port and name only.
public struct TeamDatabaseURL: Sendable {
  /// Where the URL came from.
  public enum Source: String, Sendable {
    case flag = "--url"
    case environment = "OCTO_GIT_TEAM_URL"
    case gitConfig = "git config octo.teamUrl"
  }

  /// The connection string as given (it may hold a password: never print it).
  let conninfo: String
  public let source: Source
  /// libpq's reading of it.
  let settings: [String: String]

  /// Seconds libpq waits for a server that does not answer, unless the URL or `PGCONNECT_TIMEOUT` says.
  static let connectTimeout = 5

  /// The URL from the flag, else the environment, else git config (`config`: the repository's or the
  /// user's).
  ///
  /// - Throws: ``OctoError`` when none is set, when it cannot be read, or when git config holds one with a
  ///   password in it.
  public static func resolve(
    flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment, config: Config?
  ) throws -> TeamDatabaseURL {
    let candidates: [(String?, Source)] = [
      (flag, .flag), (environment["OCTO_GIT_TEAM_URL"], .environment),
      (try config?.string("octo.teamUrl"), .gitConfig),
    ]
    guard
      let (text, source) = candidates.first(where: { !($0.0 ?? "").trimmingCharacters(in: .whitespaces).isEmpty })
        .map({ ($0.0!.trimmingCharacters(in: .whitespacesAndNewlines), $0.1) })
    else {
      throw OctoError(
        "no team database named",
        hint: "pass --url postgresql://HOST/DB, set OCTO_GIT_TEAM_URL, or git config --global octo.teamUrl URL",
        status: .usage)
    }
    let settings: [String: String]
    do {
      settings = try PostgresLibrary.parse(text)
    } catch let error as PostgresError {
      if error.kind == .libraryMissing { throw TeamLedger.octoError(error, place: nil) }
      throw OctoError.badInput(
        "the team database URL from \(source.rawValue) cannot be read: \(error.message)",
        hint: "use postgresql://[USER@]HOST[:PORT]/DATABASE[?sslmode=require], or key=value settings")
    }
    if source == .gitConfig, let password = settings["password"], !password.isEmpty {
      throw OctoError.badInput(
        "git config octo.teamUrl holds a password: octo-git does not read credentials from git config",
        hint: "remove it from the URL (git config --global octo.teamUrl postgresql://USER@HOST/DB) and keep it in "
          + "~/.pgpass, PGPASSWORD or a PGSERVICE entry")
    }
    return TeamDatabaseURL(conninfo: text, source: source, settings: settings)
  }

  /// The database as messages name it: `host:port/name` (or the service), never the user or password.
  public var displayName: String {
    if let service = settings["service"], settings["host"] == nil { return "service \(service)" }
    var host = settings["host"] ?? settings["hostaddr"] ?? ProcessInfo.processInfo.environment["PGHOST"] ?? "localhost"
    if host.hasPrefix("/") { host = "socket \(host)" }
    let port = settings["port"] ?? ProcessInfo.processInfo.environment["PGPORT"]
    let name = settings["dbname"] ?? ProcessInfo.processInfo.environment["PGDATABASE"]
    return host + (port.map { ":\($0)" } ?? "") + (name.map { "/\($0)" } ?? "")
  }

  /// libpq's settings for connecting, in order: defaults octo-git adds (a connect timeout, UTF-8, its
  /// name), then the URL, which overrides them.
  func connectionSettings(environment: [String: String] = ProcessInfo.processInfo.environment)
    -> [(keyword: String, value: String)]
  {
    var list: [(keyword: String, value: String)] = []
    if environment["PGCONNECT_TIMEOUT"] == nil { list.append(("connect_timeout", String(Self.connectTimeout))) }
    if environment["PGAPPNAME"] == nil { list.append(("application_name", "octo-git")) }
    list.append(("dbname", conninfo))
    // After the URL: octo-git writes and reads UTF-8 whatever the server's or the URL's encoding.
    list.append(("client_encoding", "UTF8"))
    return list
  }
}
