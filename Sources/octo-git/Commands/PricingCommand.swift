import ArgumentParser
import Foundation
import OctoGit

struct PricingCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pricing",
    abstract: "Show the model prices octo-git uses.",
    discussion: """
      Prices come from the built-in table (LiteLLM's schema), then $XDG_CONFIG_HOME/octo-git/pricing.json, then the \
      file named by git config octo.pricing; a later table wins for the models it prices.
      """,
    subcommands: [Show.self, Update.self],
    defaultSubcommand: Show.self
  )

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "List prices in USD per million tokens, or one model's.")

    @ParentCommand var root: OctoGitCommand
    @Argument(help: "A model id (date suffixes and provider prefixes are ignored).") var model: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      let repository = try? root.openRepository()
      let table = try PriceBook.load(for: repository)
      var names = table.models.keys.sorted()
      if let model {
        guard table.price(for: model) != nil else {
          let wanted = ModelName.normalise(model)
          let near = names.filter { $0.contains(wanted) || wanted.contains($0) }
          throw OctoError.badInput(
            "no price for model '\(model)'",
            hint: near.isEmpty
              ? "add it to a price table (see octo-git pricing --help)" : "known: \(near.joined(separator: ", "))")
        }
        names = [ModelName.normalise(model)]
      }
      let listing = PriceListing(table: table, models: names)
      print(json ? CanonicalJSON.string(listing.json) : listing.text(style: .forDescriptor(STDOUT_FILENO)))
    }
  }

  struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "update",
      abstract: "Download LiteLLM's price table, check it, and use it from now on (prints what changed).",
      discussion: "Nothing touches the network unless you run this. A file that fails the checks is not used.")

    @ParentCommand var root: OctoGitCommand
    @OptionGroup var output: QuietOption
    @Option(help: "Where to get the prices: LiteLLM's published file's URL, or a copy of it (a URL or a path).")
    var url: String = PriceUpdate
      .defaultURL
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
      output.silenceStandardOutput()
      let repository = try? root.openRepository()
      let result = try PriceUpdate.update(url: url, current: try PriceBook.load(for: repository))
      if json {
        print(CanonicalJSON.string(result.json))
        return
      }
      print(SafeText.terminal("\(result.models) models priced, stored in \(result.path)"))
      for line in result.changes { print("  " + SafeText.terminal(line)) }
      if !result.distrusted.isEmpty {
        output.instruct(
          "  1-hour cache writes priced at 2× input instead of the file's price for: "
            + SafeText.terminal(result.distrusted.joined(separator: ", ")))
      }
    }
  }
}
