import ArgumentParser
import Foundation
import OctoGit

struct PullRequestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pr",
    abstract: "Write the pull request's description from the branch, and open or update it on GitHub.",
    subcommands: [Describe.self, Create.self, Comment.self]
  )

  struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "describe",
      abstract: "Print the pull request's title and description (Markdown, or JSON).",
      discussion: """
        Rendered with Mustache from templates/pr.md.mustache (built in), or .octo/templates/pr.md.mustache in the \
        repository, or --template. The base is --base, else the feature's base, octo.baseBranch, the remote's default \
        branch, main. The body stays under 65,536 characters: checkpoints, commit bodies, the file table, then older \
        commits are left out, in that order, and the body says so.
        """)

    @ParentCommand var root: OctoGitCommand
    @Option(help: "The branch the pull request merges into.") var base: String?
    @Option(help: "The output format.") var format: Format = .md
    @Flag(help: "Same as --format json.") var json = false
    @Option(help: "A Mustache template to render instead.") var template: String?

    /// What `--format` takes.
    enum Format: String, CaseIterable, ExpressibleByArgument {
      case md, json
    }

    func run() throws {
      let description = try PullRequestDescriber(repository: try root.openRepository()).describe(
        base: base, templateFile: template)
      if json || format == .json {
        print(CanonicalJSON.string(description.data))
      } else {
        print("# \(SafeText.markdown(description.title))\n")
        print(description.body, terminator: "")
      }
    }
  }

  struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "create",
      abstract: "Push the branch and its notes, then open its pull request on GitHub (or update the open one).",
      discussion: """
        The token comes from GH_TOKEN or GITHUB_TOKEN (GH_ENTERPRISE_TOKEN for GitHub Enterprise Server); it is never \
        printed or stored; without one nothing is pushed, and it exits 6 (GitHub unavailable), as when GitHub refuses \
        the token. The repository comes from the remote's URL (or octo.githubRepo owner/name); the API is \
        api.github.com, or https://HOST/api/v3 for Enterprise (octo.githubApiUrl overrides). Prints the pull request's \
        URL.
        """)

    @ParentCommand var root: OctoGitCommand
    @Option(help: "The branch the pull request merges into.") var base: String?
    @Flag(help: "Open it as a draft.") var draft = false
    @Flag(help: "Print what would be pushed and sent, and the description; do nothing.") var dryRun = false
    @Option(help: "The remote to push to.") var remote: String = "origin"
    @Option(help: "A Mustache template to render the description with.") var template: String?
    @Flag(help: "Print the outcome as JSON.") var json = false

    /// The exit code when there is no token. A missing credential is not a bad command line (`usage`, 2: the
    /// command was right) nor bad input (nothing given was malformed): GitHub cannot be used, the same
    /// outcome as GitHub refusing the token (401), which is already `unavailable`. One code for "could not
    /// get through to GitHub" lets a script tell it apart from a mistake in its own invocation.
    static let missingTokenStatus = ExitStatus.unavailable

    func run() throws {
      let repository = try root.openRepository()
      if !dryRun {
        // Before describing and pushing anything: without a token nothing can be opened.
        try GitCLI.checkRemote(remote, in: repository)
        let github = try GitHubRepository.of(repository, remote: remote)
        do {
          _ = try github.token()
        } catch let error as OctoError {
          throw OctoError(error.message, hint: error.hint, status: Self.missingTokenStatus)
        }
      }
      let outcome = try PullRequestPublisher(repository: repository).publish(
        .init(base: base, draft: draft, dryRun: dryRun, remote: remote, templateFile: template))
      for warning in outcome.warnings { FileHandle.standardError.write(Data("octo-git: \(warning)\n".utf8)) }
      if json {
        print(CanonicalJSON.string(outcome.json))
        return
      }
      switch outcome.action {
      case .dryRun:
        print("would run:")
        for request in outcome.requests { print("  " + request) }
        print("\n# \(SafeText.markdown(outcome.title))\n")
        print(outcome.body, terminator: "")
      case .created, .updated:
        print("\(outcome.action.rawValue) pull request #\(outcome.number ?? 0): \(outcome.url ?? "")")
      }
    }
  }
}
