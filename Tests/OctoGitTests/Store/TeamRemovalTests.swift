import Foundation
import Testing

@testable import OctoGit

/// What leaves the team database, and what moves in it: rows of removed notes, a renamed origin.
@Suite(
  "Team ledger: rows of removed notes and renamed origins", .serialized,
  .enabled(if: TestTeamDatabase.serverURL != nil, "OCTO_TEST_POSTGRES_URL names no server (make test starts one)"))
struct TeamRemovalTests {
  @Test("a note removed takes its events' rows out at the next push; a copy the repository holds elsewhere stays")
  func removedNotes() throws {
    let database = try TestTeamDatabase()
    let (space, shop, _) = try TeamLedgerTests().populated()
    try space.commitUsage([("gpt-5", 30, "0.4", "2026-04-21T10:00:00Z", "evt-copied")], in: shop, message: "a")
    let copiedFrom = try space.git(["rev-parse", "HEAD"], in: shop).trimmingCharacters(in: .whitespacesAndNewlines)
    // A second copy, as a rebase's notes rewrite leaves one.
    try space.git(["commit", "-q", "--allow-empty", "-m", "b"], in: shop)
    let copiedTo = try space.git(["rev-parse", "HEAD"], in: shop).trimmingCharacters(in: .whitespacesAndNewlines)
    try space.git(["notes", "--ref=octo/usage", "copy", copiedFrom, copiedTo], in: shop)
    #expect(try space.git(["notes", "--ref=octo/usage", "show", copiedTo], in: shop).contains("evt-copied"))
    try space.octo(["team", "init", "--url", database.url])
    try space.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT count(*) FROM octo.events") == "4")
    let held = try #require(try database.value("SELECT commit FROM octo.events WHERE event_id = 'evt-copied'"))
    #expect([copiedFrom, copiedTo].contains(held))
    let other = held == copiedFrom ? copiedTo : copiedFrom

    // The copy the database holds goes with its note; the other copy takes its place.
    try space.git(["notes", "--ref=octo/usage", "remove", held], in: shop)
    let moved = try space.json(["team", "push", "--url", database.url, "--json"])
    #expect(moved["removed"]?.intValue == 1)
    #expect(try database.value("SELECT commit FROM octo.events WHERE event_id = 'evt-copied'") == other)

    // A note removed whole: its events leave the team's totals, which agree with the local rollup again.
    let firstNoted = try space.git(["notes", "--ref=octo/usage", "list"], in: shop).split(separator: "\n")
      .map { String($0.split(separator: " ")[1]) }.filter { $0 != other }
    #expect(firstNoted.count == 1)
    try space.git(["notes", "--ref=octo/usage", "remove", firstNoted[0]], in: shop)
    let pushed = try space.octo(["team", "push", "--url", database.url])
    #expect(pushed.contains("2 removed with their notes"), "\(pushed)")
    #expect(try database.value("SELECT count(*) FROM octo.events") == "2")
    let local = try space.json(["rollup", "--format", "json", "--by", "repo"])
    let team = try space.json(["team", "report", "--url", database.url, "--format", "json", "--by", "repo"])
    #expect(team["total"] == local["total"])

    // A row another machine pushed stays: its notes may still hold the event.
    try space.commitUsage([("gpt-5", 5, "0.05", "2026-04-23T09:00:00Z", "evt-theirs")], in: shop, message: "theirs")
    try space.octo(["team", "push", "--url", database.url])
    try database.connection().execute("UPDATE octo.events SET pushed_from = 'elsewhere' WHERE event_id = 'evt-theirs'")
    try space.git(["notes", "--ref=octo/usage", "remove", "HEAD"], in: shop)
    #expect(try space.json(["team", "push", "--url", database.url, "--json"])["removed"]?.intValue == 0)
    #expect(try database.value("SELECT count(*) FROM octo.events WHERE event_id = 'evt-theirs'") == "1")

    // push --all sends everything, and still takes out what a removed note held.
    try space.commitUsage([("gpt-5", 5, "0.05", "2026-04-23T10:00:00Z", "evt-late")], in: shop, message: "late")
    try space.octo(["team", "push", "--url", database.url])
    try space.git(["notes", "--ref=octo/usage", "remove", "HEAD"], in: shop)
    let all = try space.json(["team", "push", "--url", database.url, "--all", "--json"])
    #expect(all["removed"]?.intValue == 1)
    #expect(try database.value("SELECT count(*) FROM octo.events WHERE event_id = 'evt-late'") == "0")
  }

  @Test("push --all takes out this machine's rows whose events no note holds, never others', never on doubt")
  func reconciledRows() throws {
    let database = try TestTeamDatabase()
    let (space, shop, _) = try TeamLedgerTests().populated()
    try space.octo(["team", "init", "--url", database.url])
    try space.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT count(*) FROM octo.events") == "3")
    // The notes of the shop's commit go while nothing records what was pushed (an older octo-git, or its
    // push state lost): no delta can tell. One of its two rows was pushed by another machine.
    try database.connection().execute(
      "UPDATE octo.events SET pushed_from = 'elsewhere' WHERE event_id IN "
        + "(SELECT event_id FROM octo.events WHERE project = 'github.com/acme/shop' ORDER BY event_id LIMIT 1)")
    try space.git(["notes", "--ref=octo/usage", "remove", "HEAD"], in: shop)
    try FileManager.default.removeItem(atPath: space.statePath)
    // A plain push cannot tell (it re-ranks, removes nothing); and a clone of the shop without notes yet, or
    // a registered folder that is gone, could hold the events: --all takes nothing out then.
    #expect(try space.json(["team", "push", "--url", database.url, "--json"])["removed"]?.intValue == 0)
    let bare = space.root + "/shop-clone"
    try space.git(["clone", "-q", shop, bare], in: space.root)
    try space.octo(["repos", "add", bare])
    #expect(try space.json(["team", "push", "--url", database.url, "--all", "--json"])["removed"]?.intValue == 0)
    try space.octo(["repos", "remove", bare])
    let pushed = try space.json(["team", "push", "--url", database.url, "--all", "--json"])
    #expect(pushed["removed"]?.intValue == 1)
    #expect(try database.value("SELECT count(*) FROM octo.events WHERE project = 'github.com/acme/shop'") == "1")
    #expect(
      try database.value("SELECT pushed_from FROM octo.events WHERE project = 'github.com/acme/shop'") == "elsewhere")
    #expect(try database.value("SELECT count(*) FROM octo.events WHERE project = 'github.com/acme/api'") == "1")
  }

  @Test("a removed note's event held by another registered repository (a fork) comes back with its copy")
  func forkCopyReturns() throws {
    let database = try TestTeamDatabase()
    let space = try TeamWorkspace()
    let upstream = try space.repository("upstream", origin: "https://example.com/up.git")
    let fork = try space.repository("fork", origin: "https://example.com/fork.git")
    try space.commitUsage([("gpt-5", 20, "0.2", "2026-05-01T10:00:00Z", "evt-shared")], in: upstream)
    try space.commitUsage([("gpt-5", 10, "0.1", "2026-05-01T10:00:00Z", "evt-shared")], in: fork)
    try space.octo(["team", "init", "--url", database.url])
    try space.octo(["team", "push", "--url", database.url])
    #expect(try database.rows("SELECT project, tout::text FROM octo.events") == [["example.com/up", "20"]])
    try space.git(["notes", "--ref=octo/usage", "remove", "HEAD"], in: upstream)
    let pushed = try space.json(["team", "push", "--url", database.url, "--json"])
    #expect(pushed["removed"]?.intValue == 1)
    #expect(try database.rows("SELECT project, tout::text FROM octo.events") == [["example.com/fork", "10"]])
  }

  @Test("an origin renamed: push --all takes the repository's rows to its new project name")
  func renamedOrigin() throws {
    let database = try TestTeamDatabase()
    let (space, shop, _) = try TeamLedgerTests().populated()
    try space.octo(["team", "init", "--url", database.url])
    try space.octo(["team", "push", "--url", database.url])
    try space.git(["remote", "set-url", "origin", "git@github.com:Acme/Storefront.git"], in: shop)
    try space.commitUsage([("gpt-5", 10, "0.1", "2026-04-22T10:00:00Z", nil)], in: shop, message: "more")
    try space.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT count(*) FROM octo.events WHERE project = 'github.com/acme/shop'") == "2")
    try space.octo(["team", "push", "--url", database.url, "--all"])
    #expect(try database.value("SELECT count(*) FROM octo.events WHERE project = 'github.com/acme/shop'") == "0")
    #expect(try database.value("SELECT count(*) FROM octo.events WHERE project = 'github.com/acme/storefront'") == "3")
    // Pushing everything again changes nothing more.
    let again = try space.json(["team", "push", "--url", database.url, "--all", "--json"])
    #expect(again["written"]?.intValue == 0)
  }

  @Test("a note rewritten to a smaller copy of an event: the team's row follows it, as the rollup does")
  func rewrittenToSmaller() throws {
    let database = try TestTeamDatabase()
    let (space, shop, _) = try TeamLedgerTests().populated()
    try space.commitUsage([("gpt-5", 30, "1", "2026-04-21T10:00:00Z", "evt-shrunk")], in: shop, message: "a")
    try space.octo(["team", "init", "--url", database.url])
    try space.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT cost FROM octo.events WHERE event_id = 'evt-shrunk'") == "1")
    let smaller =
      #"{"at":"2026-04-21T10:00:00.000Z","cost":0.5,"id":"evt-shrunk","in":100,"model":"gpt-5","out":30,"v":1}"#
    try space.git(["notes", "--ref=octo/usage", "add", "-f", "-m", smaller, "HEAD"], in: shop)
    try space.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT cost FROM octo.events WHERE event_id = 'evt-shrunk'") == "0.5")
    let local = try space.json(["rollup", "--format", "json", "--by", "repo"])
    let team = try space.json(["team", "report", "--url", database.url, "--format", "json", "--by", "repo"])
    #expect(team["total"] == local["total"])
  }

  @Test("another machine's removed or worse copy: a machine still holding a better one sends it at its next push")
  func otherMachinesCopies() throws {
    let database = try TestTeamDatabase()
    let one = try TeamWorkspace(name: "shop")
    let shop = one.first.path
    try one.git(["remote", "add", "origin", "git@github.com:acme/shop.git"], in: shop)
    let line = { (cost: String) in
      #"{"at":"2026-04-21T10:00:00.000Z","cost":"# + cost
        + #","id":"evt-shared","in":100,"model":"gpt-5","out":30,"v":1}"#
    }
    try one.git(["notes", "--ref=octo/usage", "add", "-m", line("1"), "HEAD"], in: shop)
    try one.octo(["repos", "add", shop])
    // A second machine (its own home, registry, push state and identity) with a clone holding the same note.
    let two = try TeamWorkspace(name: "laptop")
    try Data("[user]\n\temail = two@example.com\n".utf8).write(to: URL(fileURLWithPath: two.home + "/.gitconfig"))
    let clone = two.root + "/shop-clone"
    try two.git(["clone", "-q", shop, clone], in: two.root)
    try two.git(["fetch", "-q", "origin", "refs/notes/*:refs/notes/*"], in: clone)
    try two.git(["remote", "set-url", "origin", "https://github.com/acme/shop"], in: clone)
    try two.octo(["repos", "add", clone])
    try one.octo(["team", "init", "--url", database.url])
    try one.octo(["team", "push", "--url", database.url])
    try two.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT count(*) FROM octo.events") == "1")

    // The second machine's octo-git is older (it kept no number of what it saw): it reads every event taken out.
    let twoState = try TeamPushState(path: two.home + "/.local/share/octo-git/team.sqlite")
    try twoState.database.write { try $0.execute(sql: "DELETE FROM forgotten_seen") }
    // The first machine removes its note: its row goes; the second machine's next push brings its copy back.
    try one.git(["notes", "--ref=octo/usage", "remove", "HEAD"], in: shop)
    try one.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT count(*) FROM octo.events") == "0")
    try two.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT cost FROM octo.events WHERE event_id = 'evt-shared'") == "1")
    // Nothing new since: one query again.
    #expect(try two.json(["team", "push", "--url", database.url, "--json"])["commands"]?.intValue == 1)

    // Another event, pushed first by the first machine, then rewritten there to a worse copy: its row follows
    // that machine's note; the second machine's next push puts its better copy back.
    try one.git(["commit", "-q", "--allow-empty", "-m", "more"], in: shop)
    let other = { (cost: String) in line(cost).replacingOccurrences(of: "evt-shared", with: "evt-other") }
    try one.git(["notes", "--ref=octo/usage", "add", "-m", other("2"), "HEAD"], in: shop)
    let newer = try one.git(["rev-parse", "HEAD"], in: shop).trimmingCharacters(in: .whitespacesAndNewlines)
    try two.git(["fetch", "-q", shop, "main"], in: clone)
    try two.git(["notes", "--ref=octo/usage", "add", "-m", other("2"), newer], in: clone)
    try one.octo(["team", "push", "--url", database.url])
    try two.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT pushed_by FROM octo.events WHERE event_id = 'evt-other'") != "two@example.com")
    try one.git(["notes", "--ref=octo/usage", "add", "-f", "-m", other("0.5"), "HEAD"], in: shop)
    try one.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT cost FROM octo.events WHERE event_id = 'evt-other'") == "0.5")
    try two.octo(["team", "push", "--url", database.url])
    #expect(try database.value("SELECT cost FROM octo.events WHERE event_id = 'evt-other'") == "2")
    let numbered = try database.rows("SELECT event_id, pushed_by FROM octo.forgotten ORDER BY seq")
    #expect(numbered.map { $0[0] } == ["evt-shared", "evt-other"], "\(numbered)")
  }
}
