import Foundation
import Testing

@testable import OctoGit

@Suite("Listing transcript folders")
struct FileTreeTests {
  /// A scratch folder, removed when the test ends.
  final class Scratch {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("octo-filetree-\(UUID().uuidString)").path
    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ text: String) throws {
      let file = path + "/" + relative
      try FileManager.default.createDirectory(
        atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    }
  }

  func listing(_ files: [FileTree.File], under root: String) -> [String] {
    files.map { String($0.path.dropFirst(root.count + 1)) + " \($0.size)" }
  }

  @Test("a listing that keeps its folders in a cache finds what a full read finds, and reads only changed folders")
  func cachedListing() throws {
    let scratch = try Scratch()
    let root = scratch.path + "/projects"
    let cache = scratch.path + "/folders.cache"
    try scratch.write("projects/p1/s1.jsonl", "a\n")
    try scratch.write("projects/p1/s1/subagents/agent-1.jsonl", "bb\n")
    try scratch.write("projects/p2/x.jsonl", "ccc\n")
    try scratch.write("projects/p2/notes.txt", "not a transcript\n")
    try scratch.write("elsewhere/linked/y.jsonl", "dddd\n")
    try FileManager.default.createSymbolicLink(
      atPath: root + "/p2/link.jsonl", withDestinationPath: root + "/p2/x.jsonl")
    try FileManager.default.createSymbolicLink(
      atPath: root + "/linked", withDestinationPath: scratch.path + "/elsewhere/linked")

    // Folders changed since the last step are dated in the past, a second apart per step: as time passes.
    let past = Date().addingTimeInterval(-86_400)
    var step = 0.0
    func age() throws {
      step += 1
      let files = FileManager.default
      var folders = [root]
      for case let relative as String in files.enumerator(atPath: root)! {
        var isFolder: ObjCBool = false
        let full = root + "/" + relative
        let attributes = try files.attributesOfItem(atPath: full)
        if attributes[.type] as? FileAttributeType == .typeDirectory,
          files.fileExists(atPath: full, isDirectory: &isFolder)
        {
          folders.append(full)
        }
      }
      for folder in folders
      where (try files.attributesOfItem(atPath: folder)[.modificationDate] as! Date) > past.addingTimeInterval(600) {
        try files.setAttributes([.modificationDate: past.addingTimeInterval(step)], ofItemAtPath: folder)
      }
    }
    func check(_ what: String, aged: Bool = true) throws -> [String] {
      if aged { try age() }
      let cached = listing(FileTree.files(under: [root], suffix: ".jsonl", cachePath: cache), under: root)
      let full = listing(FileTree.files(under: root, suffix: ".jsonl"), under: root)
      #expect(cached == full, "\(what)")
      return cached
    }

    let first = try check("first")
    #expect(first == ["p1/s1.jsonl 2", "p1/s1/subagents/agent-1.jsonl 3", "p2/link.jsonl 4", "p2/x.jsonl 4"])
    _ = try check("nothing changed")
    try scratch.write("projects/p2/x.jsonl", "ccc\nmore\n")
    let appended = try check("appended to")
    #expect(appended.contains("p2/x.jsonl 9"))
    try scratch.write("projects/p1/s2.jsonl", "e\n")
    try FileManager.default.removeItem(atPath: root + "/p1/s1/subagents/agent-1.jsonl")
    try scratch.write("projects/p3/deep/er/z.jsonl", "f\n")
    _ = try check("added, removed, new folders")
    try FileManager.default.removeItem(atPath: root + "/p2/x.jsonl")
    try scratch.write("projects/p2/x.jsonl/inner.jsonl", "g\n")
    _ = try check("a file became a folder")
    try scratch.write("projects/p1/s3.jsonl", "h\n")
    _ = try check("changed within the last second", aged: false)
    _ = try check("then aged")

    // The cache is what spares reading: an unchanged folder's recorded names are believed.
    var forged = try #require(FolderCache.load(cache, tag: "files .jsonl"))
    forged.folders[root + "/p3/deep/er"]?.names.removeAll()
    forged.save(cache, tag: "files .jsonl")
    let believed = listing(FileTree.files(under: [root], suffix: ".jsonl", cachePath: cache), under: root)
    #expect(!believed.contains("p3/deep/er/z.jsonl 2"))
    try scratch.write("projects/p3/deep/er/w.jsonl", "i\n")
    let reread = try check("the folder changed again")
    #expect(reread.contains("p3/deep/er/z.jsonl 2") && reread.contains("p3/deep/er/w.jsonl 2"))
  }
}
