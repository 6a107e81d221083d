import Foundation

/// Which commits a branch's reflog says were made in this clone.
///
/// git writes one reflog line per move of a branch, starting with what moved it. These create commits
/// here, and count:
/// - `commit`, `commit (initial)`, `commit (amend)`, `commit (merge)`, `commit (cherry-pick)`: `git commit`;
/// - `cherry-pick`, `revert`, `am`: commits written by those commands;
/// - `merge …` and `pull …` ending in `Merge made by the '…' strategy.`: the merge commit itself (not the
///   commits it brought in);
/// - `… (finish): refs/heads/<branch> onto <id>` (`rebase`, `rebase -i`, `pull --rebase`): every commit
///   replayed onto `<id>` (none when the rebase was a fast-forward); the `(pick)`, `(reword)`, `(edit)`,
///   `(squash)`, `(fixup)` and `(continue)` steps of a rebase, where a branch's log has them;
/// - `octo-git feature pass: …`: the commit `feature pass` made.
///
/// These only move the branch to commits made elsewhere, and do not count: `clone: from …`,
/// `branch: Created from …`, `reset: moving to …`, `merge …: Fast-forward`, `pull …: Fast-forward`,
/// `rebase (start)`, `fetch`, `push`, `update-ref` and anything else.
enum LocalCommits {
  enum Kind: Equatable {
    /// The entry's new commit was made here.
    case made
    /// The commits from `onto` (excluded) to the entry's new commit were made here.
    case replayed(onto: Oid)
    /// The branch moved to a commit made elsewhere (or git's message does not say).
    case moved
  }

  /// The commits `log` (a branch's reflog) says were made here.
  static func made(by log: [ReflogEntry], in repository: Repository) -> Set<Oid> {
    var made = Set<Oid>()
    for entry in log where !entry.new.isZero {
      switch kind(of: entry.message) {
      case .made: made.insert(entry.new)
      case .replayed(let onto):
        // A rebase of thousands of commits is rare; a bounded walk keeps an odd log cheap.
        if let replayed = try? repository.commits(from: entry.new, excluding: onto, limit: 10_000) {
          made.formUnion(replayed)
        } else {
          made.insert(entry.new)
        }
      case .moved: break
      }
    }
    return made
  }

  /// What a reflog message says about its entry's new commit.
  static func kind(of message: String) -> Kind {
    let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
    // "rebase (finish): refs/heads/topic onto <id>", "pull --rebase (finish): …", older git's
    // "rebase finished: … onto <id>".
    if let finish = text.range(of: " (finish): ") ?? text.range(of: "rebase finished: "),
      let onto = text.range(of: " onto ", range: finish.upperBound..<text.endIndex)
    {
      let hex = text[onto.upperBound...].prefix(40)
      if let base = Oid(hex: String(hex)) { return .replayed(onto: base) }
      return .moved
    }
    let action = text.range(of: ": ").map { String(text[..<$0.lowerBound]) } ?? text
    if action == "commit" || action.hasPrefix("commit (") { return .made }
    if action.hasPrefix("cherry-pick") || action.hasPrefix("revert") || action == "am" || action.hasPrefix("am ") {
      return .made
    }
    if action.hasPrefix("merge") || action.hasPrefix("pull") {
      if text.contains(": Merge made by ") { return .made }
      if action.contains("rebase") { return rebaseStep(action) }
      return .moved
    }
    if action.hasPrefix("rebase") { return rebaseStep(action) }
    if text.hasPrefix("octo-git feature pass") { return .made }
    return .moved
  }

  /// A rebase step that writes a commit (`rebase (pick)`, `rebase -i (squash)`…) counts; `(start)`,
  /// `(abort)` and the like do not.
  private static func rebaseStep(_ action: String) -> Kind {
    let writes = ["(pick)", "(reword)", "(edit)", "(squash)", "(fixup)", "(continue)"]
    return writes.contains { action.hasSuffix($0) } ? .made : .moved
  }
}
