import ArgumentParser
import Foundation
import OctoGit

struct FeatureCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "feature",
    abstract: "A branch per feature, and a commit when its tests pass.",
    subcommands: [Start.self, Pass.self, List.self],
    defaultSubcommand: List.self
  )

  struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "start",
      abstract: "Create feature/<slug> from the base branch and switch to it.",
      discussion: """
        The slug comes from the description (lowercase ASCII and dashes, at most 48 characters; -2, -3 on collision). \
        The prefix is octo.featurePrefix (default feature/). The base is --base, else octo.baseBranch, else the \
        remote's default branch, else the current branch. The description is kept as git's branch.<name>.description. \
        Local changes come along; when the switch would overwrite them, nothing happens.
        """)

    @ParentCommand var root: OctoGitCommand
    @OptionGroup var output: QuietOption
    @Argument(help: "What the feature does.") var description: String
    @Option(help: "The slug to use instead of one made from the description.") var slug: String?
    @Option(help: "The branch to start from.") var base: String?
    @Option(help: "Your own id for the feature (a harness's feature list).") var id: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      output.silenceStandardOutput()
      let started = try Features(repository: try root.openRepository()).start(
        .init(description: description, slug: slug, base: base, id: id))
      if json {
        print(CanonicalJSON.string(started.json))
        return
      }
      print(
        SafeText.terminal(
          "switched to a new branch \(started.branch) (from \(started.base) at \(started.baseCommit.abbreviated()))"))
      if let checkpoint = started.checkpoint {
        print("your local changes came along; they are also in checkpoint \(checkpoint.abbreviated())")
      }
    }
  }

  struct Pass: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pass",
      abstract: "Run the tests; when they pass, commit all changes with a message made from the feature.",
      discussion: """
        The test command is --test, else octo.testCommand; it runs from the top of the work tree with GIT_* removed, \
        its output shown as it comes. When it fails nothing is committed, a checkpoint holds the work, and the exit \
        code is 1. When it passes every change is committed: subject "<type>(<scope>): <summary>" (at most 72 \
        characters; type guessed from the description, -m replaces the subject), a body with the test run, and the \
        trailers Octo-Feature and, when the agent is known, Co-authored-by. The repository's pre-commit and \
        commit-msg hooks run unless --no-verify; with commit.gpgsign the commit is made by git so it is signed. \
        Pending usage is attached to the commit, and refs/notes/octo/features records the run. octo-git's own files \
        (its agent wiring, hook stubs inside the work tree) are never committed. The files committed are listed one \
        per line as git's --name-status does (A, M or D, a tab, the path); --dry-run lists what a passing run would \
        commit without running the tests or committing.
        """)

    @ParentCommand var root: OctoGitCommand
    @OptionGroup var output: QuietOption
    @Option(help: "The test command (a shell command line).") var test: String?
    @Option(name: .shortAndLong, help: "The commit subject to use.") var message: String?
    @Flag(help: "Skip the pre-commit and commit-msg hooks.") var noVerify = false
    @Option(help: "Your own id for the feature (with --description, no feature branch needed).") var id: String?
    @Option(help: "The feature's description (instead of the feature branch's).") var description: String?
    @Option(help: "The agent that did the work (for Co-authored-by), e.g. claude-code.") var agent: String?
    @Option(help: "Stop the tests after this long (e.g. 10m).") var timeout: String?
    @Flag(help: "List the files a passing run would commit, without running the tests or committing.") var dryRun =
      false
    @Flag(help: "Print the outcome as JSON (the test output goes to stderr).") var json = false

    static func printFiles(_ files: [FeaturePass.CommittedFile]) {
      for file in files { print(file.status + "\t" + SafeText.terminal(file.path)) }
    }

    func validate() throws {
      if let timeout, DurationText.seconds(timeout) == nil {
        throw ValidationError("--timeout \(timeout) is not a duration: e.g. 90s, 10m, 1h")
      }
    }

    func run() throws {
      output.silenceStandardOutput()
      let limit = timeout.flatMap(DurationText.seconds)
      let repository = try root.openRepository()
      let pass = FeaturePass(repository: repository, ownWorkTreeFiles: HookInstaller.ownWorkTreeFiles(repository))
      let outcome = try pass.run(
        .init(
          test: test, message: message, noVerify: noVerify, id: id, description: description, agent: agent,
          testOutput: json || output.quiet ? .standardError : .standardOutput, timeout: limit, dryRun: dryRun))
      if json { print(CanonicalJSON.string(outcome.json)) }
      switch outcome {
      case .committed(let commit, let subject, _, let duration, let files):
        guard !json else { return }
        print(
          "tests passed (\(String(format: "%.1f", duration)) s): committed \(commit.abbreviated()) "
            + SafeText.terminal(subject))
        Self.printFiles(files)
      case .dryRun(let subject, let files):
        guard !json else { return }
        if files.isEmpty {
          print("nothing to commit")
        } else {
          print("would commit: " + SafeText.terminal(subject))
          Self.printFiles(files)
        }
      case .nothingToCommit(_, let duration):
        guard !json else { return }
        print("tests passed (\(String(format: "%.1f", duration)) s); nothing to commit")
      case .failed(_, let status, let timedOut, let duration, let checkpoint):
        let why = timedOut ? "stopped at the time limit" : "exit \(status)"
        let saved =
          checkpoint.map { "; the work is in checkpoint \($0.abbreviated()) (octo-git restore \($0.abbreviated()))" }
          ?? ""
        throw OctoError("tests failed (\(why)) after \(String(format: "%.1f", duration)) s: nothing committed\(saved)")
      case .refused(_, let reason, let checkpoint):
        let short = checkpoint.abbreviated()
        throw OctoError(
          "\(reason): nothing committed; the work as tested is in checkpoint \(short) (octo-git restore \(short))",
          hint: "octo-git checkpoints diff \(short) shows what changed; a test command must leave HEAD and the "
            + "files that are not ignored as it found them")
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "Feature branches: description, base, commits, passing runs, cost, merged.")
    @ParentCommand var root: OctoGitCommand
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      let features = try Features(repository: try root.openRepository()).list()
      // A branch whose notes sum past 64 bits (crafted) is listed without a cost; the exit status says so.
      let unreadable = features.first { $0.cost.overflowed }
      if json {
        print(CanonicalJSON.string(.array(features.map(\.json))))
        if let unreadable { try unreadable.cost.checked("feature branch \(unreadable.branch)") }
        return
      }
      if features.isEmpty {
        print("no feature branches; start one with: octo-git feature start \"what it does\"")
        return
      }
      var table = TextTable(
        headers: ["", "branch", "description", "base", "commits", "passes", "cost USD", "merged"],
        alignments: [.left, .left, .left, .left, .right, .right, .right, .left])
      table.rows = features.map { feature in
        let description = (feature.description ?? "").split(separator: "\n").first.map(String.init) ?? ""
        return [
          feature.current ? "*" : "", feature.branch,
          description.count > 44 ? String(description.prefix(43)) + "…" : description,
          feature.base ?? "", String(feature.commits), String(feature.passes),
          feature.cost.overflowed ? "unreadable" : Money.format(feature.cost.cost), feature.merged ? "yes" : "",
        ]
      }
      print(table.text(style: .forDescriptor(STDOUT_FILENO)))
      if let unreadable { try unreadable.cost.checked("feature branch \(unreadable.branch)") }
    }
  }
}
