import Foundation

/// `octo-git install --ci github`: writes `.github/workflows/octo-git.yml`, a GitHub Actions workflow with
/// two jobs:
///
/// - on `pull_request`, `octo-git pr comment` (permissions `contents: read`, `pull-requests: write`): the
///   sticky cost comment, and a failing check when the pull request goes over `octo.budget.pr`;
/// - on `push` to the base branch, `octo-git notes carry` (permissions `contents: write` — the only job that
///   may write, to push the notes — and `pull-requests: read`): the usage of squash- and rebase-merged pull
///   requests carried onto the commits the merge made.
///
/// Both check out the whole history, then take octo-git from the repository variable
/// `OCTO_GIT_BINARY_URL` (a prebuilt Linux binary) or build it from `OCTO_GIT_SOURCE` (a git URL) at
/// `OCTO_GIT_REF` (default `main`), the build cached per commit of octo-git. The file is the team's, to
/// commit: it is written when missing, left alone when it already says the same, and replaced only with
/// `--force`.
public enum CIWorkflow {
  /// CI systems octo-git writes a workflow for.
  public enum Provider: String, CaseIterable, Sendable {
    case github

    /// The provider `--ci` names.
    public static func named(_ name: String) throws -> Provider {
      guard let provider = Provider(rawValue: name.lowercased()) else {
        throw OctoError(
          "unknown CI '\(name)'", hint: "use \(allCases.map(\.rawValue).joined(separator: ", "))", status: .usage)
      }
      return provider
    }

    /// Where the workflow goes, relative to the top of the work tree.
    public var path: String {
      switch self {
      case .github: ".github/workflows/octo-git.yml"
      }
    }
  }

  /// What ``install(_:in:force:)`` did.
  public struct Report: Sendable {
    public var changes: [String] = []
    public var instructions: [String] = []
  }

  /// Writes `provider`'s workflow into the work tree of `repository`.
  public static func install(_ provider: Provider, in repository: Repository, force: Bool) throws -> Report {
    let root = repository.workDirectory
    guard !root.isEmpty else {
      throw OctoError("a bare repository has no work tree to write \(provider.path) into", hint: "run it in a clone")
    }
    let config = try repository.config()
    let base = try config.string("octo.baseBranch") ?? repository.remoteDefaultBranch() ?? "main"
    let budget = try Budget.amount(config, "octo.budget.pr")
    let text = workflow(provider, baseBranch: base, budget: budget)
    let path = root + "/" + provider.path
    var report = Report()
    let manager = FileManager.default
    if manager.fileExists(atPath: path) {
      let current = try? RegularFile.contents(path, limit: 1 << 20)
      if current == Data(text.utf8) {
        report.changes.append("unchanged: \(provider.path)")
        return report
      }
      guard force else {
        report.instructions.append(
          "\(provider.path) exists and differs from octo-git's: left as it is (--force replaces it)")
        return report
      }
    }
    let folder = (path as NSString).deletingLastPathComponent
    do {
      try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw OctoError(
        "cannot write \(provider.path): \(OctoError.reason(error))", hint: "check the folder's permissions")
    }
    report.changes.append(
      "wrote \(provider.path) (pull request cost comment; usage carried after squash and rebase merges into \(base))")
    report.instructions.append(
      "commit \(provider.path), then set the repository variable OCTO_GIT_BINARY_URL (a prebuilt octo-git for Linux) "
        + "or OCTO_GIT_SOURCE (octo-git's git URL) under Settings > Secrets and variables > Actions > Variables")
    report.instructions.append(
      (budget.map { "pull requests over $\($0) fail the check (octo.budget.pr, written into the workflow); " }
        ?? "no octo.budget.pr is set: the check never fails on cost; ")
        + "the repository variable OCTO_BUDGET_PR sets or overrides the budget")
    return report
  }

  /// The workflow text for `provider`, with `baseBranch` as the branch whose pushes carry notes and `budget`
  /// (USD, `octo.budget.pr` when it is written) the cost over which a pull request's check fails. A CI
  /// clone has no local git config: the budget must be in the workflow, or in the repository variable
  /// `OCTO_BUDGET_PR`, which wins.
  public static func workflow(_ provider: Provider, baseBranch: String, budget: Decimal? = nil) -> String {
    switch provider {
    case .github: github(baseBranch: baseBranch, budget: budget)
    }
  }

  /// The branch as a YAML flow-sequence item: quoted, with quotes and backslashes escaped.
  static func yamlString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          out += String(format: "\\x%02X", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  static func github(baseBranch: String, budget: Decimal?) -> String {
    // A Decimal's description is digits and a point: nothing to escape in the expression's quotes.
    let budgetValue = budget.map { "${{ vars.OCTO_BUDGET_PR || '\($0)' }}" } ?? "${{ vars.OCTO_BUDGET_PR }}"
    let install = #"""
            - name: Find octo-git's commit
              id: source
              if: env.OCTO_GIT_BINARY_URL == ''
              run: |
                if [ -z "$OCTO_GIT_SOURCE" ]; then
                  echo "::error::set the repository variable OCTO_GIT_BINARY_URL (a prebuilt octo-git) or \#
      OCTO_GIT_SOURCE (its git URL)"
                  exit 1
                fi
                commit=$(git ls-remote "$OCTO_GIT_SOURCE" "$OCTO_GIT_REF" | head -n 1 | cut -f 1)
                echo "commit=${commit:-$OCTO_GIT_REF}" >> "$GITHUB_OUTPUT"
            - name: Restore the octo-git build
              id: cache
              if: env.OCTO_GIT_BINARY_URL == ''
              uses: actions/cache@v5
              with:
                path: ~/.octo-git/bin
                key: octo-git-${{ runner.os }}-${{ runner.arch }}-${{ steps.source.outputs.commit }}
            - name: Install octo-git's libraries
              run: |
                sudo apt-get update -qq
                sudo apt-get install -y -qq --no-install-recommends libgit2-dev libsqlite3-dev \#
      libcurl4-openssl-dev pkg-config
            - name: Set up Swift
              if: env.OCTO_GIT_BINARY_URL == '' && steps.cache.outputs.cache-hit != 'true'
              uses: swift-actions/setup-swift@v2
              with:
                swift-version: "6.3"
            - name: Build octo-git
              if: env.OCTO_GIT_BINARY_URL == '' && steps.cache.outputs.cache-hit != 'true'
              env:
                OCTO_GIT_COMMIT: ${{ steps.source.outputs.commit }}
              run: |
                git clone --quiet "$OCTO_GIT_SOURCE" "$RUNNER_TEMP/octo-git"
                git -C "$RUNNER_TEMP/octo-git" checkout --quiet "$OCTO_GIT_COMMIT"
                make -C "$RUNNER_TEMP/octo-git" release
                mkdir -p ~/.octo-git/bin
                cp "$RUNNER_TEMP/octo-git/.build/release/octo-git" ~/.octo-git/bin/octo-git
            - name: Download octo-git
              if: env.OCTO_GIT_BINARY_URL != ''
              run: |
                mkdir -p ~/.octo-git/bin
                curl -fsSL --retry 3 -o ~/.octo-git/bin/octo-git "$OCTO_GIT_BINARY_URL"
                chmod +x ~/.octo-git/bin/octo-git
            - name: Put octo-git on PATH
              run: echo "$HOME/.octo-git/bin" >> "$GITHUB_PATH"
      """#
    return #"""
      # octo-git: the AI cost of each pull request in one comment kept up to date (the check fails when a pull
      # request goes over OCTO_BUDGET_PR: the repository variable, else git config octo.budget.pr when this was
      # written), and the usage of squash- and rebase-merged pull requests carried onto the commits the merge
      # made. Written by `octo-git install --ci github`.
      #
      # octo-git comes from the repository variable OCTO_GIT_BINARY_URL (a prebuilt Linux binary) when it is
      # set; otherwise it is built from OCTO_GIT_SOURCE (a git URL) at OCTO_GIT_REF (default main), and the
      # build is cached for each commit of octo-git.
      name: octo-git

      on:
        pull_request:
          types: [opened, synchronize, reopened, ready_for_review]
        push:
          branches: [\#(yamlString(baseBranch))]

      permissions: {}

      env:
        OCTO_GIT_BINARY_URL: ${{ vars.OCTO_GIT_BINARY_URL }}
        OCTO_GIT_SOURCE: ${{ vars.OCTO_GIT_SOURCE }}
        OCTO_GIT_REF: ${{ vars.OCTO_GIT_REF || 'main' }}

      jobs:
        cost-comment:
          name: AI cost comment
          if: github.event_name == 'pull_request'
          runs-on: ubuntu-latest
          permissions:
            contents: read
            pull-requests: write
          concurrency:
            group: octo-git-comment-${{ github.event.pull_request.number }}
            cancel-in-progress: true
          steps:
            - uses: actions/checkout@v5
              with:
                fetch-depth: 0
      \#(install)
            - name: Post the cost comment
              run: octo-git pr comment ${OCTO_BUDGET_PR:+--budget "$OCTO_BUDGET_PR"}
              env:
                GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
                OCTO_BUDGET_PR: \#(budgetValue)

        carry-notes:
          name: Carry usage onto merged commits
          if: github.event_name == 'push'
          runs-on: ubuntu-latest
          permissions:
            contents: write
            pull-requests: read
          concurrency:
            group: octo-git-notes
            cancel-in-progress: false
          steps:
            - uses: actions/checkout@v5
              with:
                fetch-depth: 0
      \#(install)
            - name: Carry the usage notes
              run: octo-git notes carry
              env:
                GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}

      """#
  }
}
