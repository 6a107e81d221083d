import Foundation
import Testing

@testable import OctoGit

@Suite("feature pass commits the user's files only, and says which")
struct FeaturePassFilesTests {
  @Test("octo-git's own files are never committed; the files committed are listed; --dry-run lists them only")
  func ownFilesStayOut() throws {
    let fixture = try TestRepository()
    // The user's own, untracked Codex hooks file: octo-git adds its hooks to it (it is not octo-git's to hide).
    try fixture.write(".codex/hooks.json", "{}\n")
    // A hooks folder inside the work tree.
    try fixture.git("config", "core.hooksPath", ".githooks")
    try fixture.octo("install", "--agent", "all")
    #expect(FileManager.default.fileExists(atPath: fixture.path + "/.githooks/post-commit"))
    #expect(try fixture.git("status", "--porcelain") == "?? .codex/")
    let personal = try String(contentsOfFile: fixture.path + "/.claude/settings.local.json", encoding: .utf8)
    try fixture.octo("feature", "start", "Add invoice export")
    try fixture.write("Sources/Billing/Export.swift", "// export\n")
    try fixture.write("Sources/Billing/CSV.swift", "// csv\n")
    // A staged deletion, the file back in the work tree with new content: a modification to commit.
    try fixture.git("rm", "-q", "--cached", "README.md")
    try fixture.write("README.md", "# test, edited\n")
    let head = try fixture.git("rev-parse", "HEAD")

    // Dry run: the list, nothing run or committed, the index untouched.
    let preview = try fixture.octo("feature", "pass", "--dry-run", "--test", "exit 7")
    let expected = ["README.md", "Sources/Billing/CSV.swift", "Sources/Billing/Export.swift"]
    let listed = preview.split(separator: "\n").map(String.init)
    #expect(listed.first?.hasPrefix("would commit: feat") == true, "\(preview)")
    #expect(listed.dropFirst().map { String($0.split(separator: "\t").last ?? "") } == expected, "\(preview)")
    #expect(listed.contains("A\tSources/Billing/CSV.swift") && listed.contains("M\tREADME.md"), "\(preview)")
    #expect(try fixture.git("rev-parse", "HEAD") == head)
    #expect(try fixture.git("diff", "--cached", "--name-status") == "D\tREADME.md")
    let json = try CanonicalJSON.parse(try fixture.octo("feature", "pass", "--dry-run", "--json"))
    #expect(json["result"]?.stringValue == "dry run")
    #expect(json["files"]?.arrayValue?.compactMap { $0["path"]?.stringValue } == expected)

    // The real run commits exactly that list, and prints it as git's --name-status does.
    let output = try fixture.octo("feature", "pass", "--test", "true")
    let committed = try fixture.git("show", "--name-status", "--format=", "HEAD")
    #expect(committed == "M\tREADME.md\nA\tSources/Billing/CSV.swift\nA\tSources/Billing/Export.swift")
    for line in committed.split(separator: "\n") { #expect(output.contains(String(line)), "\(output)") }
    #expect(!committed.contains(".codex") && !committed.contains(".githooks") && !committed.contains("settings.local"))
    // octo-git's files are where they were, still out of git.
    #expect(try fixture.git("status", "--porcelain") == "?? .codex/")
    #expect(try String(contentsOfFile: fixture.path + "/.claude/settings.local.json", encoding: .utf8) == personal)
    #expect(try fixture.git("ls-files", ".codex", ".githooks", ".claude/settings.local.json").isEmpty)

    // Only octo-git's files changed: nothing to commit, and the dry run says so.
    try fixture.write(
      ".codex/hooks.json", try String(contentsOfFile: fixture.path + "/.codex/hooks.json", encoding: .utf8) + "\n")
    #expect(try fixture.octo("feature", "pass", "--dry-run") == "nothing to commit\n")
    #expect(try fixture.octo("feature", "pass", "--test", "true").contains("nothing to commit"))
  }
}
