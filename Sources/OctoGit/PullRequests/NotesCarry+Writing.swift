import Foundation

/// Old commits paired with new ones by patch id, and their usage lines copied onto the new ones' notes.
extension NotesCarry {
  // MARK: - Pairing

  /// Pairs old commits with new ones. One new commit: a squash, everything onto it. Several: each old
  /// commit onto the new one with its patch id; those a conflict changed, in order when as many are left
  /// on each side; anything still left onto the newest.
  static func match(olds: [Oid], targets: [Oid], patchID: (Oid) -> Oid?) -> (
    mode: Mode, pairs: [(target: Oid, sources: [Oid])]
  ) {
    guard let last = targets.last, !olds.isEmpty else { return (.squash, []) }
    if targets.count == 1 {
      let same = olds.count == 1 && patchID(olds[0]).map { $0 == patchID(last) } == true
      return (same ? .rebase : .squash, [(target: last, sources: olds)])
    }
    var byPatch: [Oid: [Int]] = [:]
    for (position, target) in targets.enumerated() {
      if let patch = patchID(target) { byPatch[patch, default: []].append(position) }
    }
    var sources = Array(repeating: [Oid](), count: targets.count)
    var taken = Set<Int>()
    var unmatched: [Oid] = []
    for old in olds {
      if let patch = patchID(old), let position = byPatch[patch]?.first(where: { !taken.contains($0) }) {
        taken.insert(position)
        sources[position].append(old)
      } else {
        unmatched.append(old)
      }
    }
    let free = targets.indices.filter { !taken.contains($0) }
    if unmatched.count == free.count {
      for (old, position) in zip(unmatched, free) { sources[position].append(old) }
    } else {
      sources[targets.count - 1] += unmatched
    }
    let pairs = zip(targets, sources).filter { !$0.1.isEmpty }.map { (target: $0.0, sources: $0.1) }
    return (.rebase, pairs)
  }

  // MARK: - Writing

  /// Copies each group's usage lines onto its targets (or, in a dry run, counts what would be added).
  func apply(_ groups: [Group], signature: Signature, dryRun: Bool, into outcome: inout Outcome) throws {
    for group in groups where !group.targets.isEmpty && !group.olds.isEmpty {
      let notes = try repository.notes(on: group.olds, ref: UsageNote.ref)
      // Patch ids only matter when there are several new commits.
      var patches: [Oid: Oid] = [:]
      let patchID: (Oid) -> Oid? = { id in
        if let known = patches[id] { return known }
        guard let patch = try? repository.patchID(of: id) else { return nil }
        patches[id] = patch
        return patch
      }
      let (mode, pairs) = Self.match(olds: group.olds, targets: group.targets, patchID: patchID)
      for (target, sources) in pairs {
        let carried = sources.filter { notes[$0] != nil }
        let texts = carried.compactMap { notes[$0] }
        if texts.isEmpty { continue }
        var added = 0
        if dryRun {
          let existing = try repository.note(on: target, ref: UsageNote.ref)
          // One merge of every source note (merging them one by one re-read the growing note each time).
          let text = UsageNote.merging(existing, addingLinesOf: texts.joined(separator: "\n"), keepingDamaged: false)
          added = Self.lineCount(text) - Self.lineCount(existing)
        } else {
          try repository.updateNote(on: target, ref: UsageNote.ref, author: signature) { existing in
            let text = UsageNote.merging(existing, addingLinesOf: texts.joined(separator: "\n"), keepingDamaged: false)
            added = Self.lineCount(text) - Self.lineCount(existing)
            return text
          }
        }
        outcome.carried.append(
          Carried(target: target, sources: carried, pullRequest: group.pullRequest, mode: mode, lines: max(0, added)))
      }
    }
  }

  static func lineCount(_ text: String?) -> Int {
    text.map { $0.split(separator: "\n").count } ?? 0
  }
}
