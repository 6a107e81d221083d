import Foundation
import Testing

@testable import OctoGit

@Suite("Notes on a named notes ref")
struct NotesTests {
  let ref = "refs/notes/octo/usage"

  @Test("a note written is what git notes show prints, and appends keep every line")
  func writeAndAppend() throws {
    let fixture = try TestRepository()
    let repository = try fixture.open()
    let head = try repository.headCommit()!
    let first = try repository.updateNote(on: head, ref: ref, author: TestRepository.signature) { _ in
      "{\"id\":\"a\",\"v\":1}\n"
    }
    #expect(first.changed)
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD") == "{\"id\":\"a\",\"v\":1}")
    try repository.updateNote(on: head, ref: ref, author: TestRepository.signature) { existing in
      (existing ?? "") + "{\"id\":\"b\",\"v\":1}\n"
    }
    #expect(
      try fixture.git("notes", "--ref=octo/usage", "show", "HEAD") == "{\"id\":\"a\",\"v\":1}\n{\"id\":\"b\",\"v\":1}")
    #expect(try repository.note(on: head, ref: ref) == "{\"id\":\"a\",\"v\":1}\n{\"id\":\"b\",\"v\":1}\n")
    // The notes ref got two commits, the second on top of the first.
    #expect(try fixture.git("rev-list", "--count", ref) == "2")
    // Unchanged text writes nothing.
    let same = try repository.updateNote(on: head, ref: ref, author: TestRepository.signature) { $0 }
    #expect(!same.changed)
    #expect(try fixture.git("rev-list", "--count", ref) == "2")
  }

  @Test("notes written by git are read and listed")
  func readGitNotes() throws {
    let fixture = try TestRepository()
    let second = try fixture.commitAll("second")
    try fixture.git("notes", "--ref=octo/usage", "add", "-m", "one", "HEAD~1")
    try fixture.git("notes", "--ref=octo/usage", "add", "-m", "two", "HEAD")
    let repository = try fixture.open()
    #expect(try repository.note(on: Oid(hex: second)!, ref: ref) == "two\n")
    let listed = try repository.notes(ref: ref)
    let witness = try fixture.git("notes", "--ref=octo/usage", "list").split(separator: "\n").map {
      $0.split(separator: " ").map(String.init)
    }
    #expect(Set(listed.map { [$0.blob.hex, $0.annotated.hex] }) == Set(witness))
    #expect(try repository.notes(ref: "refs/notes/octo/none").isEmpty)
    #expect(try repository.note(on: Oid(hex: second)!, ref: "refs/notes/octo/none") == nil)
  }

  @Test("returning nil removes the note")
  func remove() throws {
    let fixture = try TestRepository()
    let repository = try fixture.open()
    let head = try repository.headCommit()!
    try repository.updateNote(on: head, ref: ref, author: TestRepository.signature) { _ in "x\n" }
    try repository.updateNote(on: head, ref: ref, author: TestRepository.signature) { _ in nil }
    #expect(try repository.note(on: head, ref: ref) == nil)
    #expect(try fixture.git("notes", "--ref=octo/usage", "list") == "")
  }

  @Test("notes are removed in one commit, flat, fanned out or both; a target given twice counts once; others stay")
  func removeMany() throws {
    let fixture = try TestRepository()
    var commits: [Oid] = []
    for index in 0..<4 { commits.append(Oid(hex: try fixture.commitAll("commit \(index)"))!) }
    let repository = try fixture.open()
    // One note flat, one fanned out once and one twice (as git lays out large notes trees), one kept.
    let hexes = commits.map(\.hex)
    let once = String(hexes[1].prefix(2)) + "/" + String(hexes[1].dropFirst(2))
    let twice = String(hexes[2].prefix(2)) + "/" + String(hexes[2].dropFirst(2).prefix(2)) + "/"
    let both = String(hexes[0].prefix(2)) + "/" + String(hexes[0].dropFirst(2))
    // The first commit's note twice, flat and fanned out (as a tool other than git may write it).
    let paths: [String] = [hexes[0], once, twice + String(hexes[2].dropFirst(4)), hexes[3], both]
    var updates: [TreeUpdate] = []
    for (index, path) in paths.enumerated() {
      updates.append(.upsert(path: path, id: try repository.createBlob(Data("note \(index)\n".utf8)), mode: .blob))
    }
    let tree = try repository.updateTree(nil, with: updates)
    let start = try repository.createCommit(
      tree: tree, parents: [], message: "notes\n", author: TestRepository.signature)
    try repository.updateReference(ref, to: start, expecting: nil, message: "test")
    #expect(try fixture.git("ls-tree", "-r", "--name-only", ref).split(separator: "\n").count == 5)

    let unknown = Oid(hex: String(repeating: "ab", count: 20))!
    let removed = try repository.removeNotes(
      on: [commits[0]] + Array(commits.prefix(3)) + [unknown], ref: ref, author: TestRepository.signature)
    #expect(removed == 3)
    #expect(try fixture.git("ls-tree", "-r", "--name-only", ref) == hexes[3])
    let left = try fixture.git("notes", "--ref=octo/usage", "list")
    #expect(left.split(separator: " ").last.map(String.init) == commits[3].hex)
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", commits[3].hex) == "note 3")
    // One commit on top of the first; nothing left to remove writes nothing.
    #expect(try fixture.git("rev-list", "--count", ref) == "2")
    #expect(try repository.removeNotes(on: [commits[0], unknown], ref: ref, author: TestRepository.signature) == 0)
    #expect(try fixture.git("rev-list", "--count", ref) == "2")
    #expect(try fixture.git("fsck", "--no-dangling", "--strict").isEmpty)
  }

  @Test("concurrent writers from separate handles all land: compare-and-swap retries, nothing is lost")
  func concurrentWriters() async throws {
    let fixture = try TestRepository()
    let path = fixture.path
    let ref = self.ref
    let head = try fixture.open().headCommit()!
    let writers = 6
    let perWriter = 10
    try await withThrowingTaskGroup(of: Int.self) { group in
      for writer in 0..<writers {
        group.addTask {
          let repository = try Repository.open(at: path)
          var attempts = 0
          for line in 0..<perWriter {
            let update = try repository.updateNote(on: head, ref: ref, author: TestRepository.signature) {
              ($0 ?? "") + "w\(writer)-\(line)\n"
            }
            attempts += update.attempts
          }
          return attempts
        }
      }
      for try await _ in group {}
    }
    let lines = try fixture.git("notes", "--ref=octo/usage", "show", "HEAD").split(separator: "\n")
    #expect(lines.count == writers * perWriter)
    #expect(Set(lines).count == writers * perWriter)
  }
}

@Suite("Notes: a writer killed while holding the ref lock")
struct StaleLockTests {
  /// A repository whose HEAD has the usage note `a`, and a lock file on the notes ref as a writer leaves it.
  func lockedNote() throws -> (fixture: TestRepository, repository: Repository, head: Oid, lock: String) {
    let fixture = try TestRepository()
    let repository = try fixture.open()
    let head = try repository.headCommit()!
    try repository.updateNote(on: head, ref: "refs/notes/octo/usage", author: TestRepository.signature) { _ in "a\n" }
    let lock = fixture.path + "/.git/refs/notes/octo/usage.lock"
    _ = FileManager.default.createFile(atPath: lock, contents: Data())
    return (fixture, repository, head, lock)
  }

  @Test("a lock file left by a dead writer is removed once stale, and the note is written")
  func staleLock() throws {
    let (fixture, repository, head, lock) = try lockedNote()
    try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: lock)
    try repository.updateNote(on: head, ref: "refs/notes/octo/usage", author: TestRepository.signature) {
      ($0 ?? "") + "b\n"
    }
    #expect(try fixture.git("notes", "--ref=octo/usage", "show", "HEAD") == "a\nb")
    #expect(!FileManager.default.fileExists(atPath: lock))
  }

  @Test("a fresh lock (a live writer) is respected: the update waits and then reports the conflict")
  func freshLock() throws {
    // The fixture stays in `locked` (its folder goes with it).
    let locked = try lockedNote()
    let error = #expect(throws: GitError.self) {
      try locked.repository.updateNote(
        on: locked.head, ref: "refs/notes/octo/usage", author: TestRepository.signature, maxAttempts: 3
      ) {
        ($0 ?? "") + "b\n"
      }
    }
    #expect(error?.isConcurrentUpdate == true)
    #expect(FileManager.default.fileExists(atPath: locked.lock))
  }
}

@Suite("Reading a notes tree directly")
struct NotesTreeTests {
  @Test("the notes of a fanned-out notes tree (as git writes 300 notes) are the same as libgit2's note iterator gives")
  func fanout() throws {
    let fixture = try TestRepository()
    var stream = ""
    for number in 1...300 {
      let message = "commit \(number)\n"
      stream += "commit refs/heads/main\nmark :\(number)\ncommitter T <t@e.x> \(1_700_000_000 + number) +0000\n"
      stream += "data \(message.utf8.count)\n\(message)"
      if number == 1 { stream += "from refs/heads/main^0\n" }
      stream += "\n"
    }
    stream += "commit refs/notes/octo/usage\ncommitter T <t@e.x> 1700001000 +0000\ndata 6\nnotes\n"
    for number in 1...300 {
      let note = "{\"n\":\(number)}\n"
      stream += "N inline :\(number)\ndata \(note.utf8.count)\n\(note)"
    }
    stream += "\n"
    try fixture.git("fast-import", "--quiet", input: stream)
    // git fans a tree of 300 notes out into two-character folders.
    #expect(try fixture.git("ls-tree", "refs/notes/octo/usage").contains("tree"))
    let repository = try fixture.open()
    let tip = try #require(try repository.reference("refs/notes/octo/usage")?.target)
    let direct = try repository.notes(inNotesCommit: tip)
    #expect(direct.count == 300)
    #expect(Set(direct.map { "\($0.blob.hex) \($0.annotated.hex)" }) == Set(try witness(fixture, "octo/usage")))
  }

  @Test("a fan-out folder whose mode is written 040000 (as some writers pad it) is read, as git reads it")
  func paddedMode() throws {
    let fixture = try TestRepository()
    let commits = [try fixture.commitAll("one"), try fixture.commitAll("two")]
    let blob = try fixture.git("hash-object", "-w", "--stdin", input: "{\"v\":1}\n")
    let folder = try fixture.rawTree([RawTreeEntry(mode: "100644", name: String(commits[0].dropFirst(2)), id: blob)])
    let root = try fixture.rawTree([
      RawTreeEntry(mode: "040000", name: String(commits[0].prefix(2)), id: folder),
      RawTreeEntry(mode: "100644", name: commits[1], id: blob),
    ])
    let notes = try fixture.git("commit-tree", root, "-m", "notes")
    try fixture.git("update-ref", "refs/notes/octo/checkpoints", notes)
    let read = try fixture.open().notes(ref: "refs/notes/octo/checkpoints")
    #expect(Set(read.map(\.annotated.hex)) == Set(commits))
    #expect(Set(read.map { "\($0.blob.hex) \($0.annotated.hex)" }) == Set(try witness(fixture, "octo/checkpoints")))
  }

  /// What `git notes list` says of a notes ref: "<blob> <annotated>" lines.
  private func witness(_ fixture: TestRepository, _ ref: String) throws -> [String] {
    try fixture.git("notes", "--ref=\(ref)", "list").split(separator: "\n").map(String.init)
  }
}
