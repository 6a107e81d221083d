import Foundation

/// How many files a checkpoint holds that differ from HEAD, and how many of those git does not track:
/// what a checkpoint's note says, kept for the next checkpoint of the same trees.
///
/// Counting compares HEAD's tree with the snapshot's, which reads every tree that differs: 4 ms on
/// 100,000 files with 2,000 untracked ones, a fifth of a checkpoint when a file-system monitor spares the
/// stat walk. A checkpoint of the same HEAD, work tree and staged trees has the same counts, so they are
/// kept in `<git-dir>/octo/checkpoint-counts` with the three tree ids. Like the other caches there it is
/// only trusted when it reads exactly; otherwise the counts are made again.
struct ChangeCounts: Equatable {
  var changed: Int
  var untracked: Int

  static let header = "octo-git counts 1"

  /// The trees counts are kept for: HEAD's (none on an unborn branch), the snapshot's and the index's.
  struct Key: Equatable {
    var head: Oid?
    var tree: Oid
    var index: Oid

    var text: String { "\(head?.hex ?? "-") \(tree.hex) \(index.hex)" }
  }

  /// The counts kept at `path` for `key`; `nil` when there are none for it.
  static func load(_ path: String, for key: Key) -> ChangeCounts? {
    guard let data = try? RegularFile.contents(path, limit: 4096) else { return nil }
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
    guard lines.count == 3, lines[0] == Substring(header), lines[1] == Substring(key.text) else { return nil }
    let numbers = lines[2].split(separator: " ").compactMap { Int($0) }
    guard numbers.count == 2, numbers.allSatisfy({ $0 >= 0 }) else { return nil }
    return ChangeCounts(changed: numbers[0], untracked: numbers[1])
  }

  /// Keeps the counts for `key` (a failure only costs a count next time).
  func save(_ path: String, for key: Key) {
    _ = try? FileReplacement.write(Array("\(Self.header)\n\(key.text)\n\(changed) \(untracked)\n".utf8), to: path)
  }
}
