import Foundation

// The `--json` shapes of `team init` and `team push`, which name the database as ``TeamDatabaseURL/displayName``
// shows it (never its password). They are documented in the README and stable: keys are written sorted by
// CanonicalJSON, so only the members matter here.

extension TeamLedger {
  /// `team init --json`: `database` (its id), `name`, and the schema version `from` (0: there was none) and
  /// `to`. A documented, stable schema.
  public func setupJSON(_ setup: Setup) -> JSONValue {
    .object([
      "database": .string(setup.databaseID), "name": .string(url.displayName), "from": .int(setup.from),
      "to": .int(setup.to),
    ])
  }

  /// `team push --json`: the summary (``PushSummary/json``) with the database's `name`. A documented,
  /// stable schema.
  public func pushJSON(_ summary: PushSummary) -> JSONValue {
    guard case .object(var members) = summary.json else { return summary.json }
    members["name"] = .string(url.displayName)
    return .object(members)
  }
}
