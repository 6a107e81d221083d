import Foundation
import GRDB

/// Reads OpenCode's and Kilo's (OpenCode's schema) usage: the `message` table of `<data>/opencode.db`
/// (`opencode-<channel>.db` too) or `<data>/kilo.db`, and OpenCode's older
/// `<data>/storage/message/<session>/<message>.json` files.
///
/// The database is opened read-only through SQLite (never `immutable=1`, never written), so rows that are
/// still only in its write-ahead log, written by a running OpenCode, are seen. Each `message` row's `data`
/// is the message without its id: an assistant message carries `modelID`, `providerID`, `cost` (USD),
/// `tokens{input, output, reasoning, cache{read, write}}`, `time{created, completed}` (milliseconds) and
/// `path{cwd, root}`. One request per assistant message (its step parts and the session's totals repeat it
/// and are not read), id `oc:<message id>` (`kl:` for Kilo), so the same message in the database and in a
/// legacy file counts once.
///
/// OpenCode stores `input` without the cache reads and writes, and `reasoning` apart from `output` (it bills
/// reasoning at the output price): `in` = input, `cr` = cache.read, `cw5m` = cache.write, `out` = output +
/// reasoning. A message with no tokens yet (still streaming) is skipped until it has them, and so is one
/// created before its session (a fork's copy of its source's message, read under the source's id).
public enum OpenCodeStore {
  /// `$XDG_DATA_HOME/<name>` (`opencode` or `kilo`), else `~/.local/share/<name>`; only if it exists.
  public static func homes(name: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> [String]
  {
    [Paths.dataHome(environment: environment) + "/" + name].filter(Paths.isFolder)
  }

  /// The databases of a data folder: `<name>.db`, then `<name>-<channel>.db`.
  static func databases(in home: String, name: String) -> [String] {
    var found: [String] = []
    if AgentFiles.isFile(home + "/" + name + ".db") { found.append(home + "/" + name + ".db") }
    for entry in AgentFiles.names(in: home) where entry.hasPrefix(name + "-") && entry.hasSuffix(".db") {
      if AgentFiles.isFile(home + "/" + entry) { found.append(home + "/" + entry) }
    }
    return found
  }

  /// The legacy message files, `storage/message/<session>/*.json`, in path order.
  static func messageFiles(in home: String) -> [String] {
    FileTree.files(under: home + "/storage/message", suffix: ".json").map(\.path)
  }

  /// What a database is now: its file's and its log's stamps (see ``AgentFiles/stamp(_:)``).
  static func stamp(ofDatabase path: String) -> String? {
    guard let main = AgentFiles.stamp(path) else { return nil }
    return main + "|" + (AgentFiles.stamp(path + "-wal") ?? "-")
  }

  /// Rows updated this long before the latest one seen are read again: writers commit out of order.
  static let rereadMilliseconds: Int64 = 10 * 60 * 1000

  /// What is read of a message row's data (octo-fuzz checks the selective parse with it).
  static let selection = CanonicalJSON.Selection.members([
    "id": .all, "sessionID": .all, "role": .all, "modelID": .all, "providerID": .all, "cost": .all, "tokens": .all,
    "time": .all, "path": .all,
  ])

  /// Reads the assistant messages of a database into `scan`: only rows updated since `mark` (less
  /// ``rereadMilliseconds``) when it is given and the table has `time_updated`. Returns the latest
  /// `time_updated` seen (`mark` when none), for the next import.
  ///
  /// - Throws: ``OctoError`` when the file is not a database with a `message` table.
  static func readDatabase(
    _ path: String, agent: String, prefix: String, since mark: Int64?, into scan: inout AgentScan
  )
    throws -> Int64?
  {
    // Only a regular file is handed to SQLite (a FIFO would block it).
    guard RegularFile.exists(path) else {
      throw OctoError("cannot read \(path): not a regular file", hint: "only SQLite databases are read")
    }
    var latest = mark
    var local = AgentScan()
    local.origin = scan.origin
    do {
      try AgentDatabases.forEachMessage(
        in: path, label: "\(agent) database", updatedSince: (mark ?? Int64.min / 2) - rereadMilliseconds
      ) { row in
        local.records += 1
        if let updated = row.updated { latest = max(latest ?? updated, updated) }
        guard var text = row.data, text.utf8.count < AgentFiles.largestFile else {
          local.malformed += 1
          return
        }
        // Most rows are user messages: only those naming the assistant are parsed.
        let assistant = text.withUTF8 { JSONWalk.contains($0, "\"assistant\"") }
        guard assistant else { return }
        do {
          let data = try text.withUTF8 { try CanonicalJSON.parse(bytes: $0, selecting: selection) }
          if let request = try request(
            data, id: row.id, session: row.session, created: row.created, directory: row.directory, agent: agent,
            prefix: prefix)
          {
            // A fork copies the messages before its fork point into the new session with their times and
            // counts, under new ids: a message older than its own session is such a copy, not a request.
            if let started = row.sessionCreated, request.at.timeIntervalSince1970 * 1000 < Double(started) { return }
            local.keep(request)
          }
        } catch {
          local.malformed += 1
        }
      }
    } catch let error as DatabaseError {
      throw OctoError(
        "cannot read \(path): \(error.message ?? "\(error.resultCode)")", hint: "only SQLite databases are read")
    }
    local.files = 1
    scan.merge(local)
    return latest
  }

  /// Reads one legacy message file into `scan`.
  static func readMessageFile(_ path: String, agent: String, prefix: String, into scan: inout AgentScan) throws {
    scan.files += 1
    scan.records += 1
    do {
      let data = try JSONWalk.withFile(path, limit: 64 << 20) {
        try CanonicalJSON.parse(bytes: $0, selecting: selection)
      }
      if let request = try request(
        data, id: nil, session: nil, created: nil, directory: nil, agent: agent, prefix: prefix)
      {
        scan.keep(request)
      }
    } catch is RegularFile.Refusal {
      scan.files -= 1
      scan.records -= 1
      scan.unreadable += 1
    } catch {
      scan.malformed += 1
    }
  }

  /// The request an assistant message records; `nil` for other messages and for one without tokens yet.
  ///
  /// - Throws: ``MalformedRecord`` when an assistant message's counts, cost or time cannot be read.
  static func request(
    _ data: JSONValue, id rowID: String?, session rowSession: String?, created: Int64?, directory: String?,
    agent: String,
    prefix: String
  ) throws -> AgentRequest? {
    guard data["role"]?.stringValue == "assistant" else { return nil }
    guard let id = rowID ?? AgentFields.text(data["id"]), let tokens = data["tokens"], case .object = tokens else {
      throw MalformedRecord()
    }
    let input = try AgentFields.tokens(tokens["input"])
    let output = try AgentFields.tokens(tokens["output"])
    let reasoning = try AgentFields.tokens(tokens["reasoning"])
    let cache = tokens["cache"]
    let read = try AgentFields.tokens(cache?["read"])
    let write = try AgentFields.tokens(cache?["write"])
    let counts = try AgentFields.checked(
      TokenCounts(input: input, output: output + reasoning, cacheWrite5m: write, cacheRead: read))
    if counts.total == 0 { return nil }
    let cost = try AgentFields.cost(data["cost"])
    let at: Date
    if let time = data["time"]?["created"] {
      at = try AgentFields.milliseconds(time)
    } else if let created {
      at = try AgentFields.milliseconds(.int(Int(created)))
    } else {
      throw MalformedRecord()
    }
    let path = data["path"]
    let cwd =
      AgentFields.text(path?["cwd"]) ?? AgentFields.text(path?["root"]) ?? directory.flatMap { $0.isEmpty ? nil : $0 }
    var request = AgentRequest(
      id: prefix + id, agent: agent, at: at, model: AgentFields.text(data["modelID"]) ?? "unknown", tokens: counts,
      cwd: cwd,
      branch: nil, session: rowSession ?? AgentFields.text(data["sessionID"]))
    request.cost = cost
    return request
  }
}
