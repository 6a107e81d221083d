/// What octo-git sees in a repository: the data behind `octo-git doctor`.
public struct DoctorReport: Codable, Sendable, Equatable {
  public struct RepositoryInfo: Codable, Sendable, Equatable {
    public let workTree: String
    public let gitDir: String
    public let commonDir: String
    public let linkedWorktree: Bool
    /// `branch`, `detached` or `unborn`.
    public let headState: String
    public let branch: String?
    public let commit: String?
    /// A rebase, merge, cherry-pick… in progress, if any.
    public let operation: String?
  }

  public struct HookInfo: Codable, Sendable, Equatable {
    public let name: String
    /// `octo-git` (our stub), `manager` (another tool's hook that runs octo-git: a hook manager configured to,
    /// or a script calling it), `other` (someone else's hook), or `missing`.
    public let state: String
    /// Whether a hook that was there before octo-git's is kept as `<name>.octo-orig` and chained.
    public let chainsOriginal: Bool
  }

  public struct HooksInfo: Codable, Sendable, Equatable {
    /// The directory git runs hooks from.
    public let directory: String
    /// `core.hooksPath` when set (as written in config).
    public let hooksPath: String?
    public let hooks: [HookInfo]
  }

  public struct NotesRefInfo: Codable, Sendable, Equatable {
    public let ref: String
    public let exists: Bool
    public let notes: Int
    public let tip: String?
  }

  public struct SettingInfo: Codable, Sendable, Equatable {
    public let key: String
    public let value: String?
    /// Where the value comes from: `system`, `global`, `local`, `worktree`, or `default`.
    public let source: String
  }

  /// The file-system monitor checkpoints ask what changed (`core.fsmonitor`).
  public struct FileSystemMonitorInfo: Codable, Sendable, Equatable {
    /// `off`; `hook` (a hook checkpoints ask); `daemon` (git's built-in daemon, `core.fsmonitor=true`,
    /// which octo-git does not speak to); `hook-version-1` (a version 1 hook, which octo-git does not ask).
    public let mode: String
    /// The hook's command, as the shell runs it.
    public let command: String?
    /// Whether checkpoints ask it what changed instead of looking at every file.
    public let inUse: Bool
    /// When the last checkpoint asked it (UTC), as that checkpoint recorded it: `doctor` never runs it.
    public let lastQueryAt: String?
    /// What it answered then: `3 paths may have changed`, `failed: exited with status 1: …`.
    public let lastQuery: String?
    /// Whether that checkpoint kept its token: when not, the next checkpoint looks at every file.
    public let tokenKept: Bool?
  }

  public struct AgentInfo: Codable, Sendable, Equatable {
    /// The agent's name as `install --agent` takes it: `claude-code`, `codex`, `gemini`, `copilot` or `qwen`.
    public let agent: String
    /// The file holding octo-git's hooks for the agent (the personal file when none does).
    public let file: String
    /// Whether octo-git's checkpoint and usage-import hooks are in it.
    public let wired: Bool
  }

  public struct RollupInfo: Codable, Sendable, Equatable {
    /// The rollup database.
    public let database: String
    /// The project this repository counts under, when it is registered.
    public let project: String?
  }

  public struct RuntimeInfo: Codable, Sendable, Equatable {
    public let octoGit: String
    public let libgit2: String
    public let sqlite: String
    public let libcurl: String
  }

  public let repository: RepositoryInfo
  public let hooks: HooksInfo
  public let notes: [NotesRefInfo]
  public let settings: [SettingInfo]
  /// `nil` in a report from an octo-git that did not look.
  public let fileSystemMonitor: FileSystemMonitorInfo?
  public let agents: [AgentInfo]
  public let rollup: RollupInfo
  public let runtime: RuntimeInfo
  /// Things that need the user's attention, one line each with what to do.
  public let problems: [String]
}
