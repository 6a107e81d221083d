import Foundation

/// A filter driver a path's attributes name (`*.psd filter=lfs` in `.gitattributes`) and git's config
/// defines (`filter.lfs.smudge`, `.clean`, `.process`): programs git runs on each checkout (smudge) and add
/// (clean) of such a file. libgit2 runs none of them.
///
/// A checkpoint holds a file that had not changed since it was staged as git's index holds it: in its
/// clean form (for Git LFS, the pointer). Restore turns it back with the driver's smudge command, as git
/// checkout does; a driver with only a long-running `process` command is git's to run.
struct FilterDriver {
  let name: String
  let smudge: String?
  let process: String?

  /// Why a file could not be turned back: its driver's words, for the line that says it was skipped.
  struct Failure: Error {
    let reason: String
  }

  /// How long a smudge command may take for one file (Git LFS may download it).
  static let timeout: TimeInterval = 300
  /// The most a smudge command may write for one file (a larger file is git's to check out).
  static let outputLimit = 1 << 30

  /// The driver the attributes of `path` name, when git's config gives it a smudge or process command;
  /// `drivers` are the names git's config defines one for (nothing to look up when there are none).
  static func of(_ path: String, in repository: Repository, config: Config, drivers: Set<String>) throws
    -> FilterDriver?
  {
    guard !drivers.isEmpty, let name = try repository.attributeValue("filter", of: path), drivers.contains(name)
    else { return nil }
    // An empty command is none (`filter.x.smudge ""` turns a driver off): with neither, git writes the blob.
    let smudge = try config.string("filter.\(name).smudge").flatMap { $0.isEmpty ? nil : $0 }
    let process = try config.string("filter.\(name).process").flatMap { $0.isEmpty ? nil : $0 }
    guard smudge != nil || process != nil else { return nil }
    return FilterDriver(name: name, smudge: smudge, process: process)
  }

  /// The drivers git's config gives a smudge or process command.
  static func configured(in config: Config) throws -> Set<String> {
    var names: Set<String> = []
    for entry in try config.entries(matching: #"^filter\..+\.(smudge|process)$"#) {
      let key = entry.name.dropFirst("filter.".count)
      guard let dot = key.lastIndex(of: ".") else { continue }
      names.insert(String(key[..<dot]))
    }
    return names
  }

  /// The file's content for the work tree: `clean` through the smudge command, run as git runs it (`sh -c`,
  /// `%f` replaced by the path quoted for the shell, in the work tree's top folder, the content on stdin).
  ///
  /// - Throws: ``Failure`` naming the driver when there is no smudge command, or it fails, times out or
  ///   writes too much (or cannot be started).
  func smudged(_ clean: Data, path: String, workTree: String) throws -> Data {
    guard let smudge, !smudge.isEmpty else {
      throw Failure(
        reason: "the filter driver '\(SafeText.terminal(name))' has no smudge command octo-git can run (only "
          + "filter.\(SafeText.terminal(name)).process)")
    }
    // git's own substitution: %f is the path, quoted; %% a percent sign.
    var command = ""
    var characters = smudge.makeIterator()
    while let character = characters.next() {
      guard character == "%" else {
        command.append(character)
        continue
      }
      switch characters.next() {
      case "f": command += ShellWord.quoted(path)
      case "%": command += "%"
      case let other?: command += "%" + String(other)
      case nil: command += "%"
      }
    }
    let captured: UserCommand.Captured
    do {
      captured = try UserCommand.capture(
        "/bin/sh", ["-c", command], in: workTree, input: clean, timeout: Self.timeout, outputLimit: Self.outputLimit,
        errorsLimit: 4096)
    } catch {
      throw Failure(reason: "the smudge command of filter '\(SafeText.terminal(name))' could not start: \(error)")
    }
    guard captured.succeeded else {
      let why =
        captured.timedOut
        ? "took over \(Int(Self.timeout)) s"
        : captured.outputOverflowed
          ? "wrote over \(Self.outputLimit >> 20) MB"
          : "exited with status \(captured.status)"
            + (FileSystemMonitor.firstLine(of: captured.stderr).map { ": " + $0 } ?? "")
      throw Failure(reason: "the smudge command of filter '\(SafeText.terminal(name))' \(SafeText.terminal(why))")
    }
    return captured.stdout
  }
}

extension Checkpoints {
  /// The filter drivers a restore writes files through: those git's config defines, for the files the
  /// checkpoint holds in their clean form (the blob its staged state holds for that path too).
  struct RestoreFilters {
    let config: Config
    let drivers: Set<String>
    /// The checkpoint's staged state (`nil`: none recorded, or no driver to look for).
    let stagedTree: Oid?

    init(_ repository: Repository, checkpoint: Checkpoint) throws {
      config = try repository.config()
      drivers = try FilterDriver.configured(in: config)
      stagedTree = try drivers.isEmpty ? nil : checkpoint.index.map { try repository.commit($0).tree }
    }

    /// The driver whose smudge command turns `entry`, to be written at `path`, into the file git would
    /// check out; `nil` when git would write its bytes (no driver, a file stored as it was on disk).
    func driver(for entry: TreeEntry, at path: String, in repository: Repository) throws -> FilterDriver? {
      guard let stagedTree, entry.mode == .blob || entry.mode == .executable,
        let driver = try FilterDriver.of(path, in: repository, config: config, drivers: drivers),
        try repository.treeEntry(in: stagedTree, path: path)?.id == entry.id
      else { return nil }
      return driver
    }
  }
}
