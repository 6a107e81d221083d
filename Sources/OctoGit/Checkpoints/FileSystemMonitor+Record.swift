import Foundation

extension FileSystemMonitor {
  /// What the last checkpoint learned from the monitor, kept beside the snapshot state
  /// (`<git-dir>/octo/snapshot.fsmonitor`): the token to ask with next time, the version of the state file
  /// it goes with, and what the hook answered (for `doctor`, which never runs the hook).
  ///
  /// The token is good only with that version of the state: a state saved by another checkpoint since, or
  /// a crash between saving the state and this file, makes the versions differ, and the next checkpoint
  /// looks at every file. It is written last, after the state and the folder cache. Like them it is a
  /// cache: deleted, the next checkpoint asks the hook as for the first time.
  ///
  /// Text: the header `octo-git fsmonitor 1`, then one `key value` per line; values have `\`, line feeds
  /// and carriage returns escaped. Read only as a regular file of at most 64 KB.
  struct Record: Equatable, Sendable {
    /// What the hook answered.
    enum Outcome: Equatable, Sendable {
      /// The first question (no token yet, or none good for the state): every file was looked at.
      case first
      /// This many paths may have changed; only they were looked at (all files when they are many).
      case changed(Int)
      /// Anything may have changed: every file was looked at.
      case everything
      /// No usable answer, and why: every file was looked at.
      case failed(String)
    }

    /// The hook's command.
    var command: String
    /// The work tree it was asked about.
    var workTree: String
    /// When it was asked (seconds since 1970).
    var checkedAt: Int64
    var outcome: Outcome
    /// The token to ask with next time; `nil` when the next checkpoint asks as for the first time (the
    /// hook failed, the checkpoint left something to retry, or its state was not saved).
    var token: String?
    /// The version of the snapshot state the token goes with (set with ``token``).
    var state: FileVersion?
    /// Watchman's socket, when it was asked directly instead of the hook (``WatchmanSocket``).
    var socket: String?

    static let header = "octo-git fsmonitor 1"
    /// The record of the snapshot state `<name>.state` is `<name>` followed by this.
    static let suffix = ".fsmonitor"

    /// The outcome for people: `3 paths may have changed`, `failed: exited with status 1: …`.
    var summary: String {
      let said: String
      switch outcome {
      case .first: said = "asked for the first time: every file looked at"
      case .changed(let count): said = count == 1 ? "1 path may have changed" : "\(count) paths may have changed"
      case .everything: said = "everything may have changed: every file looked at"
      case .failed(let reason): said = "failed: " + reason
      }
      return socket == nil ? said : said + " (Watchman asked over its socket, not through the hook)"
    }

    /// The record at `path`, when there is one and it reads.
    static func load(_ path: String) -> Record? {
      guard let data = try? RegularFile.contents(path, limit: 64 << 10) else { return nil }
      let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
      guard lines.first == Substring(header) else { return nil }
      var values: [String: String] = [:]
      for line in lines.dropFirst() {
        guard let space = line.firstIndex(of: " ") else { continue }
        let key = String(line[..<space])
        if values[key] == nil { values[key] = unescape(line[line.index(after: space)...]) }
      }
      guard let command = values["command"], let workTree = values["worktree"],
        let checkedAt = values["checked"].flatMap({ Int64($0) }),
        let outcome = values["outcome"].flatMap(parseOutcome(_:))
      else { return nil }
      var record = Record(command: command, workTree: workTree, checkedAt: checkedAt, outcome: outcome)
      record.socket = values["socket"].flatMap { $0.isEmpty ? nil : $0 }
      let numbers = (values["state"] ?? "").split(separator: " ").compactMap { Int64($0) }
      if let token = values["token"], !token.isEmpty, numbers.count == 5 {
        record.token = token
        record.state = FileVersion(
          device: UInt64(bitPattern: numbers[0]), inode: UInt64(bitPattern: numbers[1]), size: numbers[2],
          seconds: numbers[3], nanoseconds: numbers[4])
      }
      return record
    }

    private static func parseOutcome(_ text: String) -> Outcome? {
      if text == "first" { return .first }
      if text == "everything" { return .everything }
      if text.hasPrefix("changed "), let count = Int(text.dropFirst(8)), count >= 0 { return .changed(count) }
      if text.hasPrefix("failed ") { return .failed(String(text.dropFirst(7))) }
      return nil
    }

    /// Writes the record to a temporary file renamed over `path`: a reader never sees half of it, and a
    /// failure only costs the next checkpoint a look at every file.
    func save(_ path: String) {
      var lines = [Self.header, "command " + Self.escape(command), "worktree " + Self.escape(workTree)]
      lines.append("checked \(checkedAt)")
      switch outcome {
      case .first: lines.append("outcome first")
      case .changed(let count): lines.append("outcome changed \(count)")
      case .everything: lines.append("outcome everything")
      case .failed(let reason): lines.append("outcome failed " + Self.escape(reason))
      }
      if let socket { lines.append("socket " + Self.escape(socket)) }
      if let token, let state {
        lines.append("token " + Self.escape(token))
        let numbers = [Int64(bitPattern: state.device), Int64(bitPattern: state.inode), state.size, state.seconds]
        lines.append("state " + (numbers + [state.nanoseconds]).map(String.init).joined(separator: " "))
      }
      _ = try? FileReplacement.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: path)
    }

    /// `text` on one line: `\` as `\\`, line feeds as `\n`, carriage returns as `\r`.
    static func escape(_ text: String) -> String {
      guard text.contains(where: { $0 == "\\" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
      var out = ""
      for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        default: out.unicodeScalars.append(scalar)
        }
      }
      return out
    }

    /// The text ``escape(_:)`` made `text` of.
    static func unescape(_ text: Substring) -> String {
      guard text.contains("\\") else { return String(text) }
      var out = ""
      var escaped = false
      for scalar in text.unicodeScalars {
        if escaped {
          switch scalar {
          case "n": out += "\n"
          case "r": out += "\r"
          default: out.unicodeScalars.append(scalar)
          }
          escaped = false
        } else if scalar == "\\" {
          escaped = true
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
      return out
    }
  }
}
