import Foundation

/// A table of model prices in LiteLLM's JSON schema (`model_prices_and_context_window.json`): an object
/// keyed by model id whose entries carry per-token USD prices.
public struct PriceTable: Sendable {
  /// The largest price file read (LiteLLM's own is about 1.5 MB).
  public static let maxFileSize = 64 << 20

  /// Identifies this table's content, e.g. `builtin:5f2c09ab`: the source, then a hash of the bytes.
  public let id: String
  /// Prices by normalised model id (see ``ModelName/normalise(_:)``).
  public private(set) var models: [String: ModelPrice]

  /// Parses a LiteLLM-schema price file. Entries without any per-token price (such as LiteLLM's
  /// `sample_spec`) are skipped.
  ///
  /// - Throws: ``OctoError/badInput(_:hint:)`` naming the entry and field when the file is not such a table.
  ///
  /// With `distrustHourWrites`, a 1-hour cache-write price that is not about twice the input price (LiteLLM
  /// has had such errors) is dropped, so the 2× rule applies instead; ``distrusted`` names those models.
  public init(json text: String, source: String, distrustHourWrites: Bool = false) throws {
    id = "\(source):\(Self.fingerprint(text))"
    let root: JSONValue
    do {
      root = try CanonicalJSON.parse(text)
    } catch {
      throw OctoError.badInput("the \(source) price table is not valid JSON (\(error))")
    }
    guard case .object(let entries) = root else {
      throw OctoError.badInput("the \(source) price table is not a JSON object keyed by model")
    }
    var models: [String: ModelPrice] = [:]
    var distrusted: [String] = []
    // Exact keys first, so `claude-x-20250101` and `claude-x` both present keep the undated entry.
    for key in entries.keys.sorted(by: { $0.count > $1.count }) {
      guard case .object(let fields) = entries[key]!, key != "sample_spec" else { continue }
      var price = ModelPrice(tableID: id)
      for (field, path) in ModelPrice.fields {
        guard let value = fields[field], value != .null else { continue }
        guard let decimal = value.decimalValue, decimal >= 0 else {
          throw OctoError.badInput(
            "the \(source) price table has a bad \(field) for \(key)", hint: "prices are non-negative numbers")
        }
        price[keyPath: path] = decimal
      }
      guard price.isPriced else { continue }
      if distrustHourWrites, let input = price.input, input > 0, let hour = price.cacheWrite1h {
        let ratio = NSDecimalNumber(decimal: hour / input).doubleValue
        if ratio < 1.5 || ratio > 2.5 {
          price.cacheWrite1h = nil
          distrusted.append(key)
        }
      }
      models[ModelName.normalise(key)] = price
    }
    self.models = models
    self.distrusted = distrusted.sorted()
  }

  /// Models whose 1-hour cache-write price was dropped as implausible (see ``init(json:source:distrustHourWrites:)``).
  public private(set) var distrusted: [String] = []

  /// The price of `model`, matched after normalisation; `nil` when the table does not know it.
  public func price(for model: String) -> ModelPrice? {
    models[ModelName.normalise(model)]
  }

  /// This table with `other`'s models added, `other` winning where both price a model.
  public func overlaid(with other: PriceTable) -> PriceTable {
    var merged = self
    merged.models.merge(other.models) { $1 }
    return PriceTable(id: other.id == id ? id : "\(id)+\(other.id)", models: merged.models)
  }

  init(id: String, models: [String: ModelPrice]) {
    self.id = id
    self.models = models
  }

  /// The price table compiled into octo-git (`config/pricing.json`).
  /// Should the compiled-in file ever fail to parse (a test guards against it), every model is unpriced:
  /// shown as such, never as $0, and a user's or downloaded table still applies.
  public static let builtIn: PriceTable =
    (try? PriceTable(json: DefaultFiles.content(of: "config/pricing.json") ?? "{}", source: "builtin"))
    ?? PriceTable(id: "builtin:unreadable", models: [:])

  /// A short, stable hash of a table's bytes (64-bit FNV-1a, hexadecimal).
  static func fingerprint(_ text: String) -> String {
    var hash = StableHash()
    hash.combine(text.utf8)
    return hash.hex
  }
}
