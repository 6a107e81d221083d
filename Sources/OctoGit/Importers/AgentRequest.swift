import Foundation

/// One API request read from an agent's transcripts, ready to be priced and attributed.
public struct AgentRequest: Equatable, Sendable {
  /// The event id: stable across re-reads (`cc:<message.id>` for Claude Code, `cx:<session>:<running total>`
  /// for Codex), so importing again never counts anything twice.
  public let id: String
  /// `claude-code` or `codex`.
  public let agent: String
  public let at: Date
  public let model: String
  public let tokens: TokenCounts
  public let cwd: String?
  /// The branch the agent logged (`HEAD` when detached).
  public let branch: String?
  public let session: String?
}
