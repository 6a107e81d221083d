/// Which copy of an event counts when several notes hold lines with one id and different values (a
/// transcript read again once it grew, two machines pricing it with different tables, or a line someone
/// wrote to lower a total): the one with the most output tokens, then the costlier one, an unpriced copy
/// last. The local cache, the rollup, team push and `pr comment` all rank copies this way, so their totals
/// agree and no added copy can make an event cheaper. Copies equal by this rank are told apart by each
/// place's own order (the newest commit for the cache, the repository registered first for the rollup).
enum EventCopy {
  /// Whether a copy with `output` tokens costing `cost` counts before one with `otherOutput` and `otherCost`.
  static func isBetter(output: Int, cost: PicoDollars?, than otherOutput: Int, _ otherCost: PicoDollars?) -> Bool {
    if output != otherOutput { return output > otherOutput }
    return (cost?.count ?? -1) > (otherCost?.count ?? -1)
  }

  /// The rank as an SQLite `ORDER BY` over the cache's `note_line` (best first). A cost past 64 bits of
  /// pico-dollars (`cost` without `cost_pico`) ranks above any other, and such costs by their value.
  static let cacheOrder =
    "tout DESC, CASE WHEN cost IS NULL THEN -1 ELSE coalesce(cost_pico, 9223372036854775807) END DESC, "
    + "CAST(cost AS REAL) DESC"

  /// The rank as a PostgreSQL `ORDER BY` over rows with `tout` and `cost` (numeric) columns, `prefix` their
  /// table's alias with its dot (best first).
  static func postgresOrder(_ prefix: String) -> String { "\(prefix)tout DESC, \(prefix)cost DESC NULLS LAST" }

  /// The PostgreSQL condition under which the row `new` replaces the stored row `old`.
  static func postgresReplaces(_ new: String, _ old: String) -> String {
    "(\(new).tout > \(old).tout OR (\(new).tout = \(old).tout AND \(new).cost IS NOT NULL "
      + "AND (\(old).cost IS NULL OR \(new).cost > \(old).cost)))"
  }
}
