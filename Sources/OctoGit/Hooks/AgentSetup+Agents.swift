import Foundation

extension AgentSetup {
  /// The agents octo-git can wire: those whose own configuration runs a command before a tool and when a turn
  /// or a session ends, without stopping the agent when the command fails. The others are imported by `usage
  /// import` alone: OpenCode and Kilo CLI take JavaScript plugins only, Cline's hooks stop the tool when they
  /// fail or time out, Roo Code and the Kilo Code extension octo-git reads have none.
  public enum Agent: String, CaseIterable, Sendable {
    case claudeCode = "claude-code"
    case codex
    case gemini
    case copilot
    case qwen

    /// How an agent's file lays out one hook.
    enum HookLayout: Equatable {
      /// `{"matcher": …, "hooks": [{"type": "command", "command": …, "timeout": N}]}` in `hooks.<event>`:
      /// Claude Code's shape, which Codex CLI, Gemini CLI and Qwen Code follow (`timeout` in the agent's unit).
      case grouped(timeout: Int)
      /// `{"type": "command", "bash": …, "matcher": …, "timeoutSec": N}` directly in `hooks.<event>`: Copilot
      /// CLI's hook files.
      case flat(timeoutSeconds: Int)
    }

    /// The agent's product name, for messages.
    public var displayName: String {
      switch self {
      case .claudeCode: return "Claude Code"
      case .codex: return "Codex CLI"
      case .gemini: return "Gemini CLI"
      case .copilot: return "GitHub Copilot CLI"
      case .qwen: return "Qwen Code"
      }
    }

    /// The personal file holding the agent's hooks, relative to the work tree's root. Claude Code's is meant to
    /// stay personal; the others' is personal while git does not track it. (Copilot CLI's personal
    /// `.github/copilot/settings.local.json` is not used: its `hooks` are merged by event name, so an event of
    /// octo-git's there could hide the team's hooks for that event; hook files are all run.)
    public var personalFile: String {
      switch self {
      case .claudeCode: return ".claude/settings.local.json"
      case .codex: return ".codex/hooks.json"
      // The project settings: Gemini CLI reads no other file in the project.
      case .gemini: return ".gemini/settings.json"
      // One of the hook files Copilot CLI loads from .github/hooks/*.json, all of them added together.
      case .copilot: return ".github/hooks/octo-git.json"
      case .qwen: return ".qwen/settings.json"
      }
    }

    /// The team's file (meant to be tracked), relative to the work tree's root: written only with `--shared`.
    public var sharedFile: String { self == .claudeCode ? ".claude/settings.json" : personalFile }

    /// Every project file that may hold octo-git's hooks for this agent.
    var candidateFiles: [String] { personalFile == sharedFile ? [personalFile] : [personalFile, sharedFile] }

    /// The event before a tool runs.
    var checkpointEvent: String {
      switch self {
      case .claudeCode, .codex, .qwen: return "PreToolUse"
      case .gemini: return "BeforeTool"
      case .copilot: return "preToolUse"
      }
    }

    /// The tools before which a checkpoint is taken: a regular expression on the tool's name. Gemini CLI and
    /// Qwen Code search it anywhere in the name, so it is anchored; Copilot CLI anchors it itself.
    var editingTools: String {
      switch self {
      case .claudeCode: return "Edit|MultiEdit|Write|NotebookEdit|Bash"
      case .codex: return "Bash|apply_patch"
      case .gemini: return "^(write_file|replace|run_shell_command)$"
      case .copilot: return "bash|create|edit|apply_patch"
      case .qwen: return "^(edit|write_file|run_shell_command)$"
      }
    }

    /// The events at which the session's usage is imported. Copilot CLI writes a run's usage only when the run
    /// ends, so a turn's end would find nothing new.
    var endEvents: [String] {
      switch self {
      case .claudeCode, .qwen: return ["Stop", "SessionEnd"]
      case .codex: return ["Stop"]
      case .gemini: return ["AfterAgent", "SessionEnd"]
      case .copilot: return ["sessionEnd"]
      }
    }

    /// How the agent's file lays out a hook, with a 30-second limit in the agent's unit.
    var layout: HookLayout {
      switch self {
      case .claudeCode, .codex: return .grouped(timeout: 30)
      // Milliseconds.
      case .gemini, .qwen: return .grouped(timeout: 30_000)
      case .copilot: return .flat(timeoutSeconds: 30)
      }
    }

    /// The members a file octo-git creates holds before `hooks`: Copilot CLI's hook files name their format.
    var fileHeader: [(String, JSONText.Value)] { self == .copilot ? [("version", .int(1))] : [] }

    /// What identifies octo-git's entries among the user's hooks.
    var markers: [String] {
      ["checkpoint --quiet --agent \(rawValue) --hook-input -", "usage import \(rawValue) --hook-input -"]
    }
  }
}
