import Foundation

// The `--json` shapes of `usage record`, `usage pending` and `cache rebuild`. They are documented in the
// README and stable: keys are written sorted by CanonicalJSON, so only the members matter here.

extension PendingAddition {
  /// `usage record --json`: `recorded` and `ids` (the events stored now), `alreadyRecorded` and
  /// `alreadyRecordedIds` (those left as they were). A documented, stable schema.
  public var json: JSONValue {
    .object([
      "recorded": .int(added.count), "ids": .array(added.map { .string($0) }),
      "alreadyRecorded": .int(alreadyRecorded.count),
      "alreadyRecordedIds": .array(alreadyRecorded.map { .string($0) }),
    ])
  }
}

extension PendingEvent {
  /// One entry of `usage pending --json`: the event as its usage line holds it, with its `id` and the
  /// `worktree` it waits in. A documented, stable schema.
  public var json: JSONValue {
    var members = (try? CanonicalJSON.parse(event.line).objectValue) ?? [:]
    members["id"] = .string(event.id)
    members["worktree"] = .string(worktree)
    return .object(members)
  }
}

extension LedgerStore.CacheRefresh {
  /// `cache rebuild --json`: `commits` (whose notes were read) and `malformedLines` (note lines skipped). A
  /// documented, stable schema.
  public var json: JSONValue {
    .object(["commits": .int(commitsRead), "malformedLines": .int(malformedLines)])
  }
}
