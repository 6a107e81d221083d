import Foundation

/// One snapshot's use of the file-system monitor (``FileSystemMonitor``): asked which paths may have
/// changed before anything is looked at, so that a change made while the snapshot runs is in the next
/// answer; its token kept once the snapshot state holding what was found is saved
/// (``finish(stateVersion:keepToken:)``).
///
/// What the monitor does not name is taken as unchanged, as git takes it: its files are not `lstat`ed,
/// and the folders holding them are not looked at for new files. The first question (no token, or one
/// kept with another version of the state), an answer of "everything", a failure and an answer naming
/// many paths all leave the snapshot to look at every file as it does without a monitor.
struct MonitoredSnapshot {
  /// The paths that may have changed since the snapshot state was saved (``RawPath`` form, relative to the
  /// work tree's root; each a file or a folder); `nil` when every file is to be looked at.
  let changedPaths: [String]?
  private let recordPath: String
  /// The hook asked and what it answered; `nil` when no hook is configured.
  private let asked: FileSystemMonitor.Record?
  /// The token it answered with (kept only when the snapshot completes).
  private let answeredToken: String?

  /// Asks the hook `config` names, if any, what changed since the snapshot state of version `stateVersion`
  /// was saved (`nil`: the state was just rebuilt, so every file is looked at anyway). `recordPath` is
  /// where the last token was kept. More changed paths than a quarter of `recordCount` (and more than
  /// 1,000) are not worth looking up one by one: every file is looked at then.
  static func begin(
    _ repository: Repository, config: Config?, recordPath: String, stateVersion: FileVersion?, recordCount: Int
  ) -> MonitoredSnapshot {
    guard case .hook(let command) = FileSystemMonitor.mode(config) else {
      // No hook asked: a token kept from one would be stale by the time one is asked again.
      unlink(recordPath)
      return MonitoredSnapshot(changedPaths: nil, recordPath: recordPath, asked: nil, answeredToken: nil)
    }
    let workTree = repository.workDirectory
    var since: String?
    let previous = FileSystemMonitor.Record.load(recordPath)
    if let stateVersion, let previous, previous.command == command, previous.workTree == workTree,
      previous.state == stateVersion
    {
      since = previous.token
    }
    let checkedAt = Int64(Date().timeIntervalSince1970)
    let question = since ?? FileSystemMonitor.firstToken()
    // git's Watchman hook asked without the hook when Watchman's socket answers (see WatchmanSocket).
    var socket: String?
    var direct: FileSystemMonitor.Answer?
    if asksWatchmanSocket(config), WatchmanSocket.isSampleHook(command, workTree: workTree),
      let path = WatchmanSocket.socketPath(known: previous?.socket, workTree: workTree)
    {
      direct = WatchmanSocket.query(since: question, workTree: workTree, socket: path)
      if direct != nil { socket = path }
    }
    let answer = direct ?? FileSystemMonitor.query(command, since: question, workTree: workTree)
    var changed: [String]?
    let token: String?
    let outcome: FileSystemMonitor.Record.Outcome
    switch answer {
    case .changed(let next, let paths):
      token = next
      if since == nil {
        // An answer to the first question lists what the monitor knows, not what changed since the state.
        outcome = .first
      } else {
        outcome = .changed(paths.count)
        if paths.count <= max(1000, recordCount / 4) { changed = paths }
      }
    case .everything(let next):
      token = next
      outcome = since == nil ? .first : .everything
    case .failed(let reason):
      token = nil
      outcome = .failed(reason)
    }
    var asked = FileSystemMonitor.Record(command: command, workTree: workTree, checkedAt: checkedAt, outcome: outcome)
    asked.socket = socket
    return MonitoredSnapshot(changedPaths: changed, recordPath: recordPath, asked: asked, answeredToken: token)
  }

  /// Whether `octo.checkpoint.watchmanSocket` (default true) lets Watchman's socket be asked instead of the hook.
  private static func asksWatchmanSocket(_ config: Config?) -> Bool {
    if let configured = try? config?.bool("octo.checkpoint.watchmanSocket") { return configured }
    return DefaultSettings.value(of: "octo.checkpoint.watchmanSocket").flatMap(FileSystemMonitor.maybeBool) ?? true
  }

  /// Records what the hook answered and, when `keepToken` (the snapshot's state, of version
  /// `stateVersion`, is saved and nothing was left to retry), its token for the next snapshot. Without the
  /// token the next snapshot looks at every file: a file left out or kept at its previous content must be
  /// looked at again even when the monitor does not name it. Call it after the state and the folder cache
  /// are saved.
  func finish(stateVersion: FileVersion?, keepToken: Bool) {
    guard var record = asked else { return }
    if keepToken, let answeredToken, let stateVersion {
      record.token = answeredToken
      record.state = stateVersion
    }
    record.save(recordPath)
  }
}

extension SnapshotState {
  /// The positions of the records that `changed` paths (from a monitor) touch, in order: each path's own
  /// record and the records below it (a path may name a folder), and every gitlink (a nested repository's
  /// HEAD moves inside its own `.git`, which no monitor of this work tree reports). Records of files git
  /// does not check out (skip-worktree) are left out, as the full walk leaves them out.
  func positions(touchedBy changed: [String]) -> [Int] {
    var touched = Set<Int>()
    for path in changed {
      if let position = position(of: path) { touched.insert(position) }
      RawPath.withCString(path + "/") { prefix in
        let length = strlen(prefix)
        // Records are in byte order: those below the folder follow one another from the first one not
        // before its prefix.
        var position = firstPosition(notBefore: prefix)
        while position < count, strncmp(pathPointer(position), prefix, length) == 0 {
          touched.insert(position)
          position += 1
        }
      }
    }
    for position in 0..<count where mode(position) == EntryMode.gitlink.rawValue { touched.insert(position) }
    return touched.filter { !skipWorktree($0) }.sorted()
  }

  /// The first position whose path is not before `key` in byte order (``count`` when there is none).
  private func firstPosition(notBefore key: UnsafePointer<CChar>) -> Int {
    var low = 0
    var high = count
    while low < high {
      let middle = (low + high) / 2
      if strcmp(pathPointer(middle), key) < 0 { low = middle + 1 } else { high = middle }
    }
    return low
  }
}

extension WorkTreeScan {
  /// The cached folders that `changed` paths (from a monitor) touch, the only ones looked at again: each
  /// path that is a cached folder, the cached folders below each path, the nearest cached folder above each
  /// path (where a name appears or goes), and the folders the cache does not trust (stamped
  /// ``FolderCache/Stamp/unknown``: they hold something left out, to be retried).
  static func foldersTouched(by changed: [String], in cache: FolderCache) -> Set<String> {
    var touched: Set<String> = []
    for (path, folder) in cache.folders where folder.stamp == .unknown { touched.insert(path) }
    if changed.isEmpty { return touched }
    let ordered = cache.folders.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    for path in changed {
      if cache.folders[path] != nil { touched.insert(path) }
      let prefix = path + "/"
      var low = 0
      var high = ordered.count
      while low < high {
        let middle = (low + high) / 2
        if ordered[middle].utf8.lexicographicallyPrecedes(prefix.utf8) { low = middle + 1 } else { high = middle }
      }
      while low < ordered.count, ordered[low].utf8.starts(with: prefix.utf8) {
        touched.insert(ordered[low])
        low += 1
      }
      var above = path
      repeat {
        above = SnapshotBuilder.parent(of: above)
        if cache.folders[above] != nil {
          touched.insert(above)
          break
        }
      } while !above.isEmpty
    }
    return touched
  }
}
