import Foundation

/// Checkpoints for people.
public enum CheckpointTable {
  public static func render(_ checkpoints: [Checkpoint], showWorktree: Bool, style: OutputStyle, now: Date = Date())
    -> String
  {
    var headers = ["id", "age", "message", "branch", "files"]
    if showWorktree { headers.insert("worktree", at: 3) }
    var table = TextTable(headers: headers, alignments: Array(repeating: .left, count: headers.count))
    table.tones = [.yellow]
    for checkpoint in checkpoints {
      var files = "\(checkpoint.changed) changed"
      if checkpoint.untracked > 0 { files += ", \(checkpoint.untracked) untracked" }
      var row = [
        checkpoint.id.abbreviated(), DurationText.age(of: checkpoint.at, now: now),
        checkpoint.message.isEmpty ? "-" : String(checkpoint.message.prefix(60)), checkpoint.branch ?? "(detached)",
        files,
      ]
      if showWorktree { row.insert(checkpoint.worktree, at: 3) }
      table.rows.append(row)
    }
    return table.text(style: style)
  }

  public static func details(_ checkpoint: Checkpoint, stats: DiffStats, style: OutputStyle) -> String {
    var lines = [
      style.paint("checkpoint \(checkpoint.id.hex)", .yellow),
      "taken:    \(Timestamp.format(checkpoint.at)) (\(DurationText.age(of: checkpoint.at)))",
      "message:  \(checkpoint.message.isEmpty ? "-" : SafeText.terminal(checkpoint.message))",
      "branch:   \(SafeText.terminal(checkpoint.branch ?? "(detached)")) at "
        + (checkpoint.head?.abbreviated() ?? "(no commit yet)"),
      "worktree: \(SafeText.terminal(checkpoint.worktree))",
    ]
    if let agent = checkpoint.agent {
      lines.append(
        "agent:    \(SafeText.terminal(agent))"
          + (checkpoint.session.map { " (session \(SafeText.terminal($0)))" } ?? ""))
    }
    lines.append("files:    \(checkpoint.changed) changed, \(checkpoint.untracked) untracked (against HEAD)")
    lines.append("")
    lines.append(DiffStatText.render(stats, style: style))
    return lines.joined(separator: "\n")
  }
}

/// A diffstat for people, as `git diff --stat` prints it.
public enum DiffStatText {
  public static func render(_ stats: DiffStats, style: OutputStyle) -> String {
    if stats.files.isEmpty { return "no differences" }
    let width = stats.files.map { label($0).count }.max() ?? 0
    var lines = stats.files.map { file -> String in
      let name = label(file).padding(toLength: width, withPad: " ", startingAt: 0)
      if file.isBinary { return " \(name) | binary" }
      let plus = style.paint(String(repeating: "+", count: min(file.insertions, 40)), .green)
      let minus = style.paint(String(repeating: "-", count: min(file.deletions, 40)), .red)
      return " \(name) | \(file.insertions + file.deletions) \(plus)\(minus)"
    }
    // Worded as git words it: singular or plural, a zero count left out unless both are zero.
    func counted(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
    var summary = " " + counted(stats.files.count, "file") + " changed"
    if stats.insertions > 0 || stats.deletions == 0 { summary += ", " + counted(stats.insertions, "insertion") + "(+)" }
    if stats.deletions > 0 || stats.insertions == 0 { summary += ", " + counted(stats.deletions, "deletion") + "(-)" }
    lines.append(summary)
    return lines.joined(separator: "\n")
  }

  /// A file's name (a rename's two), escaped: a name may hold anything but `/` and NUL.
  static func label(_ file: FileDiff) -> String {
    SafeText.terminal(file.change == .renamed ? "\(file.oldPath) => \(file.path)" : file.path)
  }
}
