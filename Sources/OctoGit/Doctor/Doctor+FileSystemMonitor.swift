import Foundation

extension Doctor {
  /// The file-system monitor checkpoints ask (`core.fsmonitor`), from the configuration and from what the
  /// last checkpoint recorded of its answer (the hook itself is never run here), with what needs the user's
  /// attention: a hook that cannot run or failed, a version 1 hook, git's daemon.
  static func fileSystemMonitorInfo(_ repository: Repository, config: Config) -> (
    info: DoctorReport.FileSystemMonitorInfo, problems: [String]
  ) {
    switch FileSystemMonitor.mode(config) {
    case .off:
      return (
        DoctorReport.FileSystemMonitorInfo(
          mode: "off", command: nil, inUse: false, lastQueryAt: nil, lastQuery: nil, tokenKept: nil),
        []
      )
    case .daemon:
      return (
        DoctorReport.FileSystemMonitorInfo(
          mode: "daemon", command: nil, inUse: false, lastQueryAt: nil, lastQuery: nil, tokenKept: nil),
        ["core.fsmonitor=true: git's daemon is not supported by this octo-git; checkpoints stat every file"]
      )
    case .hookVersionOne(let command):
      return (
        DoctorReport.FileSystemMonitorInfo(
          mode: "hook-version-1", command: command, inUse: false, lastQueryAt: nil, lastQuery: nil, tokenKept: nil),
        [
          "core.fsmonitorHookVersion is 1: octo-git asks only version 2 hooks (version 1 can miss changes), so "
            + "checkpoints stat every file; use a version 2 hook: git config core.fsmonitorHookVersion 2"
        ]
      )
    case .hook(let command):
      var problems: [String] = []
      let path = repository.gitDirectory + "/octo/snapshot" + FileSystemMonitor.Record.suffix
      // Only what was recorded for this hook and this work tree tells about it.
      let last = FileSystemMonitor.Record.load(path).flatMap {
        $0.command == command && $0.workTree == repository.workDirectory ? $0 : nil
      }
      if let problem = FileSystemMonitor.unrunnable(command, workTree: repository.workDirectory) {
        problems.append("core.fsmonitor: \(problem), so checkpoints stat every file")
      } else if let last, case .failed(let reason) = last.outcome {
        problems.append(
          "the core.fsmonitor hook failed when the last checkpoint asked it (\(reason)); checkpoints stat every "
            + "file until it answers")
      }
      let info = DoctorReport.FileSystemMonitorInfo(
        mode: "hook", command: command, inUse: true,
        lastQueryAt: last.map { Timestamp.format(Date(timeIntervalSince1970: TimeInterval($0.checkedAt))) },
        lastQuery: last?.summary, tokenKept: last.map { $0.token != nil })
      return (info, problems)
    }
  }
}
