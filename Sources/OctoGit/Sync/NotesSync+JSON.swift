import Foundation

extension NotesSync.Outcome {
  /// `notes sync --json`: `merged` and `pushed` (the notes refs) and `attempts` (pushes tried). A
  /// documented, stable schema; keys are written sorted by CanonicalJSON.
  public var json: JSONValue {
    .object([
      "merged": .array(merged.map(JSONValue.string)), "pushed": .array(pushed.map(JSONValue.string)),
      "attempts": .int(attempts),
    ])
  }
}
