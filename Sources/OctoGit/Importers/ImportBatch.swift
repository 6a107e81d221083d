import Foundation

/// What one or more agents' imports charge, gathered before anything is written, and what they read
/// (offsets, file states), saved once it is.
///
/// `usage import all` reads every agent into one batch and writes each commit's note once: written agent by
/// agent, each note would be read, merged and written again per agent, and the cache refreshed from it
/// each time. What was read is saved only after the notes and pending rows are written, so a crash in
/// between makes the next import read those files again, never skip them (event ids keep that exact).
struct ImportBatch {
  /// Events charged to each commit.
  var byCommit: [Oid: [UsageEvent]] = [:]
  /// Events waiting for each work tree's next commit, by ``WorktreeLocation/key``.
  var pending: [String: (location: WorktreeLocation, events: [UsageEvent])] = [:]
  /// Saves what was read, in the order the imports ran.
  var afterWriting: [() throws -> Void] = []
  /// The agents' file states (``AgentImportState``), loaded once for every agent of the batch.
  var agentState: (path: String, state: AgentImportState)?
  /// What each agent read, by agent: saved into the state file once, after the writes.
  var agentStateUpdates: [(agent: String, present: Set<String>?, read: [String: AgentImportEntry])] = []

  /// The agents' file states at `path`, read from disk the first time only.
  mutating func agentState(at path: String) -> AgentImportState {
    if let known = agentState, known.path == path { return known.state }
    let state = AgentImportState.load(path)
    agentState = (path, state)
    return state
  }

  mutating func charge(_ event: UsageEvent, to commit: Oid) { byCommit[commit, default: []].append(event) }

  mutating func keepPending(_ event: UsageEvent, in location: WorktreeLocation) {
    pending[location.key, default: (location, [])].events.append(event)
  }

  /// `events` with each id once, the best copy kept (``EventCopy``: the same request read from two homes,
  /// `import all --dir A --dir B`, one copy still being written when A was read).
  static func largestCopies(_ events: [UsageEvent]) -> [UsageEvent] {
    var best = EventCopy.Best()
    for event in events { best.add(event) }
    return best.events
  }
}

extension TranscriptImporter {
  /// Prices and writes what `batch` charges (each commit's note once), then saves what was read.
  func write(_ batch: ImportBatch) throws {
    // Pricing and writing each event's line are the costly part: done on every core, in parts.
    let prices = self.prices
    func parts(_ events: [UsageEvent], size: Int) -> [ArraySlice<UsageEvent>] {
      stride(from: 0, to: events.count, by: size).map { events[$0..<min($0 + size, events.count)] }
    }
    let signature = ledger.noteSignature()
    for (commit, all) in batch.byCommit {
      let events = ImportBatch.largestCopies(all)
      let size = max(1, (events.count + WorkerPool.width - 1) / WorkerPool.width)
      let priced = WorkerPool.map(parts(events, size: size)) { part in
        var pricer = EventPricer(table: prices)
        return part.map { pricer.price($0) }
      }.flatMap { $0 }
      try ledger.repository.updateNote(on: commit, ref: UsageNote.ref, author: signature) {
        UsageNote.merging($0, adding: priced, replacingWorse: true)
      }
    }
    for (key, (location, all)) in batch.pending {
      let events = ImportBatch.largestCopies(all)
      // Priced on the other cores, part by part, while the first parts are written.
      try ledger.store.replacePending(worktree: key, expected: events.count) { insert in
        try WorkerPool.stream(
          parts(events, size: max(256, events.count / 16)),
          { part in
            var pricer = EventPricer(table: prices)
            return part.map { pricer.pricedLine($0) }
          }
        ) { priced in
          for (event, line) in priced { try insert(event.id, line) }
        }
      }
      location.markPending()
    }
    for save in batch.afterWriting { try save() }
    if let path = batch.agentState?.path, !batch.agentStateUpdates.isEmpty {
      // Loaded again (another import may have saved since) and saved once for every agent.
      var state = AgentImportState.load(path)
      for (agent, present, read) in batch.agentStateUpdates {
        var entries = state.agents[agent] ?? [:]
        // Units that are gone are forgotten.
        if let present { entries = entries.filter { present.contains($0.key) } }
        entries.merge(read) { $1 }
        state.agents[agent] = entries
      }
      // A state that cannot be saved only makes the next import read everything again.
      try? state.save(path)
    }
  }
}
