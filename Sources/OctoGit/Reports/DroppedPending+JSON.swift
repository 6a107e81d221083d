import Foundation

extension DroppedPending {
  /// `usage drop --json`: `dropped` and `ids` (the events removed), their exact `cost` in USD,
  /// `unpricedEvents`, and `unreadableDropped` (ids of rows whose usage line could not be read). A
  /// documented, stable schema.
  public var json: JSONValue {
    var totals = UsageTotals()
    for item in events { totals.add(item.event) }
    return .object([
      "dropped": .int(events.count), "ids": .array(events.map { .string($0.event.id) }),
      "cost": .number(totals.costText), "unpricedEvents": .int(totals.unpricedEvents),
      "unreadableDropped": .array(unreadable.map { .string($0) }),
    ])
  }
}
