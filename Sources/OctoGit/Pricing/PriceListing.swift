import Foundation

/// Prices of some models for people (USD per million tokens) or scripts.
public struct PriceListing: Sendable {
  public let table: PriceTable
  public let models: [String]

  public init(table: PriceTable, models: [String]) {
    self.table = table
    self.models = models
  }

  static let million = Decimal(1_000_000)

  static func perMillion(_ price: Decimal?) -> String {
    price.map { CanonicalJSON.plain($0 * million) } ?? "-"
  }

  public func text(style: OutputStyle) -> String {
    var output = TextTable(
      headers: ["model", "input", "output", "cache write 5m", "cache write 1h", "cache read", ">200k in/out", "table"],
      alignments: [.left, .right, .right, .right, .right, .right, .right, .left])
    for name in models {
      guard let price = table.models[name] else { continue }
      let long =
        price.hasLongContextPrices ? "\(Self.perMillion(price.longInput))/\(Self.perMillion(price.longOutput))" : "-"
      output.rows.append([
        name, Self.perMillion(price.input), Self.perMillion(price.output), Self.perMillion(price.cacheWrite5m),
        Self.perMillion(price.cacheWrite1h), Self.perMillion(price.cacheRead), long, price.tableID,
      ])
    }
    return output.text(style: style) + "\nUSD per million tokens"
  }

  public var json: JSONValue {
    .object(
      Dictionary(
        uniqueKeysWithValues: models.compactMap { name -> (String, JSONValue)? in
          guard let price = table.models[name] else { return nil }
          var members: [String: JSONValue] = ["table": .string(price.tableID)]
          for (field, path) in ModelPrice.fields {
            if let value = price[keyPath: path] { members[field] = .decimal(value) }
          }
          return (name, .object(members))
        }))
  }
}
