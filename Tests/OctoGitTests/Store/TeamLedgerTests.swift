import Foundation
import Testing

@testable import OctoGit

@Suite(
  "Team ledger on PostgreSQL", .serialized,
  .enabled(if: TestTeamDatabase.serverURL != nil, "OCTO_TEST_POSTGRES_URL names no server (make test starts one)"))
struct TeamLedgerTests {
  /// Two repositories of two projects, three events.
  func populated() throws -> (TeamWorkspace, shop: String, api: String) {
    let space = try TeamWorkspace()
    let shop = space.first.path
    try space.git(["remote", "add", "origin", "git@github.com:Acme/Shop.git"], in: shop)
    try space.octo(["install"], in: shop)
    try space.commitUsage(
      [
        ("claude-sonnet-4-5", 50, "0.1", "2026-03-18T23:30:00Z", nil),
        ("claude-sonnet-4-5", 60, "0.2", "2026-03-29T12:00:00Z", nil),
      ], in: shop)
    let api = try space.repository("api", origin: "ssh://git@github.com/acme/api.git")
    try space.commitUsage([("gpt-5", 70, "1.000000000001", "2026-04-20T10:00:00Z", nil)], in: api)
    return (space, shop, api)
  }

  @Test("team init creates the schema once: again is a no-op, four machines at once make one database id")
  func initIsIdempotentAndConcurrent() throws {
    let database = try TestTeamDatabase()
    let space = try TeamWorkspace()
    let created = try space.json(["team", "init", "--url", database.url, "--json"])
    #expect(created["from"]?.intValue == 0 && created["to"]?.intValue == TeamSchema.version)
    let id = created["database"]?.stringValue
    #expect(id?.count == 36)
    let again = try space.json(["team", "init", "--url", database.url, "--json"])
    #expect(again["from"]?.intValue == TeamSchema.version && again["database"]?.stringValue == id)
    #expect(try space.octo(["team", "init", "--url", database.url]).contains("is up to date"))

    let fresh = try TestTeamDatabase()
    // What the pool's threads need, as values (the workspace is not `Sendable`): the runs `space.run` makes.
    let (root, home, url) = (space.root, space.home, fresh.url)
    let results = WorkerPool.map(Array(0..<4)) { _ in
      try? OctoGitBinary.run(
        ["team", "init", "--url", url, "--json"], in: root, home: home, environment: ["OCTO_GIT_TEAM_URL": ""])
    }
    .compactMap { $0 }
    #expect(results.count == 4 && results.allSatisfy { $0.status == 0 })
    let parsed = results.compactMap { try? CanonicalJSON.parse($0.stdout) }
    #expect(Set(parsed.compactMap { $0["database"]?.stringValue }).count == 1)
    #expect(parsed.filter { $0["from"]?.intValue == 0 }.count == 1)
    #expect(try fresh.value("SELECT value FROM octo.meta WHERE key = 'schemaVersion'") == String(TeamSchema.version))

    // Damaged by hand: init names what is missing, and a version it cannot read is said as such (migrating
    // from nothing would create what is there).
    _ = try fresh.rows("DROP VIEW octo.cycles; DROP VIEW octo.daily; ALTER TABLE octo.events DROP COLUMN cw1h")
    let damaged = try space.run(["team", "init", "--url", fresh.url])
    #expect(damaged.status != 0, "\(damaged.stdout)")
    #expect(damaged.stderr.contains("lacks octo.daily, octo.cycles, octo.events.cw1h"), "\(damaged.stderr)")
    for change in [
      "UPDATE octo.meta SET value = 'abc' WHERE key = 'schemaVersion'",
      "DELETE FROM octo.meta WHERE key = 'schemaVersion'",
    ] {
      _ = try database.rows(change)
      for command in ["init", "push"] {
        let refused = try space.run(["team", command, "--url", database.url])
        #expect(
          refused.status != 0 && refused.stderr.contains("version in octo.meta cannot be read"), "\(refused.stderr)")
      }
    }
  }

  @Test("a schema from the previous version is migrated, its rows kept; the views read them")
  func migratesFromThePreviousVersion() throws {
    let database = try TestTeamDatabase()
    let old = try TeamSchema.migrate(try database.connection(), to: TeamSchema.version - 1)
    try database.connection().execute(
      """
      INSERT INTO octo.events (event_id, at, project, model, model_raw, tin, tout, cw5m, cw1h, cr, cost, pushed_by,
        pushed_from)
      VALUES ('kept', '2026-03-18T23:30:00Z', 'github.com/acme/shop', 'gpt-5', 'gpt-5', 1, 2, 3, 4, 5, 0.25, 'a', 'b')
      """)
    let space = try TeamWorkspace()
    let output = try space.octo(["team", "init", "--url", database.url, "--cycle-day", "19", "--tz", "Europe/Berlin"])
    #expect(output.contains("from version \(TeamSchema.version - 1) to \(TeamSchema.version)"))
    #expect(try database.value("SELECT value FROM octo.meta WHERE key = 'databaseId'") == old.databaseID)
    #expect(
      try database.rows("SELECT day::text, project, events::text, cost::text FROM octo.daily") == [
        ["2026-03-19", "github.com/acme/shop", "1", "0.25"]
      ])
    #expect(
      try database.rows("SELECT cycle_start::text, cycle_end::text, cost::text FROM octo.cycles") == [
        ["2026-03-19", "2026-04-18", "0.25"]
      ])
    #expect(
      try database.rows("SELECT cycle_start::text, cycle_end::text FROM octo.cycles_on(31)") == [
        ["2026-02-28", "2026-03-30"]
      ])
  }

  @Test("push sends every event once; pushing again with nothing new is one query and sends nothing")
  func pushIsIncremental() throws {
    let database = try TestTeamDatabase()
    let (space, shop, _) = try populated()
    try space.octo(["team", "init", "--url", database.url])
    let first = try space.json(["team", "push", "--url", database.url, "--json"])
    #expect(first["pushed"]?.intValue == 3 && first["written"]?.intValue == 3 && first["read"]?.intValue == 2)
    #expect(try database.value("SELECT count(*) FROM octo.events") == "3")
    #expect(try database.value("SELECT sum(cost)::text FROM octo.events") == "1.300000000001")
    let row = try database.rows(
      "SELECT project, model, tout::text, pushed_by IS NOT NULL, commit IS NOT NULL FROM octo.events WHERE tout = 70")
    #expect(row == [["github.com/acme/api", "gpt-5", "70", "t", "t"]])

    let second = try space.json(["team", "push", "--url", database.url, "--json"])
    #expect(second["pushed"]?.intValue == 0 && second["unchanged"]?.intValue == 2)
    #expect(second["commands"]?.intValue == 1)
    #expect(try space.octo(["team", "push", "--url", database.url]).contains("is up to date"))

    try space.commitUsage([("gpt-5", 10, "2", "2026-04-21T10:00:00Z", nil)], in: shop, message: "more")
    let third = try space.json(["team", "push", "--url", database.url, "--json"])
    #expect(third["pushed"]?.intValue == 1 && third["unchanged"]?.intValue == 1)
    #expect(try database.value("SELECT count(*) FROM octo.events") == "4")
  }

  @Test("team report --by model equals the local rollup of the same repositories (a clone and a bare mirror too)")
  func reportEqualsTheLocalRollup() throws {
    let database = try TestTeamDatabase()
    let (space, shop, _) = try populated()
    let clone = space.root + "/shop-copy"
    try space.git(["clone", "-q", shop, clone], in: space.root)
    try space.git(["config", "user.email", "copy@example.com"], in: clone)
    try space.git(["config", "user.name", "Copy"], in: clone)
    try space.octo(["install"], in: clone)
    try space.git(["fetch", "-q", "origin", "refs/notes/*:refs/notes/*"], in: clone)
    try space.git(["remote", "set-url", "origin", "https://github.com/Acme/Shop"], in: clone)
    try space.octo(["repos", "add", clone])
    // Half past midnight in Brussels in summer, the evening before at a fixed UTC+1.
    try space.commitUsage([("claude-haiku-4-5", 5, "0.01", "2026-07-01T22:30:00Z", nil)], in: clone, message: "c")
    let mirrors = space.root + "/mirrors"
    try FileManager.default.createDirectory(atPath: mirrors, withIntermediateDirectories: true)
    try space.git(["clone", "-q", "--mirror", clone, mirrors + "/shop.git"], in: space.root)
    try space.octo(["repos", "scan", mirrors])
    try space.octo(["team", "init", "--url", database.url])
    try space.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT count(*) FROM octo.events") == "4")
    for arguments in [
      ["--by", "model"], ["--by", "repo"], ["--by", "cycle,repo", "--cycle-day", "19", "--tz", "Europe/Berlin"],
      ["--by", "week,model", "--tz", "UTC", "--since", "2026-03-19", "--until", "2026-04-30"],
      ["--by", "day", "--tz", "CET"], ["--by", "model", "--repos", shop + "/"],
      // Fixed offsets: east of Greenwich for both (PostgreSQL alone would read UTC+3 as POSIX does, west).
      ["--by", "day", "--tz", "UTC+3"], ["--by", "day", "--tz", "GMT-0530"],
    ] {
      let local = try space.json(["rollup", "--format", "json"] + arguments)
      let team = try space.json(["team", "report", "--url", database.url, "--format", "json"] + arguments)
      #expect(team["rows"] == local["rows"], "rows for \(arguments)")
      #expect(team["total"] == local["total"], "total for \(arguments)")
      #expect(team["schema"]?.stringValue == "octo-git.rollup/1")
    }
    // A project the database holds nothing of is said (a typo read as an empty report before).
    let unknown = try space.run(["team", "report", "--url", database.url, "--repos", "nosuch", "--format", "csv"])
    #expect(unknown.status == ExitStatus.badInput.rawValue && unknown.stderr.contains("no events of 'nosuch'"))
    let table = try space.octo(["team", "report", "--url", database.url, "--by", "model"])
    #expect(table.contains("claude-sonnet-4-5") && table.contains("total"))
    let csv = try space.octo(["team", "report", "--url", database.url, "--by", "repo", "--format", "csv"])
    #expect(csv.hasPrefix("repo,events,"))
  }

  @Test("two machines pushing one project at once count each event once")
  func twoPushersAtOnce() throws {
    let database = try TestTeamDatabase()
    let (first, shop, _) = try populated()
    // A second machine: its own home and registry, a clone of the shop with its notes and more events.
    let second = try TeamWorkspace(name: "unused")
    let clone = second.root + "/shop"
    try second.git(["clone", "-q", shop, clone], in: second.root)
    try second.git(["fetch", "-q", "origin", "refs/notes/*:refs/notes/*"], in: clone)
    try second.git(["remote", "set-url", "origin", "git@github.com:Acme/Shop.git"], in: clone)
    try second.git(["config", "user.email", "second@example.com"], in: clone)
    try second.octo(["install"], in: clone)
    try second.commitUsage([("gpt-5", 20, "0.5", "2026-04-22T10:00:00Z", nil)], in: clone)
    try first.octo(["team", "init", "--url", database.url])
    // Both pushes at once, as `space.run` makes them (the workspaces are not `Sendable`: their folders are).
    let url = database.url
    let statuses = WorkerPool.map([(first.root, first.home), (second.root, second.home)]) { place in
      let push = try? OctoGitBinary.run(
        ["team", "push", "--url", url], in: place.0, home: place.1, environment: ["OCTO_GIT_TEAM_URL": ""])
      return push?.status ?? -1
    }
    #expect(statuses == [0, 0])
    #expect(try database.value("SELECT count(*) FROM octo.events") == "4")
    #expect(try database.value("SELECT sum(cost)::text FROM octo.events") == "1.800000000001")
  }

  @Test("of two copies of an event the one with more output wins, whichever is pushed first")
  func mostOutputWins() throws {
    let database = try TestTeamDatabase()
    let space = try TeamWorkspace()
    let low = try space.repository("low", origin: "https://example.com/low.git")
    let high = try space.repository("high", origin: "https://example.com/high.git")
    let middle = try space.repository("middle", origin: "https://example.com/middle.git")
    try space.commitUsage([("claude-sonnet-4-5", 50, "0.1", "2026-05-01T10:00:00Z", "evt-shared")], in: low)
    try space.commitUsage([("gpt-5", 80, "0.3", "2026-05-01T10:00:00Z", "evt-shared")], in: high)
    try space.commitUsage([("claude-haiku-4-5", 60, "0.2", "2026-05-01T10:00:00Z", "evt-shared")], in: middle)
    try space.octo(["team", "init", "--url", database.url])
    let ledger = try TeamLedger(url: try TeamDatabaseURL.resolve(flag: database.url, config: nil))
    let entries = try space.entries()
    func push(_ path: String) throws {
      _ = try ledger.push(entries.filter { $0.path == path }, statePath: space.statePath)
    }
    try push(low)
    #expect(
      try database.rows("SELECT tout::text, model, project FROM octo.events") == [
        ["50", "claude-sonnet-4-5", "example.com/low"]
      ])
    try push(high)
    try push(middle)
    #expect(
      try database.rows("SELECT tout::text, model, project FROM octo.events") == [["80", "gpt-5", "example.com/high"]])
    // The local rollup agrees.
    let local = try space.json(["rollup", "--by", "model", "--format", "json"])
    let team = try space.json(["rollup", "--team", "--url", database.url, "--by", "model", "--format", "json"])
    #expect(team["rows"] == local["rows"] && team["total"] == local["total"])
  }

  @Test("a recreated database gets everything again; a push cut off midway, repeated, counts each event once")
  func recreatedAndInterrupted() throws {
    let database = try TestTeamDatabase()
    let (space, _, _) = try populated()
    try space.octo(["team", "init", "--url", database.url])
    let before = try space.json(["team", "push", "--url", database.url, "--json"])
    #expect(before["pushed"]?.intValue == 3)
    try database.recreate()
    try space.octo(["team", "init", "--url", database.url])
    let after = try space.json(["team", "push", "--url", database.url, "--json"])
    #expect(after["pushed"]?.intValue == 3 && after["database"] != before["database"])
    #expect(try database.value("SELECT count(*) FROM octo.events") == "3")
    // Rows lost under the same database id (a backup restored, rows deleted by hand): the next push sees the
    // database holds fewer events than a repository here had, reads every repository and sends them again.
    _ = try database.rows("DELETE FROM octo.events")
    let lost = try space.run(["team", "push", "--url", database.url, "--json"])
    let refilled = try CanonicalJSON.parse(lost.stdout)
    #expect(refilled["databaseLostEvents"] == .bool(true) && refilled["pushed"]?.intValue == 3, "\(lost.stdout)")
    #expect(try database.value("SELECT count(*) FROM octo.events") == "3")
    let settled = try space.json(["team", "push", "--url", database.url, "--json"])
    #expect(settled["databaseLostEvents"] == .bool(false) && settled["pushed"]?.intValue == 0, "\(settled)")

    // Cut off after the first batch (one repository per batch here), then pushed again.
    try database.recreate()
    try space.octo(["team", "init", "--url", database.url])
    let ledger = try TeamLedger(url: try TeamDatabaseURL.resolve(flag: database.url, config: nil))
    var options = TeamPush.Options()
    options.batchBytes = 1
    options.afterBatch = { number in if number == 1 { throw OctoError("cut off") } }
    #expect(throws: OctoError.self) {
      try ledger.push(try space.entries(), statePath: space.statePath, options: options)
    }
    #expect(try database.value("SELECT count(*) FROM octo.events") != "3")
    let again = try ledger.push(try space.entries(), statePath: space.statePath)
    #expect(again.unchanged == 0)
    #expect(try database.value("SELECT count(*) FROM octo.events") == "3")
    #expect(try database.value("SELECT sum(cost)::text FROM octo.events") == "1.300000000001")
  }

  @Test("the server down or gone midway: one line, exit 6; a newer schema is refused; no permission is said")
  func failures() throws {
    let database = try TestTeamDatabase()
    let (space, _, _) = try populated()
    // Nothing listens on port 1.
    let down = try space.run(["team", "push", "--url", "postgresql://octo_test:secret@127.0.0.1:1/none"])
    #expect(down.status == ExitStatus.unavailable.rawValue)
    #expect(down.stderr.hasPrefix("octo-git: cannot reach the team database 127.0.0.1:1/none"))
    #expect(down.stderr.split(separator: "\n").count == 1 && !down.stderr.contains("secret"))
    // A setting libpq refuses is the URL's fault, not the network's: bad input.
    let bogus = try space.run(["team", "push", "--url", "postgresql://octo_test@127.0.0.1:1/none?sslmode=bogus"])
    #expect(bogus.status == ExitStatus.badInput.rawValue, "\(bogus.stderr)")

    try space.octo(["team", "init", "--url", database.url])
    // The server ends the session midway (as when it stops).
    let ledger = try TeamLedger(url: try TeamDatabaseURL.resolve(flag: database.url, config: nil))
    let pid = try ledger.connection.execute("SELECT pg_backend_pid()")[0, 0] ?? "0"
    try TestTeamDatabase.admin { try $0.execute("SELECT pg_terminate_backend(\(pid))") }
    do {
      _ = try ledger.push(try space.entries(), statePath: space.statePath)
      Issue.record("the push worked on a terminated connection")
    } catch let error as OctoError {
      #expect(error.status == .unavailable && error.message.contains("lost the connection"))
    }

    // Not initialised: said so.
    let empty = try TestTeamDatabase()
    let uninitialised = try space.run(["team", "push", "--url", empty.url])
    #expect(uninitialised.status == 1 && uninitialised.stderr.contains("team init"))

    // A schema newer than this octo-git: no writes, and which version is needed.
    try database.connection().execute(
      "UPDATE octo.meta SET value = '99' WHERE key = 'schemaVersion'; "
        + "UPDATE octo.meta SET value = '9.9.9' WHERE key = 'migratedBy'"
    )
    let newer = try space.run(["team", "push", "--url", database.url])
    #expect(newer.status == 1 && newer.stderr.contains("schema version 99") && newer.stderr.contains("9.9.9"))
    let reinit = try space.run(["team", "init", "--url", database.url])
    #expect(reinit.status == 1 && reinit.stderr.contains("newer"))
    #expect(try database.value("SELECT count(*) FROM octo.events") == "0")

    // A role without rights on the schema.
    let role = "octo_reader_" + UUID().uuidString.prefix(8).lowercased()
    try TestTeamDatabase.admin { try $0.execute("CREATE ROLE \(role) LOGIN") }
    defer { try? TestTeamDatabase.admin { try $0.execute("DROP ROLE IF EXISTS \(role)") } }
    let other = try TestTeamDatabase()
    try space.octo(["team", "init", "--url", other.url])
    let denied = try space.run(["team", "push", "--url", try TestTeamDatabase.url(database: other.name, user: role)])
    #expect(denied.status == 1 && denied.stderr.contains("permission denied"))
    // Granted what pushing needs, not CREATE: team init on the current schema says it is up to date.
    try other.connection().execute(
      "GRANT USAGE ON SCHEMA octo TO \(role); GRANT SELECT ON octo.meta TO \(role); "
        + "GRANT SELECT, INSERT, UPDATE, DELETE ON octo.events TO \(role)")
    let pusher = try TestTeamDatabase.url(database: other.name, user: role)
    let reinitialised = try space.run(["team", "init", "--url", pusher])
    #expect(reinitialised.status == 0 && reinitialised.stdout.contains("up to date"), "\(reinitialised.stderr)")
    try space.octo(["team", "init", "--url", other.url, "--tz", "Europe/Berlin"])
    let sameZone = try space.run(["team", "init", "--url", pusher, "--tz", "Europe/Berlin"])
    #expect(sameZone.status == 0, "\(sameZone.stderr)")
    let pushed = try space.run(["team", "push", "--url", pusher])
    #expect(pushed.status == 0, "\(pushed.stderr)")
    // Without DELETE, a note removed leaves its rows, said once; the push goes on.
    try other.connection().execute("REVOKE DELETE ON octo.events FROM \(role)")
    try space.git(["notes", "--ref=octo/usage", "remove", "HEAD"], in: space.first.path)
    let kept = try space.run(["team", "push", "--url", pusher])
    #expect(kept.status == 0 && kept.stderr.contains("may not DELETE on octo.events"), "\(kept.stderr)")
  }

  @Test("the URL comes from --url, OCTO_GIT_TEAM_URL or git config; a password in git config is refused")
  func urlSources() throws {
    let space = try TeamWorkspace()
    try space.git(
      ["config", "--global", "octo.teamUrl", "postgresql://me:hunter2@db.example.com/team"], in: space.root)
    let refused = try space.run(["team", "push"])
    #expect(refused.status == ExitStatus.badInput.rawValue && refused.stderr.contains("holds a password"))
    #expect(!refused.stderr.contains("hunter2"))
    #expect(throws: OctoError.self) { try TeamDatabaseURL.resolve(flag: nil, environment: [:], config: nil) }
    let fromEnvironment = try TeamDatabaseURL.resolve(
      flag: nil, environment: ["OCTO_GIT_TEAM_URL": "postgresql://me@db.example.com:6543/team?sslmode=require"],
      config: nil)
    #expect(fromEnvironment.source == .environment && fromEnvironment.displayName == "db.example.com:6543/team")
    let fromFlag = try TeamDatabaseURL.resolve(
      flag: "host=db.example.com dbname=other", environment: ["OCTO_GIT_TEAM_URL": "postgresql://x@y/z"], config: nil)
    #expect(fromFlag.source == .flag && fromFlag.displayName == "db.example.com/other")
    // A password given on the command line is used, never shown.
    let flagged = try TeamDatabaseURL.resolve(flag: "postgresql://me:hunter2@db.example.com/team", config: nil)
    #expect(!flagged.displayName.contains("hunter2"))
    #expect(flagged.connectionSettings(environment: [:]).first?.keyword == "connect_timeout")
    // A URL libpq cannot read: its message quotes the URL or the token, which may be the password.
    for broken in [
      "postgresql://alice:EnvSecret9@[::1/octo", "postgresql://bob:Cfg%Secret@db/octo", "password='Tick3t",
    ] {
      let unread = try space.run(["team", "push"], environment: ["OCTO_GIT_TEAM_URL": broken])
      #expect(unread.status == ExitStatus.badInput.rawValue && unread.stderr.contains("cannot be read"))
      for secret in ["EnvSecret9", "Cfg%Secret", "Secret", "Tick3t"] { #expect(!unread.stderr.contains(secret)) }
    }
    #expect(
      PostgresLibrary.withoutQuotedParts(#"missing "=" after "hunter2" in connection info string"#)
        == #"missing "…" in connection info string"#)
    #expect(
      PostgresLibrary.withoutQuotedParts(#"invalid percent-encoded token: "a"SECRETb%zz""#)
        == #"invalid percent-encoded token: "…""#)
    #expect(PostgresLibrary.withoutQuotedParts(#"unterminated "secret"#) == #"unterminated "…""#)
  }
}
