/// Which copy of an event counts when several lines hold one id with different values (a transcript read
/// again once it grew, two machines pricing it with different tables, two lines in one note after a notes
/// merge, or a line someone wrote to lower a total): the costlier one (an unpriced copy last), then the one
/// with the most output tokens, then the one that read the most (input and cache), then (copies equal so far)
/// by their other counts and the later time. The local cache, the
/// rollup, team push, `pr comment` and the note writers all rank copies this way, so their totals agree and
/// no added copy can make an event cheaper. Copies equal by this rank are told apart by each place's own
/// order (the first line of a note, the newest commit for the cache, the repository registered first for
/// the rollup).
enum EventCopy {
  /// Whether a copy of `tokens` costing `cost` counts before one of `other` costing `otherCost`.
  static func isBetter(_ tokens: TokenCounts, cost: PicoDollars?, than other: TokenCounts, _ otherCost: PicoDollars?)
    -> Bool
  {
    let (mine, theirs) = (cost?.count ?? -1, otherCost?.count ?? -1)
    if mine != theirs { return mine > theirs }
    if tokens.output != other.output { return tokens.output > other.output }
    if tokens.prompt != other.prompt { return tokens.prompt > other.prompt }
    // Copies equal so far are still told apart, the same way everywhere, by their other counts: a rollup
    // read note by note then keeps the copy a whole read keeps.
    return (tokens.input, tokens.cacheRead, tokens.cacheWrite5m, tokens.cacheWrite1h)
      > (other.input, other.cacheRead, other.cacheWrite5m, other.cacheWrite1h)
  }

  /// The same with the copies' times (milliseconds): of copies equal in cost and counts, the later.
  static func isBetter(
    _ tokens: TokenCounts, cost: PicoDollars?, at time: Int64, than other: TokenCounts, _ otherCost: PicoDollars?,
    at otherTime: Int64
  ) -> Bool {
    if isBetter(tokens, cost: cost, than: other, otherCost) { return true }
    if isBetter(other, cost: otherCost, than: tokens, cost) { return false }
    return time > otherTime
  }

  /// Whether `event` counts before `other` (see ``isBetter(_:cost:at:than:_:at:)``).
  static func isBetter(_ event: UsageEvent, than other: UsageEvent) -> Bool {
    isBetter(event.tokens, cost: event.cost, at: event.atMs, than: other.tokens, other.cost, at: other.atMs)
  }

  /// Whether two copies hold the same values (those the rollup keeps: session, prices and machine aside).
  static func isSame(_ one: UsageEvent, _ other: UsageEvent) -> Bool {
    one.atMs == other.atMs && one.tokens == other.tokens && one.cost == other.cost && one.model == other.model
      && one.agent == other.agent && one.user == other.user && one.branch == other.branch
      && one.feature == other.feature
  }

  /// Each event id's best copy among events met one by one, in the order the ids were first met.
  struct Best {
    private var positions: [String: Int] = [:]
    private(set) var events: [UsageEvent] = []

    /// Takes `event` in: kept when its id is new or it is the better copy.
    mutating func add(_ event: UsageEvent) {
      if let position = positions[event.id] {
        if EventCopy.isBetter(event, than: events[position]) { events[position] = event }
      } else {
        positions[event.id] = events.count
        events.append(event)
      }
    }
  }

  /// A cached line's cost (plain decimal text, at most 10 digits before the point and 12 after: the limit a
  /// line holds) as text that sorts as the number does, exactly: the whole part right-aligned, the fraction
  /// left-aligned.
  static let cacheCostKey =
    "substr('0000000000' || CASE WHEN instr(cost, '.') > 0 THEN substr(cost, 1, instr(cost, '.') - 1) ELSE cost END,"
    + " -10) || substr(CASE WHEN instr(cost, '.') > 0 THEN substr(cost, instr(cost, '.') + 1) ELSE '' END"
    + " || '000000000000', 1, 12)"

  /// The rank as an SQLite `ORDER BY` over the cache's `note_line` (best first); costs compared exactly,
  /// past 64 bits of pico-dollars too.
  static let cacheOrder =
    "cost IS NOT NULL DESC, \(cacheCostKey) DESC, tout DESC, tin + cw5m + cw1h + cr DESC, tin DESC, cr DESC, "
    + "cw5m DESC, cw1h DESC, at_ms DESC"

  /// A row's rank in PostgreSQL, as a row value (rows compare field by field, best greater); `alias` its
  /// table's. Costs are `numeric`: exact.
  private static func postgresRank(_ alias: String) -> String {
    let prefix = alias.isEmpty ? "" : alias + "."
    return "(coalesce(\(prefix)cost, -1), \(prefix)tout, \(prompt(prefix)), \(prefix)tin, \(prefix)cr, "
      + "\(prefix)cw5m, \(prefix)cw1h, \(prefix)at)"
  }

  /// The rank as a PostgreSQL `ORDER BY` over rows with the events' columns, `prefix` their table's alias
  /// with its dot (best first); `time` names the column of their time (`at`, or the staging table's `at_ms`).
  static func postgresOrder(_ prefix: String, time: String = "at") -> String {
    "coalesce(\(prefix)cost, -1) DESC, \(prefix)tout DESC, \(prompt(prefix)) DESC, \(prefix)tin DESC, "
      + "\(prefix)cr DESC, \(prefix)cw5m DESC, \(prefix)cw1h DESC, \(prefix)\(time) DESC"
  }

  /// A row's input and cache tokens in PostgreSQL (each at most ``UsageLimits/maxTokens``: no overflow).
  private static func prompt(_ prefix: String) -> String {
    "(\(prefix)tin + \(prefix)cw5m + \(prefix)cw1h + \(prefix)cr)"
  }

  /// The PostgreSQL condition under which rows `new` and `old` rank equal.
  static func postgresEqual(_ new: String, _ old: String) -> String {
    "(\(postgresRank(new)) = \(postgresRank(old)))"
  }

  /// The PostgreSQL condition under which the row `new` replaces the stored row `old`.
  static func postgresReplaces(_ new: String, _ old: String) -> String {
    "(\(postgresRank(new)) > \(postgresRank(old)))"
  }
}
