import Foundation
import Testing

@testable import OctoGit

@Suite("Defaults compiled into the binary")
struct DefaultFilesTests {
  /// Every file in the package's hooks/, templates/ and config/ folders.
  func sourceFiles() throws -> [String] {
    var paths: [String] = []
    for folder in ["hooks", "templates", "config"] {
      let directory = packageRoot + "/" + folder
      guard let walker = FileManager.default.enumerator(atPath: directory) else { continue }
      for case let relative as String in walker {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: directory + "/" + relative, isDirectory: &isDirectory)
        if !isDirectory.boolValue, !(relative as NSString).lastPathComponent.hasPrefix(".") {
          paths.append(folder + "/" + relative)
        }
      }
    }
    return paths.sorted()
  }

  @Test("the library embeds exactly the files of hooks/, templates/ and config/, byte for byte")
  func libraryEmbedsFolders() throws {
    let files = try sourceFiles()
    #expect(!files.isEmpty)
    #expect(DefaultFiles.paths == files)
    for path in files {
      let onDisk = try String(contentsOfFile: packageRoot + "/" + path, encoding: .utf8)
      #expect(DefaultFiles.content(of: path) == onDisk, "\(path)")
    }
  }

  @Test("a copy of the binary alone, with no resource folder, carries them")
  func binaryCarriesDefaults() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("octo-git-lonely-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let copy = folder + "/octo-git"
    try FileManager.default.copyItem(atPath: OctoGitBinary.path, toPath: copy)
    // A process another test starts at this moment may inherit the copy's still-open descriptor until it
    // execs, and the kernel refuses to run a file open for writing ("Text file busy"): wait until it runs.
    for attempt in 1...100 {
      do {
        _ = try Shell.run(copy, ["--version"], in: folder)
        break
      } catch let error where "\(error)".localizedCaseInsensitiveContains("busy") && attempt < 100 {
        usleep(50_000)
      }
    }
    for path in try sourceFiles() {
      let result = try Shell.run(copy, ["defaults", path], in: folder)
      #expect(result.status == 0)
      #expect(result.stdout == (try String(contentsOfFile: packageRoot + "/" + path, encoding: .utf8)), "\(path)")
    }
    let unknown = try Shell.run(copy, ["defaults", "nope"], in: folder)
    #expect(unknown.status == ExitStatus.badInput.rawValue)
  }

  @Test("the documented settings parse with their defaults")
  func settings() {
    #expect(DefaultSettings.value(of: "octo.checkpoint.keep") == "200")
    #expect(DefaultSettings.value(of: "octo.pushnotes") == "true")
    #expect(DefaultSettings.all.contains { $0.key == "octo.testCommand" && $0.value == nil })
    #expect(DefaultSettings.all.allSatisfy { !$0.help.isEmpty })
  }

  @Test("the hook stubs are POSIX sh that git can run")
  func hookStubsParse() throws {
    for name in ["post-commit", "pre-push", "post-rewrite"] {
      let stub = try #require(DefaultFiles.content(of: "hooks/\(name)"))
      #expect(stub.hasPrefix("#!/bin/sh\n"))
      #expect(stub.contains(HookInstaller.hookFingerprint))
      let folder = FileManager.default.temporaryDirectory.path
      let check = try Shell.run("/bin/sh", ["-n", "-c", stub], in: folder)
      #expect(check.status == 0, "\(name): \(check.stderr)")
    }
  }

  @Test("the post-commit stub's shortcut looks for the pending marker where octo-git writes it")
  func stubMarkerPath() throws {
    let stub = try #require(DefaultFiles.content(of: "hooks/post-commit"))
    let location = WorktreeLocation(gitDirectory: "/r/.git", commonDirectory: "/r/.git")
    #expect(location.pendingMarker == "/r/.git/octo/pending/main")
    #expect(stub.contains("octo_marker=$octo_git_dir/octo/pending/main"))
    let linked = WorktreeLocation(gitDirectory: "/r/.git/worktrees/wt", commonDirectory: "/r/.git")
    #expect(linked.pendingMarker == "/r/.git/octo/pending/worktrees_wt")
    #expect(stub.contains("octo_marker=$octo_common/octo/pending/worktrees_${octo_git_dir##*/}"))
  }
}
