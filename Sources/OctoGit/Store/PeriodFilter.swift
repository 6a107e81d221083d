import Foundation
import GRDB

/// The SQL condition keeping events of a report's period (`at_ms` from `since`, before `until`).
enum PeriodFilter {
  /// `base` narrowed to the period, and the values its placeholders take.
  static func condition(_ base: String, since: Date?, until: Date?) -> (
    sql: String, arguments: [DatabaseValueConvertible]
  ) {
    var sql = base
    var arguments: [DatabaseValueConvertible] = []
    if let since {
      sql += " AND at_ms >= ?"
      arguments.append(Timestamp.milliseconds(since))
    }
    if let until {
      sql += " AND at_ms < ?"
      arguments.append(Timestamp.milliseconds(until))
    }
    return (sql, arguments)
  }
}
