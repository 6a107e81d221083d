import Foundation
import Testing

@testable import OctoGit

@Suite("Repository registry and cross-repository rollup")
struct RollupTests {
  /// Several repositories under one private home (whose ~/.local/share holds the rollup database).
  final class Workspace {
    let first: TestRepository
    var home: String { first.home }
    var root: String { first.root }
    var store: RollupStore { get throws { try RollupStore(path: home + "/.local/share/octo-git/rollup.sqlite") } }

    init() throws { first = try TestRepository(name: "shop") }

    /// A new repository beside the first, sharing its home.
    func repository(_ name: String, origin: String?) throws -> String {
      try first.sibling(name, origin: origin)
    }

    @discardableResult
    func git(_ arguments: [String], in directory: String) throws -> String {
      try first.gitRaw(arguments, in: directory)
    }

    @discardableResult
    func octo(_ arguments: [String], in directory: String) throws -> String {
      try first.octo(arguments, in: directory)
    }

    /// Records events (model, cost, time) and commits them through the installed post-commit hook.
    func commitUsage(_ events: [(String, String, String)], in directory: String, message: String = "work") throws {
      for (model, cost, at) in events {
        try octo(
          ["usage", "record", "--model", model, "--in", "100", "--out", "50", "--cost", cost, "--at", at], in: directory
        )
      }
      try git(["commit", "-q", "--allow-empty", "-m", message], in: directory)
    }

    func rollup(_ arguments: [String]) throws -> JSONValue {
      try CanonicalJSON.parse(try octo(["rollup", "--json"] + arguments, in: root))
    }
  }

  @Test("install registers; clones of one project are one project; scan finds repositories down to --depth; remove")
  func registry() throws {
    let space = try Workspace()
    try space.git(["remote", "add", "origin", "git@github.com:Acme/Shop.git"], in: space.first.path)
    let installed = try space.octo(["install"], in: space.first.path)
    #expect(installed.contains("registered for the rollup as github.com/acme/shop"))
    // Uninstall keeps the registration (the notes stay the record of what was spent) and says so.
    let uninstalled = try space.octo(["uninstall"], in: space.first.path)
    #expect(uninstalled.contains("still registered for the rollup as github.com/acme/shop"))
    #expect(uninstalled.contains("octo-git repos remove '\(space.first.path)'"))
    try space.octo(["install"], in: space.first.path)
    let clone = try space.repository("shop-clone", origin: "https://github.com/acme/shop.git")
    // From a linked worktree, the main work tree is what gets registered.
    try space.git(["worktree", "add", "-q", "-b", "side", space.root + "/shop-side"], in: clone)
    try space.octo(["repos", "add"], in: space.root + "/shop-side")
    var listed = try CanonicalJSON.parse(try space.octo(["repos", "list", "--json"], in: space.root)).arrayValue ?? []
    #expect(listed.map { $0["path"]?.stringValue } == [space.first.path, clone])
    #expect(Set(listed.compactMap { $0["project"]?.stringValue }) == ["github.com/acme/shop"])

    let nested = space.root + "/clients/acme"
    try FileManager.default.createDirectory(atPath: nested, withIntermediateDirectories: true)
    let shallow = try space.repository("clients/one", origin: nil)
    let deep = try space.repository("clients/acme/two", origin: "git@example.com:acme/two.git")
    let first = try CanonicalJSON.parse(
      try space.octo(["repos", "scan", "clients", "--depth", "1", "--json"], in: space.root))
    #expect(first["added"]?.arrayValue?.map(\.stringValue) == [shallow])
    let second = try CanonicalJSON.parse(
      try space.octo(["repos", "scan", space.root + "/clients", "--json"], in: space.root))
    #expect(second["added"]?.arrayValue?.map(\.stringValue) == [deep])
    #expect(second["known"]?.arrayValue?.map(\.stringValue) == [shallow])

    let removed = try space.octo(["repos", "remove", "https://GitHub.com/Acme/Shop"], in: space.root)
    #expect(removed.contains(space.first.path) && removed.contains(clone))
    listed = try CanonicalJSON.parse(try space.octo(["repos", "list", "--json"], in: space.root)).arrayValue ?? []
    #expect(listed.compactMap { $0["project"]?.stringValue }.sorted() == [shallow, "example.com/acme/two"].sorted())
    let unknown = try OctoGitBinary.run(["repos", "remove", "/nowhere"], in: space.root, home: space.home)
    #expect(unknown.status == ExitStatus.badInput.rawValue && unknown.stderr.contains("not registered"))
    // An empty argument (a script's unset variable) is no repository, never "this one".
    for command in ["add", "remove"] {
      let empty = try OctoGitBinary.run(["repos", command, ""], in: shallow, home: space.home)
      #expect(empty.status == ExitStatus.usage.rawValue, "\(command): \(empty.stderr)")
    }
    #expect(try space.octo(["repos", "list"], in: space.root).contains(shallow))
    // --out - is standard output.
    let toStdout = try OctoGitBinary.run(["rollup", "--out", "-", "--format", "csv"], in: space.root, home: space.home)
    #expect(toStdout.status == 0 && toStdout.stdout.hasPrefix("repo,") && !toStdout.stderr.contains("wrote"))
    #expect(!FileManager.default.fileExists(atPath: space.root + "/-"))
    // A team database named without --team is not silently ignored.
    let urlAlone = try OctoGitBinary.run(
      ["rollup", "--url", "postgresql://127.0.0.1/x"], in: space.root, home: space.home)
    #expect(urlAlone.status == ExitStatus.usage.rawValue && urlAlone.stderr.contains("add --team"))
  }

  @Test("exact sums across repositories, a clone counted once, billing cycles and weeks in a time zone, incremental")
  func rollup() throws {
    let space = try Workspace()
    let shop = space.first.path
    try space.git(["remote", "add", "origin", "git@github.com:Acme/Shop.git"], in: shop)
    try space.octo(["install"], in: shop)
    // 23:30 UTC on 18 March is 00:30 on the 19th in Berlin; 29 March is after the clocks went forward.
    try space.commitUsage(
      [("claude-sonnet-4-5", "0.1", "2026-03-18T23:30:00Z"), ("claude-sonnet-4-5", "0.2", "2026-03-29T12:00:00Z")],
      in: shop)
    let api = try space.repository("api", origin: "ssh://git@github.com/acme/api.git")
    try space.octo(["install"], in: api)
    try space.commitUsage([("gpt-5", "1.000000000001", "2026-04-20T10:00:00Z")], in: api)
    // A second clone of the shop, with its notes: the same events, counted once.
    let clone = space.root + "/shop-copy"
    try space.git(["clone", "-q", shop, clone], in: space.root)
    try space.git(["fetch", "-q", "origin", "refs/notes/*:refs/notes/*"], in: clone)
    try space.git(["remote", "set-url", "origin", "https://github.com/Acme/Shop"], in: clone)
    try space.octo(["repos", "add", clone], in: space.root)

    let byRepo = try space.rollup([])
    let rows = byRepo["rows"]?.arrayValue ?? []
    #expect(rows.map { $0["keys"]?["repo"]?.stringValue } == ["github.com/acme/api", "github.com/acme/shop"])
    #expect(rows.map { $0["cost"]?.decimalValue } == [Decimal(string: "1.000000000001"), Decimal(string: "0.3")])
    #expect(rows.map { $0["events"]?.intValue } == [1, 2])
    #expect(byRepo["total"]?["cost"]?.decimalValue == Decimal(string: "1.300000000001"))
    #expect(byRepo["schema"]?.stringValue == "octo-git.rollup/1")

    let cycles = try space.rollup(["--by", "cycle", "--cycle-day", "19", "--tz", "Europe/Berlin"])
    #expect(
      cycles["rows"]?.arrayValue?.map { $0["keys"]?["cycle"]?.stringValue } == [
        "2026-03-19..2026-04-18", "2026-04-19..2026-05-18",
      ])
    #expect(cycles["rows"]?.arrayValue?.first?["cost"]?.decimalValue == Decimal(string: "0.3"))
    let utc = try space.rollup(["--by", "cycle,repo", "--cycle-day", "19", "--tz", "UTC"])
    #expect(
      utc["rows"]?.arrayValue?.first?["keys"]
        == .object(["cycle": .string("2026-02-19..2026-03-18"), "repo": .string("github.com/acme/shop")]))
    let weeks = try space.rollup([
      "--by", "week", "--tz", "Europe/Berlin", "--since", "2026-03-19", "--until", "2026-03-31",
    ])
    #expect(weeks["rows"]?.arrayValue?.map { $0["keys"]?["week"]?.stringValue } == ["2026-W12", "2026-W13"])
    let models = try space.rollup(["--by", "model,repo", "--repos", "git@github.com:acme/api.git"])
    #expect(
      models["rows"]?.arrayValue?.count == 1
        && models["rows"]?.arrayValue?.first?["keys"]?["model"]?.stringValue == "gpt-5")

    // Nothing moved: one ref read per repository, nothing read.
    let store = try space.store
    let refresh = RollupRefresh(store: store)
    #expect(try refresh.run(try store.entries()).unchanged == 3)
    try space.commitUsage([("gpt-5", "2", "2026-04-21T10:00:00Z")], in: api, message: "more")
    let moved = try refresh.run(try store.entries())
    #expect(moved.read == 1 && moved.unchanged == 2 && moved.notesRead == 1)
    #expect(try space.rollup([])["total"]?["cost"]?.decimalValue == Decimal(string: "3.300000000001"))

    // An amended commit keeps its event once.
    try space.git(["commit", "-q", "--amend", "--allow-empty", "-m", "more, amended"], in: api)
    #expect(try space.rollup([])["total"]?["cost"]?.decimalValue == Decimal(string: "3.300000000001"))

    // A repository that is gone is reported and skipped; the rest still adds up.
    try FileManager.default.removeItem(atPath: api)
    let result = try OctoGitBinary.run(["rollup"], in: space.root, home: space.home)
    #expect(result.status == 0)
    #expect(result.stdout.contains("skipped \(api): gone"))
    let afterwards = try space.rollup([])
    #expect(
      afterwards["repositories"]?.arrayValue?.first { $0["path"]?.stringValue == api }?["status"]?.stringValue
        == "skipped")
    #expect(afterwards["total"]?["cost"]?.decimalValue == Decimal(string: "3.300000000001"))
    let bad = try OctoGitBinary.run(["rollup", "--by", "planet"], in: space.root, home: space.home)
    #expect(bad.status == ExitStatus.usage.rawValue && bad.stderr.contains("cannot group by 'planet'"))
  }

  @Test("names first met in a later repository's notes (users, models, branches) are grouped like the first one's")
  func namesAcrossRepositories() throws {
    let space = try Workspace()
    var paths: [String] = []
    for (name, model) in [("alpha", "claude-sonnet-4-5"), ("beta", "gpt-5"), ("gamma", "claude-haiku-4-5")] {
      let path = try space.repository(name, origin: nil)
      try space.git(["checkout", "-q", "-b", "topic-\(name)"], in: path)
      try space.octo(["install"], in: path)
      try space.commitUsage([(model, "0.5", "2026-05-0\(paths.count + 1)T10:00:00Z")], in: path)
      paths.append(path)
    }
    let grouped = try space.rollup(["--by", "user,model,branch"])
    let rows = grouped["rows"]?.arrayValue ?? []
    #expect(rows.count == 3)
    #expect(
      Set(rows.compactMap { $0["keys"]?["model"]?.stringValue }) == ["claude-sonnet-4-5", "gpt-5", "claude-haiku-4-5"])
    #expect(
      Set(rows.compactMap { $0["keys"]?["branch"]?.stringValue }) == ["topic-alpha", "topic-beta", "topic-gamma"])
    #expect(
      Set(rows.compactMap { $0["keys"]?["user"]?.stringValue }) == [
        "alpha@example.com", "beta@example.com", "gamma@example.com",
      ])
    #expect(grouped["total"]?["cost"]?.decimalValue == Decimal(string: "1.5"))
  }

  @Test("--fetch brings each repository's notes from its remote before summing")
  func fetch() throws {
    let space = try Workspace()
    let remote = space.root + "/remote.git"
    try space.git(["init", "-q", "--bare", remote], in: space.root)
    let writer = space.first.path
    try space.git(["remote", "add", "origin", remote], in: writer)
    try space.octo(["install"], in: writer)
    try space.commitUsage([("claude-sonnet-4-5", "0.25", "2026-05-01T09:00:00Z")], in: writer)
    try space.git(["push", "-q", "origin", "main"], in: writer)  // the pre-push hook pushes the notes too
    let reader = space.root + "/reader"
    try space.git(["clone", "-q", remote, reader], in: space.root)
    try space.octo(["repos", "remove", writer], in: space.root)
    try space.octo(["repos", "add", reader], in: space.root)
    #expect(try space.rollup([])["total"]?["events"]?.intValue == 0)
    let fetched = try space.rollup(["--fetch"])
    #expect(fetched["total"]?["cost"]?.decimalValue == Decimal(string: "0.25"))
    #expect(try space.git(["notes", "--ref=octo/usage", "list"], in: reader).split(separator: "\n").count == 1)
  }

  @Test("sums past 64 bits: refused, naming the row where they went past")
  func overflow() throws {
    let space = try Workspace()
    let shop = space.first.path
    try space.git(["remote", "add", "origin", "git@github.com:Acme/Shop.git"], in: shop)
    try space.octo(["repos", "add"], in: shop)
    try space.git(["commit", "-q", "--allow-empty", "-m", "absurd"], in: shop)
    // Each line within bounds (10¹⁵ tokens); ten thousand of them pass 2⁶³.
    let note = (0..<10_000).map {
      #"{"at":"2026-11-01T00:00:00.000Z","id":"ov\#($0)","in":1000000000000000,"model":"m","out":1,"v":1}"#
    }.joined(separator: "\n")
    try Data(note.utf8).write(to: URL(fileURLWithPath: space.root + "/note"))
    try space.git(["notes", "--ref=octo/usage", "add", "-f", "-F", space.root + "/note", "HEAD"], in: shop)
    let result = try OctoGitBinary.run(["rollup"], in: space.root, home: space.home)
    #expect(result.status == ExitStatus.badInput.rawValue, "\(result.stderr)")
    #expect(result.stderr.contains("(first in github.com/acme/shop)"), "\(result.stderr)")
  }

  @Test("the HTML report is one self-contained page that Chromium renders as a real picture, light and dark")
  func html() throws {
    let space = try Workspace()
    let shop = space.first.path
    try space.octo(["install"], in: shop)
    try space.commitUsage(
      [
        ("claude-sonnet-4-5", "3.5", "2026-06-02T10:00:00Z"), ("gpt-5", "1.25", "2026-06-20T10:00:00Z"),
        ("claude-opus-4-1", "7", "2026-07-03T10:00:00Z"),
      ], in: shop)
    try space.octo(["usage", "record", "--model", "mystery-model", "--in", "5000", "--out", "900"], in: shop)
    try space.git(["commit", "-q", "--allow-empty", "-m", "unpriced"], in: shop)
    let page = space.root + "/report.html"
    try space.octo(["rollup", "--format", "html", "--out", page, "--cycle-day", "19"], in: space.root)
    let html = try String(contentsOfFile: page, encoding: .utf8)
    #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && html.contains("prefers-color-scheme:dark"))
    #expect(html.contains("Cost by billing cycle (from day 19)") && html.contains("$11.75"))
    for outside in ["<script", "http://", "https://", "<link", "@import", "src="] { #expect(!html.contains(outside)) }
    // An unpriced model has no bar in the cost charts (none at $0.00): the warning counts it.
    #expect(!html.contains("mystery-model: $") && html.contains("1 event(s) with 5,900 tokens"))

    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
    let browser = try #require(chromium, "Chromium is missing: make test installs it (scripts/install-deps.sh test)")
    for (mode, flags) in [
      ("light", [String]()), ("dark", ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"]),
    ] {
      let picture = space.root + "/report-\(mode).png"
      let shot = try Shell.run(
        browser,
        [
          "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
          "--window-size=1100,1300",
          "--force-device-scale-factor=0.5", "--user-data-dir=\(space.root)/chromium-\(mode)",
          "--screenshot=\(picture)",
        ]
          + flags + ["file://" + page],
        in: space.root, home: space.home)
      #expect(FileManager.default.fileExists(atPath: picture), "\(shot.stderr)")
      let stats = try Shell.run(
        "/usr/bin/env", ["python3", packageRoot + "/Tests/Support/png-stats.py", picture], in: space.root)
      let measured = try CanonicalJSON.parse(stats.stdout)
      #expect((measured["colours"]?.intValue ?? 0) > 30, "\(stats.stdout)\(stats.stderr)")
      #expect((measured["inked"]?.decimalValue ?? 0) > Decimal(string: "0.05")!, "\(stats.stdout)")
      let brightness = measured["backgroundBrightness"]?.decimalValue ?? 0
      #expect(mode == "light" ? brightness > 0.8 : brightness < 0.2, "\(mode): \(stats.stdout)")
    }
  }
}

@Suite("The rollup's event archive")
struct EventArchiveTests {
  func line(_ id: String, out: Int, cost: String?, at: Int64 = 1_790_000_000_000) -> UsageEvent {
    UsageEvent(
      id: id, atMs: at, agent: "claude-code", model: "claude-sonnet-4-5", tokens: TokenCounts(input: 10, output: out),
      cost: cost.flatMap(PicoDollars.init(plain:)), user: "dev@example.com")
  }

  func delta(_ notes: [[UsageEvent]], previous: [UsageEvent] = [], rebuilt: Bool = false) -> UsageNotesDelta {
    var delta = UsageNotesDelta()
    delta.rebuilt = rebuilt
    delta.previousCopies = previous
    for (number, lines) in notes.enumerated() {
      let first = delta.lines.count
      delta.lines += lines
      let commit = Oid(hex: String(repeating: "0", count: 39) + String(number))!
      delta.notes.append(UsageNotesDelta.Note(commit: commit, time: 0, summary: "", lines: first..<delta.lines.count))
    }
    return delta
  }

  @Test("holders count the notes holding an event; the longest copy wins; released events go; encoding round-trips")
  func archive() throws {
    var archive = EventArchive()
    archive.apply(
      delta(
        [[line("a", out: 5, cost: "0.5")], [line("a", out: 9, cost: "0.9"), line("b", out: 1, cost: nil)]],
        rebuilt: true))
    #expect(
      archive.events["a"]?.holders == 2 && archive.events["a"]?.event.tokens.output == 9
        && archive.events["a"]?.event.cost == PicoDollars(900_000_000_000))
    #expect(archive.events["b"] != nil && archive.events["b"]?.event.cost == nil)
    // A rebase moved "a" to a new note (one hold released, one taken); "b"'s only note is gone.
    let moved = archive.apply(
      delta(
        [[line("a", out: 9, cost: "0.9")]], previous: [line("a", out: 9, cost: "0.9"), line("b", out: 1, cost: nil)]))
    #expect(moved && archive.events["a"]?.holders == 2 && archive.events["b"] == nil)
    // The note holding the copy held rewritten to a worse copy while another note holds a copy: the archive
    // cannot tell which copy is left, and says so (the repository is read whole).
    var probe = archive
    let worse = probe.apply(delta([[line("a", out: 1, cost: "0.1")]], previous: [line("a", out: 9, cost: "0.9")]))
    #expect(!worse)
    // A note holding another copy released: the copy held is still there.
    probe = archive
    let other = probe.apply(delta([], previous: [line("a", out: 5, cost: "0.5")]))
    #expect(other)
    var exotic = line("c", out: 3, cost: nil, at: -5)
    // Past 64 bits of pico-dollars (the archive holds any cost up to the limit).
    exotic.cost = PicoDollars(plain: "999999999.123456789012")
    exotic.feature = "naïve-feature"
    archive.apply(delta([[exotic]]))
    let decoded = try #require(EventArchive.decode(archive.encoded()))
    #expect(decoded.events.count == 2)
    #expect(decoded.events["c"]?.event.cost?.plainText == "999999999.123456789012")
    #expect(decoded.events["c"]?.event.atMs == -5)
    #expect(decoded.events["c"]?.event.feature == "naïve-feature" && decoded.events["c"]?.event.branch == nil)
    #expect(decoded.events["a"]?.event.user == "dev@example.com" && decoded.events["a"]?.holders == 2)
    #expect(EventArchive.decode(Data("not an archive".utf8)) == nil)
    // A whole read built straight from the notes' text gives the same archive.
    let notes = [
      "{\"at\":\"2026-01-01T00:00:00.000Z\",\"cost\":0.5,\"id\":\"a\",\"model\":\"m\",\"out\":5}\nbroken\n",
      "{\"at\":\"2026-01-01T00:00:00.000Z\",\"cost\":0.9,\"id\":\"a\",\"model\":\"m\",\"out\":9}\n"
        + "{\"at\":\"2026-01-01T00:00:00.000Z\",\"id\":\"a\",\"model\":\"m\",\"out\":99}\n"
        + "{\"at\":\"2026-01-02T00:00:00.000Z\",\"feature\":\"f\",\"id\":\"c\",\"model\":\"m\",\"out\":1}\n",
      // Escaped and non-ASCII names, an exponent, a cost finer than a pico-dollar, null names, an id met
      // again spelled with an escape.
      """
      {\"agent\":\"cl\\u00e9\",\"at\":\"2026-01-03T00:00:00Z\",\"cost\":6.93e-2,\"id\":\"d\\\"q\",\
      \"model\":\"mod\u{e8}le\",\"out\":4,\"user\":\"\u{fc}\"}
      {\"agent\":null,\"at\":\"2026-01-03T00:00:00.000Z\",\"cost\":0.0000000000001,\"id\":\"e\",\"model\":\"m\",\
      \"user\":null}
      {\"at\":\"2026-01-03T00:00:00.000Z\",\"id\":\"\\u0063\",\"model\":\"m2\",\"out\":7,\"session\":\"s\\n\"}

      """,
    ]
    var builder = ArchiveBuilder(capacity: 4)
    var whole = UsageNotesDelta()
    whole.rebuilt = true
    for (number, text) in notes.enumerated() {
      var copy = text
      copy.withUTF8 { builder.add(note: UnsafeRawBufferPointer($0)) }
      let first = whole.lines.count
      copy.withUTF8 { _ = UsageEvent.append(linesIn: UnsafeRawBufferPointer($0), to: &whole.lines) }
      let commit = Oid(hex: String(repeating: "1", count: 39) + String(number))!
      whole.notes.append(UsageNotesDelta.Note(commit: commit, time: 0, summary: "", lines: first..<whole.lines.count))
    }
    #expect(builder.malformedLines == 1 && builder.notes == 3)
    let direct = try #require(EventArchive.decode(builder.encoded()))
    var built = EventArchive()
    built.apply(whole)
    #expect(Set(direct.events.keys) == ["a", "c", "d\"q", "e"] && Set(built.events.keys) == Set(direct.events.keys))
    #expect(direct.events["a"]?.holders == 2 && direct.events["a"]?.event.tokens.output == 9)
    #expect(direct.events["c"]?.holders == 2 && direct.events["c"]?.event.model == "m2")
    #expect(direct.events["d\"q"]?.event.agent == "cl\u{e9}")
    #expect(direct.events["d\"q"]?.event.cost == PicoDollars(69_300_000_000))
    // A tenth of a pico-dollar rounds to zero: priced, at $0.
    #expect(direct.events["e"]?.event.cost == PicoDollars.zero)
    for (id, held) in built.events {
      let other = try #require(direct.events[id])
      #expect(other.holders == held.holders && other.event == held.event)
    }
    #expect(EventArchive.decode(archive.encoded().dropLast(3)) == nil)
  }
}
