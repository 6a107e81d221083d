import Foundation

/// Prices events with one table, each model looked up once, in integer pico-dollars where every price
/// the request needs is a whole number of them (``PicoPrices``), with exact decimals otherwise; and writes
/// each priced event's canonical line. What an import of tens of thousands of requests uses.
struct EventPricer {
  let table: PriceTable
  private var models: [String: (price: ModelPrice, pico: PicoPrices)?] = [:]

  init(table: PriceTable) { self.table = table }

  /// `event` priced when it carries no cost of its own (see ``UsageEvent/priced(with:)``), with its cost as
  /// plain decimal text when it has one.
  mutating func price(_ event: UsageEvent) -> (event: UsageEvent, costText: String?) {
    var copy = event
    if let cost = event.cost {
      if copy.prices == nil { copy.prices = "agent" }
      return (copy, CanonicalJSON.plain(cost))
    }
    let model: (price: ModelPrice, pico: PicoPrices)?
    if let known = models[event.model] {
      model = known
    } else {
      model = table.price(for: event.model).map { ($0, $0.picoPrices) }
      models[event.model] = .some(model)
    }
    guard let model else {
      copy.prices = nil
      return (copy, nil)
    }
    copy.prices = model.price.tableID
    if let pico = model.pico.cost(of: event.tokens) {
      copy.cost = Money.usd(picoDollars: pico)
      return (copy, Money.plainText(picoDollars: pico))
    }
    let cost = model.price.cost(of: event.tokens)
    copy.cost = cost
    return (copy, CanonicalJSON.plain(cost))
  }

  /// `event` priced, with its canonical line.
  mutating func pricedLine(_ event: UsageEvent) -> (event: UsageEvent, line: String) {
    let (priced, costText) = price(event)
    return (priced, priced.line(costText: costText))
  }
}
