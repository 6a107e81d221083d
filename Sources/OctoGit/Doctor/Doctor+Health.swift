import Foundation

/// What stops octo-git's work while everything looks installed: a hook git skips, a hook whose binary is
/// gone, a ledger that cannot be read, a setting no report accepts.
extension Doctor {
  static func healthProblems(
    _ repository: Repository, config: Config, hooks: DoctorReport.HooksInfo,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> [String] {
    var problems: [String] = []
    for hook in hooks.hooks where hook.state == "octo-git" {
      let path = hooks.directory + "/" + hook.name
      if access(path, X_OK) != 0 {
        problems.append("\(path) is not executable, so git skips it: run octo-git install (it sets the bit again)")
      } else if let binary = stubBinary(path), !runs(binary, environment: environment) {
        let chosen = environment["OCTO_GIT_BIN"].flatMap { $0.isEmpty ? nil : $0 }
        let named = chosen.map { "OCTO_GIT_BIN names \(SafeText.terminal($0)), which is not executable" }
        problems.append(
          "\(path) finds no octo-git: \(named ?? "\(SafeText.terminal(binary)) is gone"), and none is on PATH: "
            + "run octo-git install with the octo-git you use now")
      }
    }
    let ledger = repository.commonDirectory + "/octo/ledger.sqlite"
    if Paths.entryExists(ledger) {
      do {
        let store = try LedgerStore.open(commonDirectory: repository.commonDirectory, busySeconds: 2)
        _ = try store.malformedLines(limit: 1)
      } catch {
        problems.append("\(error)")
      }
    }
    do {
      _ = try ReportOptionsParser.parsePeriod(cycleDay: nil, since: nil, until: nil, timeZone: nil, config: config)
    } catch {
      problems.append("\(error)")
    }
    // A budget that cannot be read stops the reports and pr comment: said here first.
    for key in ["octo.budget", "octo.budget.branch", "octo.budget.pr"] {
      do {
        _ = try Budget.amount(config, key)
      } catch {
        problems.append("\(error)")
      }
    }
    return problems
  }

  /// The binary an octo-git hook stub was written to run (`octo_default_bin='…'` in it).
  static func stubBinary(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    let text = String(decoding: data.prefix(65536), as: UTF8.self)
    let start = "octo_default_bin='"
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(start) }), line.hasSuffix("'") else {
      return nil
    }
    return String(line.dropFirst(start.count).dropLast()).replacingOccurrences(of: "'\\''", with: "'")
  }

  /// Whether a hook written to run `binary` finds an octo-git to run, as the stub looks for one.
  static func runs(_ binary: String, environment: [String: String]) -> Bool {
    let chosen = environment["OCTO_GIT_BIN"].flatMap { $0.isEmpty ? nil : $0 } ?? binary
    return access(chosen, X_OK) == 0 || HookInstaller.onPath("octo-git", environment: environment)
  }
}
