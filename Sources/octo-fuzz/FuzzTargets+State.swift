import Foundation

@testable import OctoGit

/// State octo-git keeps for itself and the file-system monitor's answers it trusts.
extension FuzzTargets {
  /// The state read, saved and read again is the same state.
  static func importStateSaved(_ bytes: UnsafeBufferPointer<UInt8>) {
    withScratchFile(bytes) { path in
      let state = AgentImportState.load(path)
      guard (try? state.save(savedImportState)) != nil else { return }
      precondition(
        AgentImportState.load(savedImportState).agents == state.agents, "the import state does not survive a save")
    }
  }

  // MARK: - File-system monitor

  /// A monitor hook's answer is refused, or "everything", or paths that stay in the work tree (relative, no
  /// empty, `.` or `..` component, never in `.git`) with a token that can be given back to the hook.
  static func fileSystemMonitorAnswer(_ bytes: UnsafeBufferPointer<UInt8>) {
    func checkToken(_ token: String) {
      precondition(!token.isEmpty && token.utf8.count <= FileSystemMonitor.maxTokenLength, "a token out of bounds")
      precondition(token.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "a token that is not printable ASCII")
    }
    switch FileSystemMonitor.parse(bytes) {
    case .failed(let reason):
      precondition(!reason.isEmpty, "a failure without a reason")
    case .everything(let token):
      checkToken(token)
    case .changed(let token, let paths):
      checkToken(token)
      precondition(paths.count <= FileSystemMonitor.maxPaths, "more paths than the limit")
      for path in paths {
        let bytes = RawPath.bytes(path)
        precondition(!bytes.contains(0), "a path holding a NUL")
        let parts = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        precondition(
          !parts.contains { $0.isEmpty || $0.elementsEqual([0x2E]) || $0.elementsEqual([0x2E, 0x2E]) },
          "a path leaving the work tree")
        precondition(!(parts.first?.elementsEqual(Array(".git".utf8)) ?? true), "a path in .git")
      }
    }
  }
}
