import Foundation

/// Builds the ``DoctorReport`` of a repository, from libgit2 only.
public enum Doctor {
  /// The notes refs octo-git writes (SPEC: data model).
  public static let notesRefs = ["refs/notes/octo/usage", "refs/notes/octo/checkpoints", "refs/notes/octo/features"]
  /// The hooks octo-git installs.
  public static let hookNames = ["post-commit", "pre-push", "post-rewrite"]

  /// The usage notes holding lines no report can read (damaged, or from a later octo-git), named.
  static func unreadableLines(_ repository: Repository) throws -> String? {
    guard
      let delta = try UsageNotesDelta.read(
        repository, ref: UsageNote.ref, since: nil, rebuild: true, commitDetails: false),
      delta.malformedLines > 0
    else { return nil }
    let commits = delta.notes.filter { $0.unread.malformed > 0 }.map {
      "\($0.commit.abbreviated()) (\($0.unread.malformed))"
    }
    let shown = commits.prefix(20).joined(separator: ", ") + (commits.count > 20 ? ", …" : "")
    let later = delta.unread.newer > 0 ? " (\(delta.unread.newer) written by a newer octo-git: upgrade)" : ""
    return
      "\(delta.malformedLines) usage note line(s) cannot be read and are in no total\(later), in commits \(shown): "
      + "see git notes --ref=octo/usage show <commit>"
  }

  public static func report(for repository: Repository) throws -> DoctorReport {
    var problems: [String] = []
    let head = try repository.head()
    let headState: String
    switch head {
    case .branch: headState = "branch"
    case .detached: headState = "detached"
    case .unborn: headState = "unborn"
    }
    let info = DoctorReport.RepositoryInfo(
      workTree: repository.workDirectory, gitDir: repository.gitDirectory, commonDir: repository.commonDirectory,
      linkedWorktree: repository.isLinkedWorktree, headState: headState, branch: head.branch,
      commit: head.commit?.hex, operation: repository.operationInProgress?.rawValue)

    let config = try repository.config()
    let hooks = try hooksInfo(repository, config: config)
    // A bare mirror has no commits made in it: hooks do not apply there.
    if !repository.isBare { problems += try hookProblems(repository, hooks) }
    problems += healthProblems(repository, config: config, hooks: hooks)

    var notes: [DoctorReport.NotesRefInfo] = []
    var refs = Set(notesRefs)
    for reference in try repository.references(matching: "refs/notes/octo/*") { refs.insert(reference.name) }
    var usageReadable = true
    for ref in refs.sorted() {
      let tip = try repository.reference(ref)
      var count = 0
      // A notes ref fetched from others may hold anything (a tree, a damaged notes tree): said, not fatal.
      do {
        if let tip {
          count = try repository.notes(inNotesCommit: tip.target).count
          // A ref moved onto a project's commit (a mistyped update-ref, a bad refspec) reads as no notes.
          if count == 0, let entries = try? repository.treeEntries(try repository.commit(tip.target).tree).count,
            entries > 0
          {
            problems.append(
              "\(ref) holds no notes but \(entries) other \(entries == 1 ? "entry" : "entries") (is "
                + "\(tip.target.abbreviated()) a project commit?): see what it holds with git log \(ref), and if "
                + "it is not notes remove it with git update-ref -d \(ref)")
          }
        }
      } catch {
        if ref == UsageNote.ref { usageReadable = false }
        problems.append(
          "\(ref) cannot be read as notes (\(error)): see what it holds with git log \(ref), and if it is "
            + "not notes remove it with git update-ref -d \(ref)")
      }
      notes.append(DoctorReport.NotesRefInfo(ref: ref, exists: tip != nil, notes: count, tip: tip?.target.hex))
    }
    if usageReadable, let problem = try unreadableLines(repository) {
      problems.append(problem)
    }
    if try repository.reference("refs/notes/octo") != nil {
      problems.append(
        "a ref named refs/notes/octo exists and blocks refs/notes/octo/*: rename it with git update-ref")
    }

    let settings = try settingsInfo(config)
    let monitor = fileSystemMonitorInfo(repository, config: config)
    problems += monitor.problems
    let runtime = DoctorReport.RuntimeInfo(
      octoGit: Version.octoGit, libgit2: Version.libgit2, sqlite: Version.sqlite, libcurl: Version.libcurl)
    let agents = AgentSetup.Agent.allCases.map { agent in
      let wired = AgentSetup.wiredFile(repository, agent)
      return DoctorReport.AgentInfo(
        agent: agent.rawValue, file: wired ?? AgentSetup.settingsPath(repository, agent), wired: wired != nil)
    }
    if let warning = try PostCommitHook.pendingWithoutHookWarning(repository) { problems.append(warning) }
    let rollup = rollupInfo(repository)
    if rollup.project == nil, hooks.hooks.allSatisfy({ $0.state == "octo-git" }) {
      problems.append("installed but not registered for the rollup: run octo-git repos add")
    }
    return DoctorReport(
      repository: info, hooks: hooks, notes: notes, settings: settings, fileSystemMonitor: monitor.info,
      agents: agents, rollup: rollup, runtime: runtime, problems: problems)
  }

  /// Whether the repository is registered for the rollup (the database is only read, never created here).
  static func rollupInfo(_ repository: Repository) -> DoctorReport.RollupInfo {
    let path = RollupStore.defaultPath()
    guard FileManager.default.fileExists(atPath: path), let store = try? RollupStore(path: path),
      let entries = try? store.entries()
    else { return DoctorReport.RollupInfo(database: path, project: nil) }
    let registered = RepositoryRegistry.registeredPath(of: repository)
    return DoctorReport.RollupInfo(database: path, project: entries.first { $0.path == registered }?.project)
  }

  /// "Not installed", or "installed but bypassed" when another tool took the hooks back.
  static func hookProblems(_ repository: Repository, _ hooks: DoctorReport.HooksInfo) throws -> [String] {
    let missing = hooks.hooks.filter { $0.state != "octo-git" && $0.state != "manager" }.map(\.name)
    if missing.isEmpty { return [] }
    let state = try InstallState.load(repository)
    if let recorded = state.hooksDirectory, recorded != hooks.directory {
      return [
        "installed but bypassed: octo-git's hooks are in \(recorded) but git now runs hooks from \(hooks.directory); "
          + "run octo-git install again (it prints what to add for husky or lefthook)"
      ]
    }
    var problems: [String] = []
    for name in missing {
      let taken = hooks.directory + "/" + name + ".old"
      if let data = FileManager.default.contents(atPath: taken),
        String(decoding: data.prefix(512), as: UTF8.self).contains(HookInstaller.hookFingerprint)
      {
        problems.append(
          "installed but bypassed: another tool replaced octo-git's \(name) hook (it kept ours as \(name).old); "
            + "add octo-git to that tool's configuration (octo-git install prints how)")
      }
    }
    if problems.isEmpty {
      problems.append(
        state.hooksDirectory == nil
          ? "octo-git hooks are not installed in \(hooks.directory): run octo-git install"
          : "octo-git's \(missing.joined(separator: ", ")) hook(s) are missing from \(hooks.directory):"
            + " run octo-git install"
      )
    }
    return problems
  }

  static func hooksInfo(_ repository: Repository, config: Config) throws -> DoctorReport.HooksInfo {
    let directory = try repository.hooksDirectory()
    let manager = FileManager.default
    let hooks = hookNames.map { name -> DoctorReport.HookInfo in
      let path = directory + "/" + name
      let chains = manager.isExecutableFile(atPath: path + ".octo-orig")
      guard let data = manager.contents(atPath: path) else {
        return DoctorReport.HookInfo(name: name, state: "missing", chainsOriginal: chains)
      }
      let text = String(decoding: data.prefix(65536), as: UTF8.self)
      if text.prefix(512).contains(HookInstaller.hookFingerprint) {
        return DoctorReport.HookInfo(name: name, state: "octo-git", chainsOriginal: chains)
      }
      // Another tool's hook that runs octo-git: a script calling it, or a manager configured to.
      let runs =
        manager.isExecutableFile(atPath: path)
        && (HookInstaller.mentions(text, name)
          || HookInstaller.runsThroughManager(name, hookText: text, directory: directory, in: repository))
      return DoctorReport.HookInfo(name: name, state: runs ? "manager" : "other", chainsOriginal: chains)
    }
    return DoctorReport.HooksInfo(directory: directory, hooksPath: try config.string("core.hooksPath"), hooks: hooks)
  }

  static func settingsInfo(_ config: Config) throws -> [DoctorReport.SettingInfo] {
    var settings: [DoctorReport.SettingInfo] = []
    var seen = Set<String>()
    // Later entries (more specific files) win, as in git.
    var effective: [String: ConfigEntry] = [:]
    for entry in try config.entries(matching: "^octo\\.") { effective[entry.name] = entry }
    for documented in DefaultSettings.all {
      let key = documented.key.lowercased()
      seen.insert(key)
      if let entry = effective[key] {
        settings.append(.init(key: documented.key, value: entry.value, source: entry.level?.rawValue ?? "config"))
      } else {
        settings.append(.init(key: documented.key, value: documented.value, source: "default"))
      }
    }
    for (key, entry) in effective.sorted(by: { $0.key < $1.key }) where !seen.contains(key) {
      settings.append(.init(key: entry.name, value: entry.value, source: entry.level?.rawValue ?? "config"))
    }
    return settings
  }
}
