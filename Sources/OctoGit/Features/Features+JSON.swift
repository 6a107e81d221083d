import Foundation

// The `--json` shapes of `feature start` and `feature pass`. They are documented in the README and
// stable: keys are written sorted by CanonicalJSON, so only the members matter here.

extension Features.Started {
  /// `feature start --json`: `branch`, `slug`, `base`, `baseCommit` and `checkpoint` (the commit's hex, or
  /// `null` when no local changes had to be carried along). A documented, stable schema.
  public var json: JSONValue {
    .object([
      "branch": .string(branch), "slug": .string(slug), "base": .string(base), "baseCommit": .string(baseCommit.hex),
      "checkpoint": checkpoint.map { .string($0.hex) } ?? .null,
    ])
  }
}

extension FeaturePass.CommittedFile {
  /// `{"path": …, "status": …}`, one entry of `feature pass --json`'s `files`.
  public var json: JSONValue { .object(["status": .string(status), "path": .string(path)]) }
}

extension FeaturePass.Outcome {
  /// `feature pass --json`: `result` (`committed`, `dry run`, `nothing to commit`, `failed` or `refused`)
  /// with the members of that outcome (`commit`, `subject`, `test`, `durationMs`, `files`, `exit`, `timedOut`,
  /// `reason`, `checkpoint`). A documented, stable schema.
  public var json: JSONValue {
    switch self {
    case .committed(let commit, let subject, let test, let duration, let files):
      return .object([
        "result": .string("committed"), "commit": .string(commit.hex), "subject": .string(subject),
        "test": .string(test), "durationMs": .int(Int(duration * 1000)), "files": .array(files.map(\.json)),
      ])
    case .dryRun(let subject, let files):
      return .object([
        "result": .string("dry run"), "subject": .string(subject), "files": .array(files.map(\.json)),
      ])
    case .nothingToCommit(let test, let duration):
      return .object([
        "result": .string("nothing to commit"), "test": .string(test), "durationMs": .int(Int(duration * 1000)),
      ])
    case .failed(let test, let status, let timedOut, let duration, let checkpoint):
      return .object([
        "result": .string("failed"), "test": .string(test), "exit": .int(Int(status)), "timedOut": .bool(timedOut),
        "durationMs": .int(Int(duration * 1000)), "checkpoint": checkpoint.map { .string($0.hex) } ?? .null,
      ])
    case .refused(let test, let reason, let checkpoint):
      return .object([
        "result": .string("refused"), "test": .string(test), "reason": .string(reason),
        "checkpoint": .string(checkpoint.hex),
      ])
    }
  }
}
