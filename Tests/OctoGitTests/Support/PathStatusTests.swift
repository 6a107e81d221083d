import CShims
import Foundation
import Testing

@testable import OctoGit

@Suite("lstat of many paths beneath a folder", .serialized)
struct PathStatusTests {
  /// A scratch folder holding real folders, symlinks to folders and files where folders are expected.
  final class Scratch {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("octo-pathstatus-\(UUID().uuidString)")
      .path
    init() throws {
      let files = FileManager.default
      for folder in ["d/e", "a/real", "many"] {
        try files.createDirectory(atPath: path + "/" + folder, withIntermediateDirectories: true)
      }
      for file in ["d/f", "d/e/g", "a/real/h", "x"] + (0..<1200).map({ "many/file\($0)" }) {
        try Data(file.utf8).write(to: URL(fileURLWithPath: path + "/" + file))
      }
      try files.createSymbolicLink(atPath: path + "/s", withDestinationPath: "d")
      try files.createSymbolicLink(atPath: path + "/a/b", withDestinationPath: "real")
      try files.createSymbolicLink(atPath: path + "/d/sub", withDestinationPath: "../d")
      try files.createSymbolicLink(atPath: path + "/d/lnk", withDestinationPath: "f")
      try files.createSymbolicLink(atPath: path + "/outside", withDestinationPath: "/etc")
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
  }

  /// What each path must give: an errno, or the file type it is.
  static let expected: [(path: String, error: Int32, type: mode_t)] = [
    ("", 0, S_IFDIR), ("a", 0, S_IFDIR), ("d/e", 0, S_IFDIR), ("a/b/h", ENOTDIR, 0), ("a/real/h", 0, S_IFREG),
    ("d/e/g", 0, S_IFREG), ("d/e/g/h", ENOTDIR, 0),
    ("d/f", 0, S_IFREG), ("d/f/g", ENOTDIR, 0), ("d/lnk", 0, S_IFLNK), ("d/missing", ENOENT, 0),
    ("d/sub/f", ENOTDIR, 0), ("missing/f", ENOENT, 0), ("missing/deeper/f", ENOENT, 0),
    ("outside/passwd", ENOTDIR, 0), ("s", 0, S_IFLNK), ("s/f", ENOTDIR, 0), ("x", 0, S_IFREG),
    ("x/f", ENOTDIR, 0),
  ]

  func check(_ scratch: Scratch) {
    // Sorted as a checkpoint's paths are, with enough of them for two threads to share the work.
    let paths = (Self.expected.map(\.path) + (0..<1200).map { "many/file\($0)" }).sorted()
    let found = PathStatus.of(paths, under: scratch.path)
    let byPath = Dictionary(uniqueKeysWithValues: zip(paths, found))
    for (path, error, type) in Self.expected {
      let result = byPath[path]!
      #expect(result.error == error, "\(path)")
      #expect(result.mode & UInt32(S_IFMT) == UInt32(type), "\(path)")
    }
    for number in 0..<1200 {
      let result = byPath["many/file\(number)"]!
      #expect(result.error == 0 && result.mode & UInt32(S_IFMT) == UInt32(S_IFREG))
      #expect(result.size == UInt64("many/file\(number)".utf8.count))
    }
  }

  @Test("a path beneath a symlink, a file or a missing folder is not there; files and links are as lstat says")
  func folderByFolder() throws {
    check(try Scratch())
  }

  @Test("where openat2 is refused, checking each folder's components with lstat gives the same answers")
  func componentByComponent() throws {
    octo_stat_paths_allow_openat2(0)
    defer { octo_stat_paths_allow_openat2(1) }
    check(try Scratch())
  }

  @Test("the folders opened on the way are described as lstat describes them, never one beneath a symlink")
  func foldersOnTheWay() throws {
    let scratch = try Scratch()
    let paths = (Self.expected.map(\.path) + (0..<1200).map { "many/file\($0)" }).sorted()
    let pointers = paths.map { UnsafePointer(strdup($0)!) }
    defer { pointers.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
    let (found, folders) = PathStatus.withFolders(pointers, under: scratch.path)
    let alone = PathStatus.of(paths, under: scratch.path)
    #expect(found.map(\.error) == alone.map(\.error) && found.map(\.mode) == alone.map(\.mode))
    var described: Set<String> = []
    for folder in folders {
      let path = SnapshotBuilder.parent(of: paths[folder.position])
      described.insert(path)
      var status = stat()
      #expect(lstat(scratch.path + "/" + path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR, "\(path)")
      #expect(folder.inode == status.st_ino && folder.mtime_seconds == status.st_mtim.tv_sec, "\(path)")
      #expect(folder.mtime_nanoseconds == status.st_mtim.tv_nsec, "\(path)")
    }
    // Each real folder holding a path looked at; none reached through a symlink (a/b, s, d/sub, outside).
    #expect(described == ["a/real", "d", "d/e", "many"], "\(described)")

    octo_stat_paths_allow_openat2(0)
    defer { octo_stat_paths_allow_openat2(1) }
    #expect(PathStatus.withFolders(pointers, under: scratch.path).folders.isEmpty)
  }
}
