import Foundation

@testable import OctoGit

/// The parsers that read bytes from outside, each as a fuzz target: one input in, no trap, no hang, and
/// where two readers of the same format exist they must agree.
enum FuzzTargets {
  /// The target a fuzzing run exercises: `OCTO_FUZZ_TARGET`.
  static let fromEnvironment: String = {
    let name = ProcessInfo.processInfo.environment["OCTO_FUZZ_TARGET"] ?? ""
    guard names.contains(name) else {
      FileHandle.standardError.write(Data("octo-fuzz: set OCTO_FUZZ_TARGET to one of \(names.joined(separator: ", "))\n".utf8))
      exit(2)
    }
    return name
  }()

  static let names = ["note-line", "json", "claude-line", "codex-rollout", "archive", "snapshot-state", "folder-cache",
    "hook-input", "template"]

  /// A scratch file for readers that take a path (in memory where the system has /dev/shm).
  static let scratch: String = {
    let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return folder + "/octo-fuzz-\(getpid())"
  }()

  static func withScratchFile(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (String) -> Void) {
    let descriptor = open(scratch, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return }
    if let base = bytes.baseAddress { _ = write(descriptor, base, bytes.count) }
    close(descriptor)
    body(scratch)
  }

  /// Runs target `name` on one input.
  static func run(_ name: String, _ bytes: UnsafeBufferPointer<UInt8>) {
    switch name {
    case "note-line":
      // The byte scanner and the general parser must agree on which lines are events, and on their values.
      let scanned = StoredUsageLine.parse(bytes)
      let parsed = try? UsageEvent(line: String(decoding: bytes, as: UTF8.self))
      if let scanned, let parsed {
        precondition(scanned.id == parsed.id && scanned.model == parsed.model, "scanner and parser disagree on names")
        precondition(scanned.tokens == parsed.tokens, "scanner and parser disagree on tokens")
      }
      if scanned != nil, String(validating: bytes, as: UTF8.self) != nil {
        precondition(parsed != nil, "the scanner took a line the parser refuses")
      }
      var lines: [StoredUsageLine] = []
      _ = StoredUsageLine.append(linesIn: UnsafeRawBufferPointer(bytes), to: &lines)
      var totals = UsageTotals()
      for line in lines { totals.add(tokens: line.tokens, costPico: line.costPico, costText: line.costText) }
      _ = totals.costText
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
    default:
      fatalError("unknown fuzz target \(name); known: \(names.joined(separator: ", "))")
    }
  }
}
