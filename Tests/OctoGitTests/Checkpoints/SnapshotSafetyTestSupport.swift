import Foundation

@testable import OctoGit

/// What a checkpoint does with what git accepts and what it refuses or cannot read (issue 15): the helpers the
/// safety suites share, the `git` CLI as the witness throughout.
protocol SnapshotSafetySuite {}

/// The types the checkpoint safety suites share, named in them through ``SnapshotSafetySuite``.
enum SnapshotSafety {
  struct Taken {
    let id: String
    /// What the checkpoint printed on stderr.
    let stderr: String
  }

  struct Failed: Error, CustomStringConvertible {
    let description: String
  }

  /// Dates the work tree's recently changed folders back, a step later each time, so that a scan trusts
  /// them by their stamps (folders changed within the last seconds are always read again): a folder left
  /// as it was keeps its stamp, and only what the checkpoint recorded of it makes the next one read it.
  final class Clock {
    let old = Date().addingTimeInterval(-3600)
    var steps = 0.0

    func age(_ fixture: TestRepository) throws {
      steps += 1
      let files = FileManager.default
      var folders = [fixture.path]
      for case let relative as String in files.enumerator(atPath: fixture.path)!
      where !relative.hasPrefix(".git/") && relative != ".git" {
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: fixture.path + "/" + relative, isDirectory: &isFolder), isFolder.boolValue {
          folders.append(fixture.path + "/" + relative)
        }
      }
      for folder in folders {
        let modified = try files.attributesOfItem(atPath: folder)[.modificationDate] as! Date
        if modified > old.addingTimeInterval(600) {
          try files.setAttributes([.modificationDate: old.addingTimeInterval(steps)], ofItemAtPath: folder)
        }
      }
    }
  }
}

extension SnapshotSafetySuite {
  typealias Taken = SnapshotSafety.Taken
  typealias Failed = SnapshotSafety.Failed
  typealias Clock = SnapshotSafety.Clock

  /// Runs `octo-git checkpoint`, which must succeed.
  func take(_ fixture: TestRepository, _ arguments: String...) throws -> Taken {
    let result = try OctoGitBinary.run(["checkpoint"] + arguments, in: fixture.path, home: fixture.home)
    guard result.status == 0 else {
      throw Shell.Failure(command: ["octo-git", "checkpoint"] + arguments, result: result)
    }
    return Taken(id: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), stderr: result.stderr)
  }

  /// The tree git itself makes of the work tree (`git add -A` into an empty index).
  func witnessTree(_ fixture: TestRepository) throws -> String {
    let fresh = fixture.root + "/witness-index"
    try? FileManager.default.removeItem(atPath: fresh)
    try fixture.git("add", "-A", environment: ["GIT_INDEX_FILE": fresh])
    return try fixture.git("write-tree", environment: ["GIT_INDEX_FILE": fresh])
  }

  func names(_ fixture: TestRepository, _ id: String) throws -> Set<String> {
    Set(
      try fixture.git("-c", "core.quotepath=false", "ls-tree", "-r", "--name-only", id).split(separator: "\n").map(
        String.init))
  }

  /// The id git gives a blob of `content`.
  func blob(_ fixture: TestRepository, _ content: String) throws -> String {
    try fixture.git("hash-object", "--stdin", input: content)
  }

  /// Calls `body` with the work-tree path `relative` (any bytes) as a C string.
  func withPath<R>(_ fixture: TestRepository, _ relative: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
    let bytes = Array(fixture.path.utf8) + [UInt8(ascii: "/")] + relative + [0]
    return bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
    }
  }

  /// Writes a file whose name is the bytes `relative` (which need not be UTF-8).
  func writeBytes(_ fixture: TestRepository, _ relative: [UInt8], _ content: String) throws {
    let descriptor = withPath(fixture, relative) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
    guard descriptor >= 0 else { throw Failed(description: "cannot create \(relative): errno \(errno)") }
    defer { close(descriptor) }
    let bytes = Array(content.utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    guard written == bytes.count else { throw Failed(description: "short write") }
  }

  /// Makes a folder whose name is the bytes `relative`.
  func makeFolder(_ fixture: TestRepository, _ relative: [UInt8]) throws {
    guard withPath(fixture, relative, { mkdir($0, 0o755) }) == 0 else {
      throw Failed(description: "cannot make \(relative)")
    }
  }
}
