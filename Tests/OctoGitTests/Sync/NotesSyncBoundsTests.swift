import Foundation
import Testing

@testable import OctoGit

/// A TCP listener on 127.0.0.1 that never accepts: connections complete in the kernel's backlog, then hear
/// nothing, like a remote that hangs. Closed when the value goes away.
final class SilentServer {
  struct Failure: Error, CustomStringConvertible {
    let call: String
    let code: Int32
    var description: String { "\(call) failed: errno \(code)" }
  }

  let descriptor: Int32
  let port: Int

  init() throws {
    #if canImport(Glibc)
      let stream = Int32(SOCK_STREAM.rawValue)
    #else
      let stream = SOCK_STREAM
    #endif
    let listener = socket(AF_INET, stream, 0)
    guard listener >= 0 else { throw Failure(call: "socket", code: errno) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let bound = withUnsafePointer(to: address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(listener, 16) == 0 else {
      let code = errno
      close(listener)
      throw Failure(call: "bind/listen", code: code)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
    }
    guard named == 0 else {
      let code = errno
      close(listener)
      throw Failure(call: "getsockname", code: code)
    }
    descriptor = listener
    port = Int(UInt16(bigEndian: address.sin_port))
  }

  deinit { close(descriptor) }

  func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }
}

@Suite("Notes sync: remote names checked, one time limit")
struct NotesSyncBoundsTests {
  @Test("a remote name that git would read as an option is refused, and nothing runs")
  func optionAsRemote() throws {
    let fixture = try TestRepository()
    let bare = try fixture.addBareOrigin()
    let marker = fixture.root + "/pwned"
    let injected = "--upload-pack=touch \(marker)"
    // Even configured under that name (by hand: git remote add refuses it), it is never passed to git.
    try fixture.git("config", "remote.\(injected).url", bare)
    let repository = try fixture.open()

    let error = #expect(throws: OctoError.self) { try NotesSync.sync(repository, remote: injected, timeout: 10) }
    #expect(error?.status == .badInput)
    #expect(error?.message == "no remote named '\(injected)'")
    #expect(error?.hint == "see git remote -v")
    for remote in ["-o", "", "nowhere", bare, "origin\nx"] {
      let refused = #expect(throws: OctoError.self, "\(remote)") {
        try NotesSync.sync(repository, remote: remote, timeout: 10)
      }
      #expect(refused?.status == .badInput)
    }
    #expect(throws: OctoError.self) { try NotesSync.pull(repository, remote: injected, timeout: 10) }
    let publishing = #expect(throws: OctoError.self) {
      try PullRequestPublisher(repository: repository).publish(.init(remote: injected))
    }
    #expect(publishing?.status == .badInput)

    // The pre-push hook (git passes the URL when the push names no remote): one line, no URL in it.
    for remote in [injected, "https://someone:secret-token@example.com/repo.git"] {
      let lines = PrePushHook.run(directory: fixture.path, remote: remote, environment: [:], timeout: 10)
      #expect(lines.count == 1 && lines[0].hasPrefix("octo-git: notes not pushed: "), "\(lines)")
      #expect(!lines.joined().contains("secret-token"))
    }

    // Through the command line too.
    let cli = try OctoGitBinary.run(["notes", "sync", "--remote=\(injected)"], in: fixture.path, home: fixture.home)
    #expect(cli.status == ExitStatus.badInput.rawValue, "\(cli.stderr)")
    #expect(cli.stderr.contains("no remote named"))
    #expect(!FileManager.default.fileExists(atPath: marker))

    // A configured remote still syncs.
    let outcome = try NotesSync.sync(repository, remote: "origin", timeout: 60)
    #expect(outcome.attempts == 1)
  }

  @Test(
    "a remote that accepts the connection and never answers: the sync stops at its time limit, the hook says one line")
  func silentRemote() throws {
    let server = try SilentServer()
    let fixture = try TestRepository()
    try fixture.git("remote", "add", "origin", server.url("repo.git"))
    let repository = try fixture.open()

    let started = Date()
    let error = #expect(throws: OctoError.self) { try NotesSync.sync(repository, remote: "origin", timeout: 3) }
    #expect(error?.status == .unavailable)
    #expect(Date().timeIntervalSince(started) < 20)

    let hookStarted = Date()
    let lines = PrePushHook.run(directory: fixture.path, remote: "origin", environment: [:], timeout: 3)
    #expect(Date().timeIntervalSince(hookStarted) < 20)
    #expect(lines.count == 1, "\(lines)")
    #expect(lines.first?.hasPrefix("octo-git: notes not pushed: ") == true, "\(lines)")
    #expect(lines.first?.contains("\n") == false)
  }

  @Test("no time left: the sync stops before running git, as unavailable")
  func noTimeLeft() throws {
    let fixture = try TestRepository()
    try fixture.addBareOrigin()
    let repository = try fixture.open()
    let error = #expect(throws: OctoError.self) { try NotesSync.sync(repository, remote: "origin", timeout: 0) }
    #expect(error?.status == .unavailable)
    #expect(error?.message == "notes not synced with origin within 0 s")
    #expect(try repository.reference("refs/notes/octo-remote/origin/usage") == nil)
  }
}
