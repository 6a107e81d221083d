import Foundation

extension PriceUpdate.Result {
  /// `pricing update --json`: `path` (where the table is stored), `models` (how many are priced), `changes`
  /// (one line per price that changed) and `distrusted` (models whose 1-hour cache-write price is not used).
  /// A documented, stable schema; keys are written sorted by CanonicalJSON.
  public var json: JSONValue {
    .object([
      "path": .string(path), "models": .int(models), "changes": .array(changes.map(JSONValue.string)),
      "distrusted": .array(distrusted.map(JSONValue.string)),
    ])
  }
}
