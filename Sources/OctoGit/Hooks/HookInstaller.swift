import Foundation

/// `octo-git install` and `uninstall`: octo-git's hook stubs in the hooks directory git really uses, the
/// git configuration its notes need, and the record of both so that uninstall removes exactly that.
/// Install also registers the repository for the rollup; uninstall leaves it registered and says so (its
/// notes are still the record of what was spent: `octo-git repos remove` drops it).
///
/// A hook already there is kept as `<hook>.octo-orig` and run by octo-git's stub with the same arguments
/// and input. Hook managers that rewrite hooks (husky, lefthook) are joined through their own
/// configuration instead while they are in charge: octo-git prints the lines to add rather than fight them.
/// A manager whose configuration is in the work tree but which is not installed (no `lefthook`, no husky
/// `core.hooksPath`) runs nothing, so octo-git's hooks are written as usual, and the lines are printed for
/// later. When the hooks folder is inside the work tree, each file octo-git adds there is listed in
/// `info/exclude`, and a tracked hook is never replaced.
public enum HookInstaller {
  /// The hooks octo-git installs.
  public static let hookNames = ["post-commit", "pre-push", "post-rewrite"]
  /// The line that marks a hook file as octo-git's stub.
  public static let hookFingerprint = "# octo-git hook v1"
  static let placeholder = "@OCTO_GIT_BIN@"

  /// What install or uninstall did, and what the user must do by hand.
  public struct Report: Sendable {
    public var changes: [String] = []
    public var instructions: [String] = []
  }

  /// The stub for `hook`, calling `binary`.
  public static func stub(_ hook: String, binary: String) -> String {
    // The path goes inside a single-quoted shell word, where only a quote needs care.
    let escaped = binary.replacingOccurrences(of: "'", with: "'\\''")
    return (DefaultFiles.content(of: "hooks/\(hook)") ?? "").replacingOccurrences(of: placeholder, with: escaped)
  }

  /// Installs the stubs (unless a hook manager in charge must be joined through its configuration; `force`
  /// installs anyway, chaining the manager's hooks) and the notes configuration. Running it again changes
  /// nothing.
  public static func install(_ repository: Repository, binary: String, force: Bool = false) throws -> Report {
    var report = Report()
    var state = try InstallState.load(repository)
    let detected = try manager(of: repository).flatMap { $0 == .preCommit ? nil : $0 }
    let active = try detected.map { try isActive($0, in: repository) } ?? false
    if let manager = detected, active, !force {
      report.instructions = instructions(for: manager)
      report.instructions.append(
        "until then octo-git's hooks do not run (octo-git doctor says so while usage is pending)")
    } else {
      let directory = try repository.hooksDirectory()
      do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      } catch {
        throw OctoError("cannot create the hooks folder \(directory): \(OctoError.reason(error))")
      }
      var linkedToOthers: [(hook: String, sibling: String)] = []
      for hook in hookNames {
        let outcome = try installHook(hook, in: directory, binary: binary, repository: repository)
        if let change = outcome.change { report.changes.append(change) }
        if let instruction = outcome.instruction { report.instructions.append(instruction) }
        if let sibling = outcome.linkedTo { linkedToOthers.append((hook, sibling)) }
      }
      // Once every hook is in place: a kept link to a hook octo-git's stub replaced (whichever came first)
      // leads to that hook's kept file; one to a hook left alone (tracked) still reaches the user's script.
      for (hook, sibling) in linkedToOthers where isOctoGitHook(directory + "/" + sibling) {
        try relink(directory + "/" + hook + ".octo-orig", to: sibling, repository: repository)
      }
      // Hooks octo-git has none of (pre-commit, post-checkout) linked to one it replaced run the user's
      // script too, never octo-git's stub.
      for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
      where !hookNames.contains(name) && !name.hasSuffix(".octo-orig") && !name.hasSuffix(".sample") {
        let path = directory + "/" + name
        if let sibling = linkedSibling(of: path, in: directory), isOctoGitHook(directory + "/" + sibling),
          Paths.entryExists(directory + "/" + sibling + ".octo-orig")
        {
          try relink(path, to: sibling, repository: repository)
        }
      }
      state.hooksDirectory = directory
      if isShared(directory, by: repository) {
        report.instructions.append(
          "\(directory) (core.hooksPath) is outside this repository: octo-git's hooks there run for every "
            + "repository that uses it")
      }
      if let manager = detected, !active {
        let lefthookConfig =
          lefthookConfigs.prefix(6).first {
            FileManager.default.fileExists(atPath: repository.workDirectory + "/" + $0)
          } ?? "lefthook.yml"
        let note =
          manager == .husky
          ? ".husky/ is here but husky is not set up (core.hooksPath is not .husky/_): "
            + "octo-git's hooks are in \(directory); once husky is set up, it runs its own hooks instead, so then:"
          : "\(lefthookConfig) is here but lefthook is not installed: octo-git's hooks are in \(directory); "
            + "once lefthook install runs, it replaces them, so then:"
        report.instructions = [note] + instructions(for: manager) + report.instructions
      }
    }
    for change in try NotesSetup.configure(repository) {
      report.changes.append("git config " + change)
      state.configChanges.append(change)
    }
    try state.save(repository)
    do {
      let outcome = try RepositoryRegistry(store: try RollupStore()).add(repository)
      if outcome.changed { report.changes.append("registered for the rollup as \(outcome.entry.project)") }
    } catch {
      report.instructions.append("not registered for the rollup (\(error)); run octo-git repos add later")
    }
    return report
  }

  /// `path` relative to the work tree's top, when it is inside the work tree.
  static func workTreeRelative(_ path: String, in repository: Repository) -> String? {
    let root = repository.workDirectory
    guard !root.isEmpty, path.hasPrefix(root + "/") else { return nil }
    let relative = String(path.dropFirst(root.count + 1))
    return relative.hasPrefix(".git/") ? nil : relative
  }

  /// Installs one stub; `linkedTo`: the other hook the kept previous hook is a link to.
  static func installHook(_ hook: String, in directory: String, binary: String, repository: Repository) throws
    -> (change: String?, instruction: String?, linkedTo: String?)
  {
    let path = directory + "/" + hook
    let original = path + ".octo-orig"
    let wanted = stub(hook, binary: binary)
    let manager = FileManager.default
    let relative = workTreeRelative(path, in: repository)
    var created = true
    var sibling: String?
    // A symbolic link to nothing (a hook still to be built) reads as no content, and is kept all the same.
    let existing = manager.contents(atPath: path)
    if existing != nil || Paths.entryExists(path) {
      let text = existing.map { String(decoding: $0, as: UTF8.self) } ?? ""
      if text == wanted {
        let linked = try linkingOriginal(hook, in: directory, relative: relative, repository: repository)
        // git skips a hook that is not executable (a checkout or a copy can lose the bit).
        guard access(path, X_OK) != 0 else {
          return (linked.made ? "\(hook): link to the previous hook made" : nil, linked.problem, nil)
        }
        guard chmod(path, 0o755) == 0 else {
          throw OctoError("cannot make \(path) executable: \(String(cString: strerror(errno)))")
        }
        return ("\(hook): made executable again (git skipped it)", linked.problem, nil)
      }
      if let relative, try AgentSetup.isTracked(relative, in: repository) {
        // A tracked hook is the team's: octo-git never replaces it.
        return (
          nil, "\(relative) is tracked by git, so octo-git leaves it alone: add the line  \(hookLine(hook))  to it", nil
        )
      }
      // A link to another of the hooks reads as octo-git's stub once that hook is replaced: it is the user's.
      sibling = linkedSibling(of: path, in: directory)
      if sibling != nil || !text.contains(hookFingerprint) {
        guard !Paths.entryExists(original) else {
          throw OctoError(
            "\(path) is not octo-git's, and \(original) exists already",
            hint: "move one of them aside, then run octo-git install again")
        }
        guard rename(path, original) == 0 else {
          throw OctoError("cannot keep the existing hook \(path): \(String(cString: strerror(errno)))")
        }
        if let relative { try InfoExclude.add(relative + ".octo-orig", owner: InfoExclude.hooksOwner, in: repository) }
      }
      created = false
    }
    try write(wanted, to: path)
    if created, let relative { try InfoExclude.add(relative, owner: InfoExclude.hooksOwner, in: repository) }
    let linked = try linkingOriginal(hook, in: directory, relative: relative, repository: repository)
    let change =
      Paths.entryExists(original) ? "\(hook): installed, running the previous hook first" : "\(hook): installed"
    return (change, linked.problem, sibling)
  }

  /// The hook of octo-git's among `hookNames` that the symbolic link at `path` leads to in `directory` (a script
  /// linked as several hooks), whose place octo-git's stub takes.
  static func linkedSibling(of path: String, in directory: String) -> String? {
    guard Paths.isSymbolicLink(path), let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    else { return nil }
    let absolute = target.hasPrefix("/") ? target : directory + "/" + target
    let name = (absolute as NSString).lastPathComponent
    guard hookNames.contains(name), let folder = Repository.realPath((absolute as NSString).deletingLastPathComponent),
      folder == Repository.realPath(directory)
    else { return nil }
    return name
  }

  /// Points `original` (a kept hook, or a hook octo-git has none of), a link to the hook `sibling` whose place
  /// octo-git's stub took, at that hook's own kept file, so that it still runs the user's script; the link's
  /// text is recorded for uninstall to put back.
  static func relink(_ original: String, to sibling: String, repository: Repository) throws {
    let text = try? FileManager.default.destinationOfSymbolicLink(atPath: original)
    guard let text, unlink(original) == 0, symlink(sibling + ".octo-orig", original) == 0 else {
      throw OctoError(
        "cannot point \(original) at \(sibling).octo-orig: \(String(cString: strerror(errno)))",
        hint: "check the hooks folder's permissions")
    }
    var state = try InstallState.load(repository)
    state.relinkedOriginals = (state.relinkedOriginals ?? [:]).merging([original: text]) { first, _ in first }
    try state.save(repository)
  }

  /// When a hook was replaced (`<hook>.octo-orig` is there), makes the link ``linkOriginal(_:in:)`` makes if
  /// it is missing, excluded from git when the hooks folder is in the work tree; whether it was made, and what
  /// to tell the user when it cannot be (the previous hook then runs under its `.octo-orig` name).
  static func linkingOriginal(_ hook: String, in directory: String, relative: String?, repository: Repository) throws
    -> (made: Bool, problem: String?)
  {
    guard Paths.entryExists(directory + "/" + hook + ".octo-orig"),
      !Paths.entryExists(directory + "/.octo-orig/" + hook)
    else { return (false, nil) }
    do {
      try linkOriginal(hook, in: directory)
    } catch {
      return (false, "\(error); the previous \(hook) hook runs under the name \(hook).octo-orig")
    }
    if let relative {
      let folder = (relative as NSString).deletingLastPathComponent
      let link = (folder.isEmpty ? "" : folder + "/") + ".octo-orig/" + hook
      try InfoExclude.add(link, owner: InfoExclude.hooksOwner, in: repository)
    }
    return (true, nil)
  }

  /// Makes `<directory>/.octo-orig/<hook>`, a link to `<hook>.octo-orig` under the hook's own name: the stub
  /// runs a previous hook that is a symbolic link through it, so a script that looks at the name it was run
  /// by (one script linked as several hooks), or finds its parts with readlink -f, still works.
  static func linkOriginal(_ hook: String, in directory: String) throws {
    let folder = directory + "/.octo-orig"
    let link = folder + "/" + hook
    if Paths.entryExists(link) { return }
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw OctoError("cannot create \(folder): \(OctoError.reason(error))", hint: "check the folder's permissions")
    }
    guard symlink("../\(hook).octo-orig", link) == 0 || errno == EEXIST else {
      throw OctoError(
        "cannot create \(link): \(String(cString: strerror(errno)))", hint: "check the folder's permissions")
    }
  }

  /// Takes out the link ``linkOriginal(_:in:)`` made, and its folder once empty.
  static func unlinkOriginal(_ hook: String, in directory: String) {
    let link = directory + "/.octo-orig/" + hook
    if Paths.isSymbolicLink(link) { unlink(link) }
    rmdir(directory + "/.octo-orig")
  }

  /// Whether the file at `path` is one of octo-git's stubs.
  static func isOctoGitHook(_ path: String) -> Bool {
    guard let data = FileManager.default.contents(atPath: path) else { return false }
    return String(decoding: data.prefix(512), as: UTF8.self).contains(hookFingerprint)
  }

  /// Whether the hooks folder `directory` lies outside `repository` (its git folders and work tree): a
  /// global core.hooksPath that other repositories run hooks from too.
  static func isShared(_ directory: String, by repository: Repository) -> Bool {
    let inside = [repository.commonDirectory, repository.gitDirectory, repository.workDirectory].filter { !$0.isEmpty }
    return !inside.contains { directory == $0 || directory.hasPrefix($0 + "/") }
  }

  static func write(_ text: String, to path: String) throws {
    do {
      try FileReplacement.write(Array(text.utf8), to: path, mode: 0o755)
    } catch {
      throw OctoError("cannot write \(path): \(OctoError.reason(error))", hint: "check the folder's permissions")
    }
  }

  /// Removes octo-git's stubs (putting back, byte for byte, any hook they replaced) and the configuration
  /// install added.
  public static func uninstall(_ repository: Repository) throws -> Report {
    var report = Report()
    let state = try InstallState.load(repository)
    // The hooks whose previous hook was put back.
    var restored: Set<String> = []
    var directories = [try repository.hooksDirectory()]
    if let recorded = state.hooksDirectory, !directories.contains(recorded) { directories.append(recorded) }
    for directory in directories {
      // A folder outside the repository (a global core.hooksPath) serves others: its hooks are taken out only
      // by a repository that put them there.
      if isShared(directory, by: repository), state.hooksDirectory != directory {
        if hookNames.contains(where: { isOctoGitHook(directory + "/" + $0) }) {
          report.instructions.append(
            "left octo-git's hooks in \(directory): that folder (core.hooksPath) serves other repositories and "
              + "this one did not install them; run octo-git uninstall where they were installed")
        }
        continue
      }
      for hook in hookNames {
        let path = directory + "/" + hook
        guard isOctoGitHook(path) else {
          if Paths.entryExists(path + ".octo-orig") {
            report.instructions.append(
              "\(hook): left \(path).octo-orig, the hook octo-git had replaced: the \(hook) there now is not "
                + "octo-git's; put it back by hand if you want it")
          }
          continue
        }
        unlinkOriginal(hook, in: directory)
        if Paths.entryExists(path + ".octo-orig") {
          guard rename(path + ".octo-orig", path) == 0 else {
            throw OctoError("cannot put back \(path).octo-orig: \(String(cString: strerror(errno)))")
          }
          restored.insert(path)
          report.changes.append("\(hook): removed, previous hook put back")
        } else {
          unlink(path)
          report.changes.append("\(hook): removed")
        }
      }
    }
    try InfoExclude.remove(owner: InfoExclude.hooksOwner, in: repository)
    let local = try repository.config(at: .local)
    var keys: [String] = []
    for change in state.configChanges {
      if let range = change.range(of: " += ") {
        let key = String(change[..<range.lowerBound])
        try local.remove(key, value: String(change[range.upperBound...]))
        keys.append(key)
      } else if let range = change.range(of: " = ") {
        let key = String(change[..<range.lowerBound])
        try local.remove(key)
        keys.append(key)
      }
      report.changes.append("git config: removed " + change)
    }
    // libgit2 leaves a section's header behind when its last key goes: take out those octo-git emptied.
    for section in try repository.removeEmptyConfigSections(containing: keys) {
      report.changes.append("git config: removed the empty [\(section)] section")
    }
    try putBackLinks(state.relinkedOriginals ?? [:], restored: restored, into: &report)
    try InstallState.remove(repository)
    if let entry = RepositoryRegistry.registration(of: repository) {
      report.changes.append(
        "still registered for the rollup as \(entry.project) (its notes remain its record): "
          + "octo-git repos remove \(ShellWord.shown(entry.path)) takes it out")
    }
    return report
  }

  /// Points the links install pointed at a replaced hook's kept file (`recorded`: their text before, by the
  /// path install found them at) where they led before, once that hook's previous hook is put back
  /// (`restored`); a link the user changed since stays as it is, and one whose hook was not put back (it is
  /// no longer octo-git's stub) stays on the kept file, said.
  static func putBackLinks(_ recorded: [String: String], restored: Set<String>, into report: inout Report) throws {
    let kept = ".octo-orig"
    for (found, text) in recorded.sorted(by: { $0.key < $1.key }) {
      // A kept hook was renamed back to its own name when its stub went.
      let hook = found.hasSuffix(kept) ? String(found.dropLast(kept.count)) : found
      let path = found.hasSuffix(kept) && !restored.contains(hook) ? found : hook
      guard let now = try? FileManager.default.destinationOfSymbolicLink(atPath: path), now.hasSuffix(kept),
        hookNames.contains(String(now.dropLast(kept.count)))
      else { continue }
      let folder = (path as NSString).deletingLastPathComponent
      let sibling = String(now.dropLast(kept.count))
      guard restored.contains(folder + "/" + sibling) else {
        report.instructions.append(
          "\((path as NSString).lastPathComponent): left linking to \(now): \(sibling) is not octo-git's stub any "
            + "more, so its previous hook was not put back; point the link by hand")
        continue
      }
      guard unlink(path) == 0, symlink(text, path) == 0 else {
        throw OctoError(
          "cannot point \(path) back at \(text): \(String(cString: strerror(errno)))",
          hint: "make the link by hand: ln -sfn \(ShellWord.shown(text)) \(ShellWord.shown(path))")
      }
      if !found.hasSuffix(kept) { report.changes.append("\((path as NSString).lastPathComponent): link put back") }
    }
  }

  /// The files octo-git keeps inside this work tree that `feature pass` must never commit: its agent wiring
  /// and, when the hooks folder is inside the work tree, its stubs. Relative to the work tree's top.
  public static func ownWorkTreeFiles(_ repository: Repository) -> [String] {
    var files = AgentSetup.ownFiles(repository)
    if let directory = try? repository.hooksDirectory() {
      for hook in hookNames {
        let path = directory + "/" + hook
        guard let relative = workTreeRelative(path, in: repository), !files.contains(relative),
          let data = FileManager.default.contents(atPath: path),
          String(decoding: data.prefix(512), as: UTF8.self).contains(hookFingerprint)
        else { continue }
        files.append(relative)
      }
    }
    return files
  }
}
