import Foundation

/// `octo-git hook post-commit`: attaches the work tree's pending usage to the commit just made.
///
/// It never fails the commit: every problem becomes one line for stderr. It returns at once when hooks
/// are turned off, when nothing is pending (found out from one file's existence, before libgit2 or SQLite
/// are touched), and during a rebase, merge, cherry-pick, revert or `git am` (the commits being replayed
/// already carry their notes; a commit a person makes during a rebase is only noted, for the rebase's end:
/// ``RebaseCommits``) or on a bisect's detached HEAD. Usage a rebase that rewrote nothing left is charged
/// first.
public enum PostCommitHook {
  /// How long a commit waits for the ledger when another process is writing it.
  static let busySeconds: TimeInterval = 2

  public static func run(directory: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> [String]
  {
    if environment["OCTO_GIT_HOOKS"] == "0" { return [] }
    guard let location = WorktreeLocation.find(from: directory, environment: environment) else { return [] }
    guard location.isMarkedPending else { return [] }
    if location.operationInProgress {
      // A commit a person makes while a rebase stands: noted, for the rebase's end to charge.
      RebaseCommits.noteIfMadeByHand(location)
      return []
    }
    return attaching(in: directory, hook: "post-commit", done: "the commit") { repository, ledger in
      // A rebase that rewrote nothing ran no post-rewrite: the usage recorded during it goes first.
      if RebaseCommits.leftOver(location) {
        try RebaseCommits.charge(in: location, repository: repository, ledger: ledger)
      }
      guard let head = try repository.headCommit() else { return }
      try ledger.attachPending(to: head)
    }
  }

  /// Opens the ledger of the repository at `directory` for a hook and runs `attach`; returns the budgets'
  /// warnings, or one line naming what failed (`done` is what git did, which stays done).
  static func attaching(
    in directory: String, hook: String, done: String, _ attach: (Repository, Ledger) throws -> Void
  ) -> [String] {
    do {
      let repository = try Repository.open(at: directory)
      // A commit waits at most this long for a ledger another process holds (an import stopped with
      // Ctrl-Z): then the usage stays pending for the next commit.
      let ledger = try Ledger(repository: repository, busySeconds: busySeconds)
      // Kept for the rest of this short process on purpose: tearing down its SQLite connection's serial
      // queue makes libdispatch start a worker thread, 0.6 ms of an 8 ms hook spent as the process ends.
      // SQLite in WAL mode loses nothing when a process ends without closing.
      _ = Unmanaged.passRetained(ledger)
      try attach(repository, ledger)
      var messages: [String] = []
      for status in try Budget.statuses(ledger: ledger) {
        if let warning = status.warning { messages.append("octo-git: " + warning) }
      }
      return messages
    } catch {
      return ["octo-git: \(hook): \(error) (\(done) is fine; the usage stays pending)"]
    }
  }

  /// A one-line warning when usage is pending in this work tree but no post-commit hook of octo-git's would
  /// run (not installed, a hook manager in charge without octo-git in its configuration, `core.hooksPath`
  /// moved away): commits would not carry the usage. Nil when all is well. The line is ready to print.
  public static func pendingWithoutHookWarning(_ repository: Repository) throws -> String? {
    guard WorktreeLocation(repository).isMarkedPending else { return nil }
    if try HookInstaller.runsOctoGit("post-commit", in: repository) { return nil }
    let directory = try repository.hooksDirectory()
    return
      "usage is pending here but no octo-git post-commit hook runs from \(directory), so commits will not carry it: "
      + "run octo-git install (octo-git doctor shows why)"
  }
}
