import Foundation

// The `--json` shapes of `checkpoint`, `checkpoints show`, `checkpoints prune` and `restore`. They are
// documented in the README and stable: keys are written sorted by CanonicalJSON, so only the members matter.

extension Checkpoints.Taken {
  /// `checkpoint --json`: the checkpoint (``Checkpoint/json``) with `warnings`, the lines of what was left
  /// out. A documented, stable schema.
  public var json: JSONValue {
    guard case .object(var members) = checkpoint.json else { return checkpoint.json }
    members["warnings"] = .array(warnings.map(JSONValue.string))
    return .object(members)
  }
}

extension Checkpoint {
  /// `checkpoints show --json`: the checkpoint (``json``) with `files`, each `path`, `change`, `insertions`
  /// and `deletions` against the checkpoint's HEAD. Nil when the checkpoint's note is no JSON object. A
  /// documented, stable schema.
  public func detailsJSON(files stats: DiffStats) -> JSONValue? {
    guard case .object(var members) = json else { return nil }
    members["files"] = .array(
      stats.files.map {
        .object([
          "path": .string($0.path), "change": .string($0.change.rawValue), "insertions": .int($0.insertions),
          "deletions": .int($0.deletions),
        ])
      })
    return .object(members)
  }
}

extension Checkpoints {
  /// `checkpoints prune --json`: the ids of the deleted checkpoints, as an array of hex strings. A
  /// documented, stable schema.
  public static func prunedJSON(_ pruned: [Oid]) -> JSONValue {
    .array(pruned.map { .string($0.hex) })
  }
}

extension Checkpoints.Restore {
  /// `restore --json`: `restored` (the checkpoint's id), `undo` (the id of the checkpoint to restore to
  /// undo it; `null` when the files already matched and none was taken), `written`, `deleted`, `skipped`
  /// (each `path` and `reason`) and `index` (whether the index was restored). A documented, stable schema.
  public func json(restored checkpoint: Checkpoint) -> JSONValue {
    .object([
      "restored": .string(checkpoint.id.hex), "undo": changedNothing ? .null : .string(undo.id.hex),
      "written": .array(written.map(JSONValue.string)), "deleted": .array(deleted.map(JSONValue.string)),
      "skipped": .array(skipped.map { .object(["path": .string($0.path), "reason": .string($0.reason)]) }),
      "index": .bool(indexRestored), "warnings": .array(warnings.map(JSONValue.string)),
    ])
  }
}
