import Foundation

extension SnapshotBuilder {
  /// The staged state as a tree. Building it walks the whole index when git's cached trees are stale,
  /// so the result (or that the index has conflicts) is remembered against the index file's checksum
  /// (its last 20 bytes): until the index changes (git add, commit, checkout…), the next checkpoint
  /// reuses it without reading the index at all.
  static func indexTree(_ repository: Repository, _ realIndex: RealIndex, folder: String) throws -> Oid? {
    let memo = folder + "/index-tree"
    let checksum = indexChecksum(repository.indexPath)
    if let checksum, let text = try? String(contentsOfFile: memo, encoding: .utf8) {
      let parts = text.split(separator: " ")
      if parts.count == 2, parts[0] == checksum {
        if parts[1] == "conflicts" { return nil }
        if let tree = Oid(hex: String(parts[1])), repository.objectExists(tree) { return tree }
      }
    }
    let index = try realIndex.get()
    let tree = index.hasConflicts ? nil : try index.writeTree()
    // Remembered only when the file did not change while it was read.
    if let checksum, indexChecksum(repository.indexPath) == checksum {
      try? "\(checksum) \(tree?.hex ?? "conflicts")".write(toFile: memo, atomically: true, encoding: .utf8)
    }
    return tree
  }

  /// The SHA-1 git writes at the end of an index file, in hexadecimal.
  static func indexChecksum(_ path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    guard let end = try? handle.seekToEnd(), end >= 20 else { return nil }
    try? handle.seek(toOffset: end - 20)
    guard let bytes = try? handle.read(upToCount: 20), bytes.count == 20 else { return nil }
    // As hex digits, the way an object id is written (String(format:) costs a tenth of a millisecond here).
    return bytes.withUnsafeBytes { Oid(bytes: $0).hex }
  }
}
