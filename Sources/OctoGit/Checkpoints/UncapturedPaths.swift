import Foundation

/// Paths of the work tree whose content the undo checkpoint does not hold (``SnapshotBuilder/Snapshot/leftOut``):
/// a restore neither writes nor deletes them, nor the folders holding them, nor anything below them.
struct UncapturedPaths {
  /// Sorted by bytes, so that the paths below a folder are found by binary search.
  private let paths: [[UInt8]]

  init(_ paths: [String]) { self.paths = Set(paths.map { Array($0.utf8) }).sorted { $0.lexicographicallyPrecedes($1) } }

  /// The uncaptured path a change at `path` would write over: `path` itself, a file or folder above it (to
  /// be replaced by a folder), or one below it (in a folder to be replaced or deleted); `nil` when none.
  func blocking(_ path: String) -> String? {
    guard !paths.isEmpty else { return nil }
    let bytes = Array(path.utf8)
    // Itself or a path above it.
    var end = bytes.count
    while end > 0 {
      if contains(bytes[..<end]) { return String(decoding: bytes[..<end], as: UTF8.self) }
      guard let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")) else { break }
      end = slash
    }
    // A path below it: the first sorted path after "path/".
    let folder = bytes + [UInt8(ascii: "/")]
    let below = lowerBound(folder)
    if below < paths.count, paths[below].starts(with: folder) { return String(decoding: paths[below], as: UTF8.self) }
    return nil
  }

  private func contains(_ key: ArraySlice<UInt8>) -> Bool {
    let position = lowerBound(Array(key))
    return position < paths.count && paths[position].elementsEqual(key)
  }

  private func lowerBound(_ key: [UInt8]) -> Int {
    var low = 0
    var high = paths.count
    while low < high {
      let middle = (low + high) / 2
      if paths[middle].lexicographicallyPrecedes(key) { low = middle + 1 } else { high = middle }
    }
    return low
  }
}
