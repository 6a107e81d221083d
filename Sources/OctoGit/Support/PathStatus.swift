import CShims
import Foundation

/// `lstat` (or `stat`) of many paths below one folder, spread over the cores (see CShims' stat_paths.c).
enum PathStatus {
  /// What `lstat` says of each of `paths` (C strings relative to `root`), in order; `stat` when
  /// `following` symlinks.
  static func of(_ paths: [UnsafePointer<CChar>], under root: String, following: Bool = false) -> [octo_path_stat] {
    var pointers = paths.map { Optional($0) }
    var results = [octo_path_stat](repeating: octo_path_stat(), count: paths.count)
    pointers.withUnsafeMutableBufferPointer { pathBuffer in
      results.withUnsafeMutableBufferPointer { resultBuffer in
        octo_stat_paths(
          root, pathBuffer.baseAddress, paths.count, resultBuffer.baseAddress, Int32(Parallel.width), following ? 1 : 0)
      }
    }
    return results
  }

  /// The same for paths held as strings.
  static func of(_ paths: [String], under root: String, following: Bool = false) -> [octo_path_stat] {
    let copies = paths.map { UnsafePointer(strdup($0)!) }
    defer { copies.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
    return of(copies, under: root, following: following)
  }
}
