import Foundation
import Testing

@testable import OctoGit

@Suite("Updating prices from LiteLLM's file")
struct PriceUpdateTests {
  @Test("a good file is stored with its date and used; bad files are refused and change nothing")
  func update() throws {
    let fixture = try TestRepository()
    let served = fixture.root + "/served"
    try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
    let good = #"""
      {"sample_spec": {"input_cost_per_token": "price per token"},
       "claude-newmodel-9": {"input_cost_per_token": 2e-06, "output_cost_per_token": 1e-05, \#
      "cache_creation_input_token_cost_above_1hr": 4e-06},
       "gpt-5": {"input_cost_per_token": 1.5e-06, "output_cost_per_token": 1.2e-05},
       "claude-3-opus": {"input_cost_per_token": 1.5e-05, "output_cost_per_token": 7.5e-05, \#
      "cache_creation_input_token_cost_above_1hr": 6e-06}}
      """#
    try Data(good.utf8).write(to: URL(fileURLWithPath: served + "/good.json"))
    try Data("{ not json".utf8).write(to: URL(fileURLWithPath: served + "/malformed.json"))
    try Data(#"{"gpt-5": {"input_cost_per_token": 1e-08, "output_cost_per_token": 1e-05}}"#.utf8)
      .write(to: URL(fileURLWithPath: served + "/crash.json"))
    try Data(#"{"gpt-5": {"input_cost_per_token": "cheap", "output_cost_per_token": 1e-05}}"#.utf8)
      .write(to: URL(fileURLWithPath: served + "/types.json"))
    let server = try LoopbackServer(serving: served)
    let cache = fixture.root + "/cache"
    let environment = ["XDG_CACHE_HOME": cache]

    for (file, complaint) in [
      ("malformed.json", "not usable"), ("crash.json", "falls from 1.25 to 0.01"),
      ("types.json", "input_cost_per_token"), ("missing.json", "HTTP 404"),
    ] {
      let result = try OctoGitBinary.run(
        ["pricing", "update", "--url", server.url(file)], in: fixture.path, home: fixture.home, environment: environment
      )
      #expect(result.status != 0, "\(file)")
      #expect(result.stderr.contains(complaint), "\(file): \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: cache + "/octo-git/pricing.json"), "\(file)")
    }

    // Neither a URL nor a file: bad input, said as such (it was "cannot reach", exit 6).
    for bad in ["", "not a url", "ftp://example.com/prices.json", served + "/missing.json"] {
      let result = try OctoGitBinary.run(
        ["pricing", "update", "--url", bad], in: fixture.path, home: fixture.home, environment: environment)
      #expect(result.status == ExitStatus.badInput.rawValue, "\(bad): \(result.stderr)")
      #expect(!result.stderr.contains("cannot reach"), "\(bad): \(result.stderr)")
    }
    // A copy on disk, as a path or a file URL.
    for copy in [served + "/good.json", "file://" + served + "/good.json"] {
      let local = try OctoGitBinary.run(
        ["pricing", "update", "--url", copy, "--json"], in: fixture.path, home: fixture.home,
        environment: ["XDG_CACHE_HOME": fixture.root + "/local-cache"])
      let models = (try? CanonicalJSON.parse(local.stdout))?["models"]?.intValue
      #expect(local.status == 0 && models == 3, "\(local.stderr)")
    }

    let result = try OctoGitBinary.run(
      ["pricing", "update", "--url", server.url("good.json"), "--json"], in: fixture.path, home: fixture.home,
      environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    let summary = try CanonicalJSON.parse(result.stdout)
    #expect(summary["models"]?.intValue == 3)
    let changes = summary["changes"]?.arrayValue?.compactMap(\.stringValue) ?? []
    #expect(changes.contains { $0.hasPrefix("added claude-newmodel-9") })
    #expect(changes.contains { $0.hasPrefix("changed gpt-5: input 1.25 → 1.5") })
    #expect(summary["distrusted"]?.arrayValue?.compactMap(\.stringValue) == ["claude-3-opus"])
    #expect(
      try String(contentsOfFile: cache + "/octo-git/pricing.date", encoding: .utf8).contains(server.url("good.json")))

    // The new prices are used from now on; the built-in ones still cover the rest.
    let shown = try OctoGitBinary.run(
      ["pricing", "show", "--json"], in: fixture.path, home: fixture.home, environment: environment)
    let prices = try CanonicalJSON.parse(shown.stdout)
    #expect(prices["claude-newmodel-9"]?["input_cost_per_token"]?.decimalValue == Decimal(string: "0.000002"))
    #expect(prices["gpt-5"]?["table"]?.stringValue?.hasPrefix("litellm:") == true)
    #expect(prices["claude-haiku-4-5"]?["table"]?.stringValue?.hasPrefix("builtin:") == true)
    #expect(prices["claude-3-opus"]?["cache_creation_input_token_cost_above_1hr"] == nil)
  }
}
