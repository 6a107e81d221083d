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

  public init(
    id: String, agent: String, at: Date, model: String, tokens: TokenCounts, cwd: String?, branch: String?,
    session: String?, cost: PicoDollars? = nil
  ) {
    self.id = Self.boundedID(Self.withoutNul(id))
    self.agent = agent
    self.at = at
    self.model = Self.withoutNul(model)
    self.tokens = tokens
    self.cwd = cwd
    self.branch = branch.map(Self.withoutNul)
    self.session = session.map(Self.withoutNul)
    self.cost = cost
  }

  /// The same request under another id and session.
  func renamed(id: String, session: String?) -> AgentRequest {
    var renamed = AgentRequest(
      id: id, agent: agent, at: at, model: model, tokens: tokens, cwd: cwd, branch: branch, session: session)
    renamed.cost = cost
    return renamed
  }

  /// `text` without U+0000, which no usage line may hold (the line would be unreadable once written).
  static func withoutNul(_ text: String) -> String {
    text.utf8.contains(0) ? String(text.unicodeScalars.filter { $0 != "\0" }.map(Character.init)) : text
  }

  /// `id` when it fits ``UsageLimits/maxIDBytes``; otherwise its first 400 bytes (whole characters) and a
  /// hash of the whole, the same at every read: an agent's file holding a huge id (damaged, or written to
  /// harm) still gives one event, stable across imports, that every reader takes.
  static func boundedID(_ id: String) -> String {
    guard id.utf8.count > UsageLimits.maxIDBytes else { return id }
    var kept = String.UnicodeScalarView()
    var bytes = 0
    for scalar in id.unicodeScalars {
      bytes += String(scalar).utf8.count
      if bytes > 400 { break }
      kept.append(scalar)
    }
    let digest = String(StableHash.of(id.utf8), radix: 16)
    return String(kept) + "~" + String(repeating: "0", count: 16 - digest.count) + digest
  }
}
