/// How Cline filled a request's `tokensIn` and `cacheWrites`, by the provider its entry names
/// (`modelInfo.providerId`, written since Cline 3.37): the handlers of Anthropic-style APIs, and most
/// others, keep `tokensIn` apart from the cache, while the handlers of several OpenAI-compatible APIs pass
/// the prompt's whole count through, cache reads included, some with the prompt's uncached part in
/// `cacheWrites`. Read from each provider's handler in Cline's task writer (3.37 to 4.0; Cline's own views
/// add the four counts as if they never overlapped).
enum ClineProviderCounts: Equatable {
  /// `tokensIn` holds no cached token.
  case apart
  /// `tokensIn` holds the cache reads; `cacheWrites` are apart.
  case readsInside
  /// `tokensIn` holds the cache reads, and `cacheWrites` is the prompt's uncached part (the API's cache-miss
  /// count), inside `tokensIn` too: no cache write at all.
  case readsAndMissesInside
  /// `tokensIn` holds the cache reads and writes.
  case readsAndWritesInside
  /// `tokensIn` is what is left after the cache hits and misses, and `cacheWrites` holds the misses.
  case missesApart

  init(provider: String?) {
    switch provider {
    case "openai-codex", "zai", "lmstudio", "wandb": self = .readsInside
    case "openai", "xai", "qwen", "doubao", "fireworks", "hicap": self = .readsAndMissesInside
    case "requesty", "oca", "litellm": self = .readsAndWritesInside
    case "deepseek": self = .missesApart
    default: self = .apart
    }
  }

  /// The uncached input and the cache writes of a request whose entry says `tokensIn`, `reads` and
  /// `writes` (each at most ``UsageLimits/maxTokens``); counts that do not fit the provider's way (fewer
  /// tokens in than the cache inside them) are taken as they are.
  func split(tokensIn: Int, reads: Int, writes: Int) -> (input: Int, writes: Int) {
    switch self {
    case .apart:
      return (tokensIn, writes)
    case .readsInside:
      return tokensIn >= reads ? (tokensIn - reads, writes) : (tokensIn, writes)
    case .readsAndMissesInside:
      return tokensIn >= reads ? (tokensIn - reads, 0) : (tokensIn, writes)
    case .readsAndWritesInside:
      return tokensIn >= reads + writes ? (tokensIn - reads - writes, writes) : (tokensIn, writes)
    case .missesApart:
      return (tokensIn + writes, 0)
    }
  }
}
