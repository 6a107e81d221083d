import Foundation

// The `--json` shapes of `repos list` and `repos scan`. They are documented in the README and stable: keys
// are written sorted by CanonicalJSON, so only the members matter here.

extension RollupStore.Entry {
  /// One entry of `repos list --json`: `path`, `project`, `origin` (or `null`), `present` (whether the
  /// folder is there now) and `problem` (why the rollup skips it, or `null`). A documented, stable schema.
  public var json: JSONValue {
    .object([
      "path": .string(path), "project": .string(project), "origin": origin.map(JSONValue.string) ?? .null,
      "present": .bool(Paths.isFolder(path)), "problem": problem.map(JSONValue.string) ?? .null,
    ])
  }
}

extension RepositoryRegistry.ScanResult {
  /// `repos scan --json`: `added` and `known` (paths), and `skipped` (each `path` and `reason`). A
  /// documented, stable schema.
  public var json: JSONValue {
    .object([
      "added": .array(added.map(JSONValue.string)), "known": .array(known.map(JSONValue.string)),
      "skipped": .array(skipped.map { .object(["path": .string($0.path), "reason": .string($0.reason)]) }),
    ])
  }
}
