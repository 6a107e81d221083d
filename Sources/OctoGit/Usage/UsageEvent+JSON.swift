import Foundation

extension UsageEvent {
  /// The event as its usage line holds it (one entry of `usage show --json`), `null` when the line is no
  /// JSON. The fields are those of the usage note, a documented, stable schema.
  public var json: JSONValue { (try? CanonicalJSON.parse(line)) ?? .null }
}
