import Foundation

extension HookInstaller.Report {
  /// `install --json`: `changes` (what was done, one line each) and `instructions` (what is left for you
  /// to do). A documented, stable schema; keys are written sorted by CanonicalJSON.
  public var json: JSONValue {
    .object([
      "changes": .array(changes.map(JSONValue.string)), "instructions": .array(instructions.map(JSONValue.string)),
    ])
  }
}
