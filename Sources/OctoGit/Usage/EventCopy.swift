/// Which copy of an event counts when several lines hold one id with different values (a transcript read
/// again once it grew, two machines pricing it with different tables, two lines in one note after a notes
/// merge, or a line someone wrote to lower a total): the costlier one (an unpriced copy last), then the one
/// with the most output tokens, then the one that read the most (input and cache). The local cache, the
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
    return tokens.prompt > other.prompt
  }

  /// Whether `event` counts before `other` (see ``isBetter(_:cost:than:_:)``).
  static func isBetter(_ event: UsageEvent, than other: UsageEvent) -> Bool {
    isBetter(event.tokens, cost: event.cost, than: other.tokens, other.cost)
  }

  /// The rank as an SQLite `ORDER BY` over the cache's `note_line` (best first). A cost past 64 bits of
  /// pico-dollars (`cost` without `cost_pico`) ranks above any other, and such costs by their value.
  static let cacheOrder =
    "CASE WHEN cost IS NULL THEN -1 ELSE coalesce(cost_pico, 9223372036854775807) END DESC, "
    + "CAST(cost AS REAL) DESC, tout DESC, tin + cw5m + cw1h + cr DESC"

  /// The rank as a PostgreSQL `ORDER BY` over rows with `tout` and `cost` (numeric) columns, `prefix` their
  /// table's alias with its dot (best first).
  static func postgresOrder(_ prefix: String) -> String {
    "\(prefix)cost DESC NULLS LAST, \(prefix)tout DESC, \(prompt(prefix)) DESC"
  }

  /// A row's input and cache tokens in PostgreSQL (each at most ``UsageLimits/maxTokens``: no overflow).
  private static func prompt(_ prefix: String) -> String {
    "(\(prefix)tin + \(prefix)cw5m + \(prefix)cw1h + \(prefix)cr)"
  }

  /// The PostgreSQL condition under which rows `new` and `old` rank equal.
  static func postgresEqual(_ new: String, _ old: String) -> String {
    "(\(new).tout = \(old).tout AND \(new).cost IS NOT DISTINCT FROM \(old).cost "
      + "AND \(prompt(new + ".")) = \(prompt(old + ".")))"
  }

  /// The PostgreSQL condition under which the row `new` replaces the stored row `old`.
  static func postgresReplaces(_ new: String, _ old: String) -> String {
    "((\(new).cost IS NOT NULL AND (\(old).cost IS NULL OR \(new).cost > \(old).cost)) "
      + "OR (\(new).cost IS NOT DISTINCT FROM \(old).cost AND (\(new).tout > \(old).tout "
      + "OR (\(new).tout = \(old).tout AND \(prompt(new + ".")) > \(prompt(old + "."))))))"
  }
}
