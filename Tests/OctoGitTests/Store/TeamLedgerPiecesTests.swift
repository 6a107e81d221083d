import Foundation
import Testing

@testable import OctoGit

/// The team ledger's pieces checked without a server: COPY rows, costs, connection failures, the report's SQL.
@Suite("Team ledger pieces that need no server")
struct TeamLedgerPiecesTests {
  @Test("COPY rows escape backslash, tab, newline and carriage return, drop NUL, and write NULL as \\N")
  func copyRows() {
    var line = UsageEvent(id: "id-1", atMs: -1_500, model: "Anthropic/Claude-Sonnet-4-5", tokens: TokenCounts())
    line.session = "a\tb\nc\\d\re\u{0}f é"
    line.tokens = TokenCounts(input: 1, output: 22, cacheWrite5m: 0, cacheWrite1h: 333, cacheRead: 4_444)
    line.cost = PicoDollars(1)
    var rows = TeamRows(project: "github.com/acme/shop")
    let commit = Array(String(repeating: "a", count: 40).utf8)
    commit.withUnsafeBufferPointer { rows.append(line, commit: $0, order: 7) }
    let fields = String(decoding: rows.bytes, as: UTF8.self).dropLast().split(
      separator: "\t", omittingEmptySubsequences: false)
    #expect(rows.count == 1 && rows.bytes.last == UInt8(ascii: "\n"))
    #expect(fields.count == TeamRows.columns.count)
    #expect(fields[0] == "id-1" && fields[1] == "-1500" && fields[2] == "github.com/acme/shop")
    #expect(
      fields[3] == Substring(ModelName.normalise("Anthropic/Claude-Sonnet-4-5"))
        && fields[4] == "Anthropic/Claude-Sonnet-4-5")
    #expect(fields[5] == #"\N"# && fields[6] == #"a\tb\nc\\d\ref é"#)
    #expect(fields[11] == Substring(String(repeating: "a", count: 40)))
    #expect(Array(fields[12...16]) == ["1", "22", "0", "333", "4444"])
    #expect(fields[17] == "0.000000000001" && fields[18] == #"\N"# && fields[19] == "7")
  }

  @Test("summed costs as PostgreSQL writes them read exactly; one no row can sum to is refused, never $0")
  func costs() throws {
    #expect(try TeamReport.cost("16000.200000") == PicoDollars(16_000_200_000_000_000))
    #expect(try TeamReport.cost(nil) == .zero)
    // Past 64 bits of pico-dollars, and past twelve decimals (rounded to the nearest pico-dollar).
    #expect(try TeamReport.cost("123456789.0000000000006") == PicoDollars(count: 123_456_789_000_000_000_001))
    #expect(try TeamReport.cost("-1.5") == PicoDollars(-1_500_000_000_000))
    for unreadable in ["NaN", "999999999999999999999999999999.5"] {
      #expect(throws: OctoError.self, "\(unreadable)") { try TeamReport.cost(unreadable) }
    }
  }

  @Test("zones as PostgreSQL must be told them: links to region zones, fixed offsets with POSIX's sign")
  func zoneNames() {
    #expect(TeamUsageQuery.postgresZoneName("CET") == "Europe/Brussels")
    #expect(TeamUsageQuery.postgresZoneName("UTC+3") == "<+0300>-03:00")
    #expect(TeamUsageQuery.postgresZoneName("GMT-0530") == "<-0530>+05:30")
    #expect(TeamUsageQuery.postgresZoneName("Etc/GMT-3") == "Etc/GMT-3")
    #expect(TeamUsageQuery.postgresZoneName("Europe/Berlin") == "Europe/Berlin")
  }

  @Test("a failed connection is told apart: unreachable, refused credentials, other refusals")
  func connectionFailures() {
    let down = PostgresError.connectionFailure(
      "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server running?\n",
      needsPassword: false)
    #expect(down.kind == .unreachable && !down.message.contains("\n"))
    #expect(
      PostgresError.connectionFailure(
        "connection to server at \"h\" failed: FATAL:  password authentication failed for user \"me\"",
        needsPassword: false
      ).kind == .authentication)
    #expect(
      PostgresError.connectionFailure("fe_sendauth: no password supplied", needsPassword: true).kind == .authentication)
    #expect(
      PostgresError.connectionFailure(
        "connection to server at \"h\" failed: FATAL:  database \"x\" does not exist", needsPassword: false
      )
      .kind == .refused)
    let unreachable = TeamLedger.octoError(down, place: "127.0.0.1:1/db")
    #expect(
      unreachable.status == .unavailable
        && unreachable.message.hasPrefix("cannot reach the team database 127.0.0.1:1/db"))
  }

  @Test("the report's SQL: a GROUP BY per dimension, days grouped first, parameters for every value")
  func reportSQL() {
    let byModel = TeamUsageQuery(RollupOptions(dimensions: [.model])).sql()
    #expect(byModel.sql.contains("GROUP BY 1") && byModel.parameters.isEmpty && !byModel.sql.contains("AT TIME ZONE"))
    let byCycle = TeamUsageQuery(
      RollupOptions(
        dimensions: [.cycle, .repo], since: Date(timeIntervalSince1970: 0),
        timeZone: TimeZone(identifier: "Europe/Berlin")!,
        cycleDay: 19, projects: ["github.com/acme/shop"])
    ).sql()
    #expect(byCycle.parameters == ["Europe/Berlin", "1970-01-01T00:00:00.000Z", "github.com/acme/shop", "19"])
    #expect(byCycle.sql.contains("octo.cycle_start(g.k1, $4::integer)") && byCycle.sql.hasSuffix("GROUP BY 1, 2"))
  }
}
