import Foundation

/// Watchman asked over its own socket, when `core.fsmonitor` is git's Watchman sample hook
/// (`fsmonitor-watchman.sample`): the question the hook would ask, without the hook.
///
/// The sample is a Perl script that starts the `watchman` client, which connects to the same socket: two
/// programs started for every checkpoint, about 20 ms, twice what a checkpoint of 100,000 unchanged files
/// costs otherwise. Asked directly, the query is the hook's (`query` of the work tree, `since` the token when
/// it is a Watchman clock, the names of the files outside `.git`), and so is the answer octo-git makes of
/// it (the clock as the token, the names as the changed paths), so the token stays good for either path.
///
/// Anything unusual leaves it to the hook, which knows what to do: no socket found, a root Watchman does not
/// watch yet (the hook starts watching it), an answer that does not read. `octo.checkpoint.watchmanSocket`
/// set to false always runs the hook.
enum WatchmanSocket {
  /// The longest answer read (as for a hook's output).
  static let answerLimit = FileSystemMonitor.outputLimit

  /// Whether the hook file `command` names is git's Watchman sample (as `git init` installs it, copied under
  /// another name or not): a regular file of at most 64 KB that runs Perl and queries Watchman.
  static func isSampleHook(_ command: String, workTree: String) -> Bool {
    // A command line (arguments, shell syntax) is not the bare hook file.
    if FileSystemMonitor.isCommandLine(command) { return false }
    let path = command.hasPrefix("/") ? command : workTree + "/" + command
    guard let data = try? RegularFile.contents(path, limit: 64 << 10) else { return false }
    let text = String(decoding: data, as: UTF8.self)
    return text.hasPrefix("#!/usr/bin/perl") && text.contains("watchman -j") && text.contains("\"query\"")
      && text.contains("last_update_token")
  }

  /// Where Watchman listens: `$WATCHMAN_SOCK` (as its client reads it), else `known` (what an earlier
  /// checkpoint learned) when it is still a socket, else what `watchman get-sockname` says.
  static func socketPath(known: String?, workTree: String) -> String? {
    if let named = ProcessInfo.processInfo.environment["WATCHMAN_SOCK"], !named.isEmpty { return named }
    if let known, isSocket(known) { return known }
    // The `watchman` client on PATH, as git's hook runs it; arguments are fixed.
    guard
      let captured = try? UserCommand.capture(
        "/bin/sh", ["-c", "exec watchman --no-pretty get-sockname"], in: workTree, timeout: 5, outputLimit: 64 << 10,
        errorsLimit: 4096),
      !captured.timedOut, captured.status == 0,
      let answer = try? captured.stdout.withUnsafeBytes({
        try CanonicalJSON.parse(bytes: $0.bindMemory(to: UInt8.self))
      }),
      let path = answer["sockname"]?.stringValue, isSocket(path)
    else { return nil }
    return path
  }

  private static func isSocket(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFSOCK
  }

  /// Asks Watchman at `socket` what changed in `workTree` since `token`; `nil` when the hook should be run
  /// instead (no connection, a root not watched yet, an answer that does not read).
  static func query(
    since token: String, workTree: String, socket: String, timeout: TimeInterval = FileSystemMonitor.timeout
  ) -> FileSystemMonitor.Answer? {
    let root = workTree.count > 1 && workTree.hasSuffix("/") ? String(workTree.dropLast()) : workTree
    // No names in an answer that cannot say what changed (a first question, or Watchman restarted): it
    // is "everything" either way, and a large tree's names are megabytes.
    var options: [String: JSONValue] = [
      "fields": .array([.string("name")]),
      "expression": .array([.string("not"), .array([.string("dirname"), .string(".git")])]),
      "empty_on_fresh_instance": .bool(true),
    ]
    // As the hook: a Watchman clock is asked from; anything else (git's first token, a time) asks for all.
    let sinceClock = token.hasPrefix("c")
    if sinceClock { options["since"] = .string(token) }
    let request = CanonicalJSON.string(.array([.string("query"), .string(root), .object(options)])) + "\n"
    guard let reply = exchange(request, socket: socket, timeout: timeout),
      let answer = try? reply.withUnsafeBufferPointer({ try CanonicalJSON.parse(bytes: $0) })
    else { return nil }
    if let error = answer["error"]?.stringValue {
      // Not watched yet: the hook starts watching it (and answers everything this once).
      if error.contains("not watched") { return nil }
      return .failed("Watchman: " + String(error.prefix(200)))
    }
    guard let clock = answer["clock"]?.stringValue, let files = answer["files"]?.arrayValue else { return nil }
    if answer["is_fresh_instance"]?.boolValue == true || !sinceClock {
      // A first question, or Watchman restarted since the token: it cannot say what changed.
      return FileSystemMonitor.parse(Array(clock.utf8) + [0, UInt8(ascii: "/")])
    }
    // The answer as the hook prints it, read by the same checks (the token, each path).
    var bytes = Array(clock.utf8)
    bytes.append(0)
    for file in files {
      guard let name = file.stringValue else { return nil }
      bytes += name.utf8
      bytes.append(0)
    }
    return FileSystemMonitor.parse(bytes)
  }

  /// Sends `request` to the socket and reads the reply up to its newline; `nil` on any failure.
  private static func exchange(_ request: String, socket path: String, timeout: TimeInterval) -> [UInt8]? {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let pathBytes = Array(path.utf8)
    guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      buffer.copyBytes(from: pathBytes)
      buffer[pathBytes.count] = 0
    }
    let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    guard connected == 0 else { return nil }
    let message = Array(request.utf8)
    var sent = 0
    while sent < message.count {
      let written = message[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { return nil }
      sent += written
    }
    var reply: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    // The timeout holds for the whole answer, not each read: a server that trickles bytes is given up on.
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      guard Date() < deadline else { return nil }
      let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return nil }
      let start = reply.count
      reply += chunk[0..<count]
      if let end = reply[start...].firstIndex(of: UInt8(ascii: "\n")) { return Array(reply[..<end]) }
      guard reply.count <= answerLimit else { return nil }
    }
  }
}
