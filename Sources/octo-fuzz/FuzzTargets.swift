import Foundation

@testable import OctoGit

/// The parsers that read bytes from outside, each as a fuzz target: one input in, no trap, no hang, and
/// where two readers of the same format exist they must agree.
enum FuzzTargets {
  /// The target a fuzzing run exercises: `OCTO_FUZZ_TARGET`.
  static let fromEnvironment: String = {
    let name = ProcessInfo.processInfo.environment["OCTO_FUZZ_TARGET"] ?? ""
    guard names.contains(name) else {
      FileHandle.standardError.write(
        Data("octo-fuzz: set OCTO_FUZZ_TARGET to one of \(names.joined(separator: ", "))\n".utf8))
      exit(2)
    }
    return name
  }()

  static let names = [
    "note-line", "json", "claude-line", "codex-rollout", "archive", "snapshot-state", "folder-cache",
    "hook-input", "template", "gemini-chat", "copilot-events", "opencode-message", "cline-messages", "cline-session",
    "qwen-chat",
    "json-select", "actions-event", "github-link", "github-api", "copy-row", "import-offsets", "agent-import-state",
    "fsmonitor-response",
  ]

  /// A scratch file for readers that take a path (in memory where the system has /dev/shm).
  static let scratch: String = {
    let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return folder + "/octo-fuzz-\(getpid())"
  }()

  static func withScratchFile(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (String) -> Void) {
    guard put(bytes, at: scratch) else { return }
    body(scratch)
  }

  /// Writes `bytes` as the whole file at `path`, created or truncated (so the same inode each time); false
  /// when it cannot.
  static func put(_ bytes: UnsafeBufferPointer<UInt8>, at path: String) -> Bool {
    _ = cleanUpAtExit
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var written = 0
    while written < bytes.count, let base = bytes.baseAddress {
      let count = Foundation.write(descriptor, base + written, bytes.count - written)
      if count <= 0 { return false }
      written += count
    }
    return true
  }

  /// The scratch file and folder tree are removed when the process exits (libFuzzer and the replay both end
  /// with `exit`).
  static let cleanUpAtExit: Bool = {
    atexit {
      unlink(FuzzTargets.scratch)
      try? FileManager.default.removeItem(atPath: FuzzTargets.scratch + ".d")
    }
    return true
  }()

  /// Runs target `name` on one input.
  static func run(_ name: String, _ bytes: UnsafeBufferPointer<UInt8>) {
    switch name {
    case "note-line":
      noteLine(bytes)
    case "json":
      _ = try? CanonicalJSON.parse(bytes: bytes)
    case "claude-line":
      var recent = ClaudeCodeTranscripts.RecentStrings()
      _ = try? ClaudeCodeTranscripts.request(in: bytes, recent: &recent)
    case "codex-rollout":
      withScratchFile(bytes) { path in
        var requests: [AgentRequest] = []
        var malformed = 0
        try? CodexTranscripts.read(path, into: &requests, malformed: &malformed)
      }
    case "archive":
      _ = EventArchive.decode(Data(bytes))
    case "snapshot-state":
      withScratchFile(bytes) { _ = SnapshotState.load(from: $0) }
    case "folder-cache":
      // The seeds' tag is "t"; the header is read as the loader reads it.
      withScratchFile(bytes) { _ = FolderCache.load($0, tag: "t") }
    case "hook-input":
      _ = AgentHookInput(json: Data(bytes))
    case "template":
      let text = String(decoding: bytes, as: UTF8.self)
      _ = try? TemplateLimits.parse(text, name: "fuzz")
      var sizes = BoundedTemplate.Sizes()
      sizes.measure(["commits": [["title": "a"], ["title": "b"]], "rows": [1, 2, 3]])
      _ = BoundedTemplate.estimate(text, sizes: sizes)
    case "gemini-chat":
      geminiBothWays(bytes)
    case "copilot-events":
      readFile(bytes, at: copilotEvents, with: CopilotSessions.read, prefix: "cp:", agent: "copilot")
    case "opencode-message":
      openCodeBothStores(bytes)
    case "cline-messages":
      clineFlavors(bytes)
    case "cline-session":
      readFile(
        bytes, at: clineSession,
        with: { path, scan in
          try ClineSessions.read(path, session: ClineSessions.session(at: path), into: &scan)
        }, prefix: "cl:", agent: "cline")
    case "qwen-chat":
      readFile(bytes, at: qwenChat, with: QwenTranscripts.read, prefix: "qw:", agent: "qwen")
    case "json-select":
      jsonSelect(bytes)
    case "actions-event":
      actionsEvent(bytes)
    case "github-link":
      githubLink(bytes)
    case "github-api":
      githubAnswer(bytes)
    case "copy-row":
      copyRow(bytes)
    case "import-offsets":
      importOffsets(bytes)
    case "agent-import-state":
      importStateSaved(bytes)
    case "fsmonitor-response":
      fileSystemMonitorAnswer(bytes)
    default:
      FileHandle.standardError.write(
        Data("octo-fuzz: unknown target \(name); known: \(names.joined(separator: ", "))\n".utf8))
      exit(2)
    }
  }
}
