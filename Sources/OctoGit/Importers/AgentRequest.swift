import Foundation

/// One API request read from an agent's transcripts, ready to be priced and attributed.
public struct AgentRequest: Equatable, Sendable {
  /// The event id: stable across re-reads (`cc:<message.id>` for Claude Code, `cx:<session>:<running total>`
  /// for Codex), so importing again never counts anything twice.
  public let id: String
  /// The importer's name: `claude-code`, `codex`, `gemini`, `copilot`, `opencode`, `kilo`, `cline`, `roo`,
  /// `kilo-code` or `qwen`.
  public let agent: String
  /// When the request was made (the transcript's timestamp, milliseconds kept). The request is charged
  /// to the first commit made in its work tree at or after this moment; commit times have whole
  /// seconds, so a commit in the same second counts as after.
  public let at: Date
  public let model: String
  public let tokens: TokenCounts
  public let cwd: String?
  /// The branch the agent logged (`HEAD` when detached).
  public let branch: String?
  public let session: String?
  /// What the agent itself says the request cost, in USD (OpenCode, Kilo, Cline and its forks record it).
  /// Kept, and marked `"prices":"agent"`, only when octo-git's price table has no price for the model (see
  /// ``agentCost(unlessPricedBy:)``); otherwise octo-git prices the tokens.
  public var cost: PicoDollars? = nil
}
