import Foundation
import Testing

@testable import OctoGit

@Suite("Status, diffs, history walks and merge analysis")
struct HistoryTests {
  @Test("status matches git status --porcelain")
  func status() throws {
    let fixture = try TestRepository()
    try fixture.write(".gitignore", "*.log\n")
    try fixture.write("a.txt", "a\n")
    try fixture.write("b.txt", "b\n")
    try fixture.commitAll("base")
    try fixture.write("a.txt", "changed\n")
    try fixture.write("staged.txt", "s\n")
    try fixture.git("add", "staged.txt")
    try FileManager.default.removeItem(atPath: fixture.path + "/b.txt")
    try fixture.write("new/file.txt", "n\n")
    try fixture.write("x.log", "ignored\n")
    let entries = try fixture.open().status()
    func code(_ change: FileChange?) -> String {
      switch change {
      case .added?: "A"
      case .modified?: "M"
      case .deleted?: "D"
      case .renamed?: "R"
      case .untracked?: "?"
      default: " "
      }
    }
    let ours = entries.map { entry -> String in
      entry.unstaged == .untracked ? "?? \(entry.path)" : "\(code(entry.staged))\(code(entry.unstaged)) \(entry.path)"
    }.sorted()
    let witness = try fixture.gitRaw("status", "--porcelain", "--untracked-files=all").split(separator: "\n").map(
      String.init
    ).sorted()
    #expect(ours == witness)
    #expect(try !fixture.open().status(includeIgnored: true).filter { $0.unstaged == .ignored }.isEmpty)
  }

  @Test("tree-to-tree diffstat matches git diff --numstat, renames included")
  func treeDiff() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "1\n2\n3\n")
    try fixture.write("old name.txt", String(repeating: "same line\n", count: 20))
    let base = try fixture.commitAll("base")
    try fixture.write("a.txt", "1\nTWO\n3\n4\n")
    try fixture.git("mv", "old name.txt", "new name.txt")
    try fixture.write("added.txt", "x\ny\n")
    let tip = try fixture.commitAll("change")
    let repository = try fixture.open()
    let stats = try repository.diff(
      from: try repository.commit(Oid(hex: base)!).tree, to: try repository.commit(Oid(hex: tip)!).tree)
    let witness = try fixture.git("diff", "--numstat", "-M", base, tip)
    #expect(stats.files.count == witness.split(separator: "\n").count)
    let byPath = Dictionary(uniqueKeysWithValues: stats.files.map { ($0.path, $0) })
    #expect(byPath["a.txt"]?.insertions == 2 && byPath["a.txt"]?.deletions == 1)
    #expect(byPath["added.txt"]?.change == .added && byPath["added.txt"]?.insertions == 2)
    #expect(byPath["new name.txt"]?.change == .renamed && byPath["new name.txt"]?.oldPath == "old name.txt")
    #expect(stats.insertions == 4 && stats.deletions == 1)
    let limited = try repository.diff(
      from: try repository.commit(Oid(hex: base)!).tree, to: try repository.commit(Oid(hex: tip)!).tree,
      paths: ["a.txt"])
    #expect(limited.files.map(\.path) == ["a.txt"])
  }

  @Test("tree-to-work-tree diffstat counts modified, deleted and untracked files with their lines")
  func workTreeDiff() throws {
    let fixture = try TestRepository()
    try fixture.write("a.txt", "1\n2\n")
    try fixture.write("b.txt", "b\n")
    try fixture.commitAll("base")
    try fixture.write("a.txt", "1\n2\n3\n")
    try FileManager.default.removeItem(atPath: fixture.path + "/b.txt")
    try fixture.write("c.txt", "c1\nc2\n")
    let repository = try fixture.open()
    let stats = try repository.diffToWorkTree(from: try repository.commit(try repository.headCommit()!).tree)
    let byPath = Dictionary(uniqueKeysWithValues: stats.files.map { ($0.path, $0) })
    #expect(byPath["a.txt"]?.insertions == 1)
    #expect(byPath["b.txt"]?.change == .deleted && byPath["b.txt"]?.deletions == 1)
    #expect(byPath["c.txt"]?.change == .untracked && byPath["c.txt"]?.insertions == 2)
    // The tracked part agrees with git.
    #expect(try fixture.git("diff", "--numstat", "HEAD") == "1\t0\ta.txt\n0\t1\tb.txt")
  }

  @Test("a history walk lists what git rev-list lists")
  func revWalk() throws {
    let fixture = try TestRepository()
    let base = try fixture.git("rev-parse", "HEAD")
    for number in 1...5 { try fixture.commitAll("commit \(number)") }
    let repository = try fixture.open()
    let all = try repository.commits(from: try repository.headCommit()!)
    #expect(all.map(\.hex) == (try fixture.git("rev-list", "HEAD")).split(separator: "\n").map(String.init))
    let range = try repository.commits(from: try repository.headCommit()!, excluding: Oid(hex: base)!)
    #expect(range.count == 5)
    #expect(try repository.commits(from: try repository.headCommit()!, limit: 2).count == 2)
  }

  @Test("merge analysis: ahead/behind as git counts them, fast-forward, and conflicting paths")
  func mergeAnalysis() throws {
    let fixture = try TestRepository()
    try fixture.write("shared.txt", "base\n")
    try fixture.commitAll("base")
    try fixture.git("checkout", "-q", "-b", "feature")
    try fixture.write("shared.txt", "feature\n")
    try fixture.write("feature-only.txt", "f\n")
    let feature = try fixture.commitAll("feature change")
    try fixture.git("checkout", "-q", "main")
    let repository = try fixture.open()
    let main = try repository.resolveCommit("main")

    let fastForward = try repository.mergeAnalysis(ours: main, theirs: Oid(hex: feature)!)
    #expect(fastForward.isFastForward && fastForward.ahead == 1 && fastForward.behind == 0)
    #expect(fastForward.conflicts.isEmpty)

    try fixture.write("shared.txt", "main\n")
    let mainTip = try fixture.commitAll("main change")
    let diverged = try repository.mergeAnalysis(ours: Oid(hex: mainTip)!, theirs: Oid(hex: feature)!)
    let counts = try fixture.git("rev-list", "--left-right", "--count", "\(feature)...\(mainTip)")
    #expect(counts == "\(diverged.ahead)\t\(diverged.behind)")
    #expect(diverged.conflicts == ["shared.txt"])
    #expect(diverged.base?.hex == (try fixture.git("merge-base", mainTip, feature)))
    // The witness agrees there is a conflict on that path only.
    let witness = try Shell.run(
      Shell.git, ["merge-tree", "--write-tree", "--name-only", mainTip, feature], in: fixture.path, home: fixture.home)
    #expect(witness.status == 1)
    #expect(witness.stdout.split(separator: "\n").dropFirst().first == "shared.txt")

    let upToDate = try repository.mergeAnalysis(ours: Oid(hex: mainTip)!, theirs: main)
    #expect(upToDate.isUpToDate)
    // Nothing in the work tree or index changed.
    #expect(try fixture.git("status", "--porcelain") == "")
  }
}
