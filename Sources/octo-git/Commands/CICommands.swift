import ArgumentParser
import Foundation
import OctoGit

// The commands a CI job runs: `pr comment` (the pull request's cost, a budget check) and `notes carry`
// (usage onto the commits a squash or rebase merge made). `install --ci github` writes the workflow.

extension PullRequestCommand {
  struct Comment: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "comment",
      abstract: "Post the pull request's AI cost as one comment, kept up to date; fail over its budget.",
      discussion: """
        The comment (marked <!-- octo-git:cost -->) shows cost and tokens by model, agent and commit, the feature test \
        runs, checkpoints and what is still pending; later runs find it (every page of the comments) and update it in \
        place. In a GitHub Actions pull_request job the pull request comes from GITHUB_EVENT_PATH, the repository from \
        GITHUB_REPOSITORY and GITHUB_API_URL, the token from GITHUB_TOKEN (or GH_TOKEN); in any CI (CI=true) the notes \
        are fetched from the remote first. Elsewhere it is --pr N, else the open pull request of the current branch. \
        From any CI: GH_TOKEN=… GITHUB_REPOSITORY=owner/name octo-git pr comment --pr N. Rendered from \
        templates/pr-comment.md.mustache (or .octo/templates/pr-comment.md.mustache). Budget: --budget, else \
        octo.budget.pr (USD): from 80% the comment warns; over it the comment says so and the command exits 1 with one \
        line naming the budget and the cost. A token without pull-requests: write gets a one-line explanation (exit 6).
        """)

    @ParentCommand var root: OctoGitCommand
    @Option(
      parsing: .unconditional, help: "The pull request (without it: the event's, else the open one of this branch).")
    var pr: Int?
    @Option(help: ArgumentHelp("The pull request's budget in USD (without it: octo.budget.pr).", valueName: "usd"))
    var budget: String?
    @Option(help: "The remote to fetch the notes from in CI.") var remote: String = "origin"
    @Flag(help: "Print the comment and what would be sent; post nothing.") var dryRun = false
    @Flag(help: "Print the outcome as JSON.") var json = false

    func validate() throws {
      if let pr, pr <= 0 { throw ValidationError("--pr must be a pull request number (1 or more), not \(pr)") }
    }

    func run() throws {
      let amount = try budget.map(PullRequestComment.parseBudget)
      let outcome = try PullRequestComment(repository: try root.openRepository()).post(
        .init(pullRequest: pr, budget: amount, dryRun: dryRun, remote: remote))
      if json {
        print(CanonicalJSON.string(outcome.json))
      } else {
        let subject = outcome.number.map { "pull request #\($0)" } ?? "the pull request"
        switch outcome.action {
        case .dryRun:
          if !outcome.requests.isEmpty {
            print("would run:")
            for request in outcome.requests { print("  " + SafeText.terminal(request)) }
            print("")
          }
          print(SafeText.terminalLines(outcome.body), terminator: outcome.body.hasSuffix("\n") ? "" : "\n")
        case .created, .updated:
          let url = outcome.url.map { ": " + SafeText.terminal($0) } ?? ""
          print("\(outcome.action.rawValue) the cost comment on \(subject)\(url)")
        case .unchanged:
          let url = outcome.url.map { ": " + SafeText.terminal($0) } ?? ""
          print("the cost comment on \(subject) is up to date\(url)")
        }
      }
      if let warning = outcome.budgetWarning {
        FileHandle.standardError.write(Data("octo-git: warning: \(SafeText.terminal(warning))\n".utf8))
      }
      if let failure = outcome.budgetFailure { throw failure }
    }
  }
}

extension NotesCommand {
  struct Carry: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "carry",
      abstract: "Copy the usage of a squash- or rebase-merged pull request onto the commits the merge made.",
      discussion: """
        In a GitHub Actions push job on the base branch: finds the merged pull request of each pushed commit (GitHub's \
        commits/{sha}/pulls), lists its commits (every page), fetches the notes, copies their usage lines byte for \
        byte (a squash: all onto the one commit; a rebase: each onto the commit with the same patch id) and pushes the \
        notes, retrying as notes sync does. --pr N does it for one pull request (onto its merge commit, or --onto). \
        Locally and without GitHub: --from main@{1}..feature --onto HEAD (nothing is pushed). Event ids are kept: \
        reports count each event once. Notes commits use your git identity, else github-actions[bot] in Actions, else \
        octo-git.
        """)

    @ParentCommand var root: OctoGitCommand
    @OptionGroup var output: QuietOption
    @Option(parsing: .unconditional, help: "The merged pull request whose usage to carry.") var pr: Int?
    @Option(help: ArgumentHelp("The commits whose usage to copy: A..B or one commit.", valueName: "range"))
    var from: String?
    @Option(
      help: ArgumentHelp("The commit (or A..B) to copy onto (HEAD when --from is given alone).", valueName: "commit"))
    var onto: String?
    @Option(help: "The remote the notes come from and go to.") var remote: String = "origin"
    @Flag(help: "Say what would be copied; write and push nothing.") var dryRun = false
    @Flag(help: "Print the outcome as JSON.") var json = false

    func validate() throws {
      if let pr, pr <= 0 { throw ValidationError("--pr must be a pull request number (1 or more), not \(pr)") }
    }

    func run() throws {
      output.silenceStandardOutput()
      let outcome = try NotesCarry(repository: try root.openRepository()).carry(
        .init(pullRequest: pr, from: from, onto: onto, dryRun: dryRun, remote: remote))
      if json {
        print(CanonicalJSON.string(outcome.json))
        return
      }
      let verb = dryRun ? "would carry" : "carried"
      // A rebase merge of hundreds of commits is one line per commit for the first few, then their sum.
      let shown = outcome.carried.count > 12 ? 10 : outcome.carried.count
      for item in outcome.carried.prefix(shown) {
        let origin = item.pullRequest.map { " of #\($0)" } ?? ""
        print(
          "\(verb) \(item.lines) usage line(s) from \(item.sources.count) commit(s)\(origin) onto "
            + "\(item.target.abbreviated()) (\(item.mode.rawValue))")
      }
      let rest = outcome.carried.dropFirst(shown)
      if !rest.isEmpty {
        print(
          "\(verb) \(rest.reduce(0) { $0 + $1.lines }) usage line(s) onto \(rest.count) more commit(s) "
            + "(--json lists each)")
      }
      for line in outcome.skipped { print("skipped: " + SafeText.terminal(line)) }
      if outcome.carried.isEmpty && outcome.skipped.isEmpty { print("nothing to carry") }
      if !outcome.pushed.isEmpty {
        print("pushed \(outcome.pushed.joined(separator: ", ")) to \(SafeText.terminal(remote))")
      } else if !dryRun && outcome.carried.contains(where: { $0.lines > 0 }) && !outcome.fetchedNotes {
        print("push them with octo-git notes sync (or your next git push)")
      }
    }
  }
}
