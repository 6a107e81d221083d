import Foundation
import Testing

@testable import OctoGit

@Suite("Config: read and write at a chosen level", .serialized)
struct ConfigTests {
  @Test("local values written are what git config reads, and the reverse")
  func local() throws {
    let fixture = try TestRepository()
    let repository = try fixture.open()
    let local = try repository.config(at: .local)
    try local.set("octo.featurePrefix", to: "feat/")
    try local.set("octo.pushNotes", to: false)
    #expect(try fixture.git("config", "--local", "octo.featurePrefix") == "feat/")
    #expect(try fixture.git("config", "--local", "--bool", "octo.pushNotes") == "false")
    try fixture.git("config", "octo.checkpoint.keep", "50")
    let merged = try repository.config()
    #expect(try merged.int("octo.checkpoint.keep") == 50)
    #expect(try merged.bool("octo.pushNotes") == false)
    #expect(try merged.string("octo.missing") == nil)
    let names = try merged.entries(matching: "^octo\\.").map(\.name)
    #expect(names.contains("octo.checkpoint.keep") && names.contains("octo.featureprefix"))
    try local.remove("octo.featurePrefix")
    #expect((try? fixture.git("config", "--local", "octo.featurePrefix")) == nil)
  }

  @Test("multi-valued keys: add keeps existing values and never duplicates")
  func multivar() throws {
    let fixture = try TestRepository()
    try fixture.git("config", "notes.rewriteRef", "refs/notes/commits")
    let repository = try fixture.open()
    let local = try repository.config(at: .local)
    try local.add("notes.rewriteRef", value: "refs/notes/octo/*")
    try local.add("notes.rewriteRef", value: "refs/notes/octo/*")
    #expect(try fixture.git("config", "--get-all", "notes.rewriteRef") == "refs/notes/commits\nrefs/notes/octo/*")
    try local.remove("notes.rewriteRef", value: "refs/notes/octo/*")
    #expect(try fixture.git("config", "--get-all", "notes.rewriteRef") == "refs/notes/commits")
  }

  @Test("a bad boolean is a clear bad-input error")
  func badBool() throws {
    let fixture = try TestRepository()
    try fixture.git("config", "octo.pushNotes", "maybe")
    let error = #expect(throws: OctoError.self) { try fixture.open().config().bool("octo.pushNotes") }
    #expect(error?.status == .badInput)
  }

  @Test("worktree level: config.worktree when extensions.worktreeConfig is on, and only that worktree sees it")
  func worktreeLevel() throws {
    let fixture = try TestRepository()
    let worktree = try fixture.addWorktree("wt", branch: "topic")
    try fixture.git("config", "extensions.worktreeConfig", "true")
    let repository = try fixture.open(worktree)
    try repository.config(at: .worktree).set("octo.baseBranch", to: "develop")
    #expect(try fixture.git("config", "--worktree", "octo.baseBranch", in: worktree) == "develop")
    #expect((try? fixture.git("config", "octo.baseBranch")) == nil)
    #expect(try repository.config().string("octo.baseBranch") == "develop")
    #expect(try fixture.open().config().string("octo.baseBranch") == nil)
  }

  @Test("global level writes the global file git reads")
  func globalLevel() throws {
    let fixture = try TestRepository()
    try LibGit2.setGlobalConfigDirectory(fixture.home)
    defer { try? LibGit2.setGlobalConfigDirectory(nil) }
    let repository = try fixture.open()
    try repository.config(at: .global).set("octo.cycleDay", to: "19")
    #expect(try fixture.git("config", "--global", "octo.cycleDay") == "19")
  }
}
