import Foundation

extension PullRequestPublisher.Outcome {
  /// `pr create --json`: `action` (`created`, `updated` or `dry-run`), `url` and `number` (or `null` on a
  /// dry run), `title`, and `requests` (what was, or would be, sent). A documented, stable schema; keys are
  /// written sorted by CanonicalJSON.
  public var json: JSONValue {
    .object([
      "action": .string(action.rawValue), "url": url.map(JSONValue.string) ?? .null,
      "number": number.map(JSONValue.int) ?? .null, "title": .string(title),
      "requests": .array(requests.map(JSONValue.string)),
    ])
  }
}
