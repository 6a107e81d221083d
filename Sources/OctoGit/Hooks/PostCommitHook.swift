import Foundation

/// `octo-git hook post-commit`: attaches the work tree's pending usage to the commit just made.
///
/// It never fails the commit: every problem becomes one line for stderr. It returns at once when hooks
/// are turned off, during a rebase, merge, cherry-pick or revert (the commits being replayed already
/// carry their notes), and when nothing is pending — found out from one file's existence, before
/// libgit2 or SQLite are touched.
public enum PostCommitHook {
  public static func run(directory: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> [String]
  {
    if environment["OCTO_GIT_HOOKS"] == "0" { return [] }
    guard let location = WorktreeLocation.find(from: directory, environment: environment) else { return [] }
    if location.operationInProgress { return [] }
    guard location.isMarkedPending else { return [] }
    do {
      let repository = try Repository.open(at: directory)
      let ledger = try Ledger(repository: repository)
      guard let head = try repository.headCommit() else { return [] }
      try ledger.attachPending(to: head)
      var messages: [String] = []
      for status in try Budget.statuses(ledger: ledger) {
        if let warning = status.warning { messages.append("octo-git: " + warning) }
      }
      return messages
    } catch {
      return ["octo-git: post-commit: \(error) (the commit is fine; the usage stays pending)"]
    }
  }
}
