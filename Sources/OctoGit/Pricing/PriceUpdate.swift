import Foundation

/// `octo-git pricing update`: LiteLLM's price file, downloaded on request only, checked before use, and
/// kept with its date in `$XDG_CACHE_HOME/octo-git/`.
public enum PriceUpdate {
  /// Where LiteLLM publishes its price file.
  public static let defaultURL =
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"

  public struct Result: Sendable {
    public let path: String
    public let models: Int
    /// One line per model added or repriced, e.g. `changed gpt-5: input 1.25 → 1.5, output 10 → 12 per M`.
    public let changes: [String]
    /// Models whose 1-hour cache-write price was implausible and is replaced by the 2× rule.
    public let distrusted: [String]
  }

  static func folder(_ environment: [String: String]) -> String {
    Paths.cacheHome(environment: environment) + "/octo-git"
  }

  /// The downloaded table, if an update stored one.
  public static func downloadedTable(environment: [String: String] = ProcessInfo.processInfo.environment) -> PriceTable?
  {
    let path = folder(environment) + "/pricing.json"
    guard let data = try? RegularFile.contents(path, limit: PriceTable.maxFileSize) else { return nil }
    return try? PriceTable(json: String(decoding: data, as: UTF8.self), source: "litellm", distrustHourWrites: true)
  }

  /// The price file at `source`: an `http(s)://` URL, or a copy of it on disk (`file://` or a path).
  static func download(_ source: String) throws -> Data {
    let lowered = source.lowercased()
    if lowered.hasPrefix("https://") || lowered.hasPrefix("http://") {
      let response = try HTTPClient.get(source)
      guard (200..<300).contains(response.status) else {
        throw OctoError(
          "cannot download prices from \(RedactedURL.of(source)): HTTP \(response.status)",
          hint: "check the URL", status: .unavailable)
      }
      return response.body
    }
    let path = lowered.hasPrefix("file://") ? String(source.dropFirst("file://".count)) : source
    guard !path.isEmpty, !path.contains("://") else {
      throw OctoError.badInput(
        "--url '\(SafeText.terminal(source))' is neither an http(s) URL nor a file",
        hint: "give LiteLLM's file's URL, or the path of a copy of it")
    }
    do {
      return try RegularFile.contents(path, limit: PriceTable.maxFileSize)
    } catch let refusal as RegularFile.Refusal {
      throw OctoError.badInput(
        "cannot read prices from \(refusal)", hint: "give a URL, or the path of a copy of the file")
    }
  }

  /// Downloads, checks and stores the price file; nothing is stored when a check fails.
  ///
  /// - Throws: ``OctoError`` when the download fails, the file is not a LiteLLM price table (malformed JSON,
  ///   fields of the wrong type, no priced model), or a model's price falls by 90% or more against the
  ///   prices in use (a sign of a broken file, not of a discount).
  public static func update(
    url: String = defaultURL, current: PriceTable, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> Result {
    let body = try download(url)
    let text = String(decoding: body, as: UTF8.self)
    let table: PriceTable
    do {
      table = try PriceTable(json: text, source: "litellm", distrustHourWrites: true)
    } catch let error as OctoError {
      throw OctoError.badInput("the downloaded price file is not usable: \(error.message)", hint: "nothing was changed")
    }
    guard !table.models.isEmpty else {
      throw OctoError.badInput("the downloaded price file prices no model", hint: "nothing was changed")
    }
    var changes: [String] = []
    for name in table.models.keys.sorted() {
      let new = table.models[name]!
      guard let old = current.models[name] else {
        changes.append("added \(name): input \(perMillion(new.input)), output \(perMillion(new.output)) per M")
        continue
      }
      for (label, before, after) in [("input", old.input, new.input), ("output", old.output, new.output)] {
        if let before, let after, before > 0, after * 10 <= before {
          throw OctoError.badInput(
            "the downloaded prices look broken: \(name) \(label) falls from \(perMillion(before)) "
              + "to \(perMillion(after)) per M",
            hint: "nothing was changed; a file named by octo.pricing can set such a price on purpose")
        }
      }
      if old.input != new.input || old.output != new.output {
        changes.append(
          "changed \(name): input \(perMillion(old.input)) → \(perMillion(new.input)), "
            + "output \(perMillion(old.output)) → \(perMillion(new.output)) per M"
        )
      }
    }
    let directory = folder(environment)
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try body.write(to: URL(fileURLWithPath: directory + "/pricing.json"), options: .atomic)
      let stamp = "\(Timestamp.format(Date())) \(RedactedURL.of(url))\n"
      try Data(stamp.utf8).write(to: URL(fileURLWithPath: directory + "/pricing.date"), options: .atomic)
    } catch {
      throw OctoError(
        "cannot store the prices in \(directory): \(OctoError.reason(error))", hint: "check the folder's permissions"
      )
    }
    return Result(
      path: directory + "/pricing.json", models: table.models.count, changes: changes, distrusted: table.distrusted)
  }

  static func perMillion(_ price: Decimal?) -> String {
    price.map { CanonicalJSON.plain($0 * 1_000_000) } ?? "-"
  }
}
