import Foundation

/// Prices events with one table, each model looked up once, in integer pico-dollars where every price
/// the request needs is a whole number of them (``PicoPrices``), with exact decimals otherwise; and writes
/// each priced event's canonical line. What an import of tens of thousands of requests uses.
struct EventPricer {
  let table: PriceTable
  private var models: [String: (price: ModelPrice, pico: PicoPrices)?] = [:]

  init(table: PriceTable) { self.table = table }

  /// `event` priced when it carries no cost of its own (see ``UsageEvent/priced(with:)``). A cost past
  /// ``UsageLimits/maxCostDollars`` (absurd token counts) leaves it unpriced: no reader would take the line.
  mutating func price(_ event: UsageEvent) -> UsageEvent {
    var copy = event
    if event.cost != nil {
      if copy.prices == nil { copy.prices = "agent" }
      return copy
    }
    let model: (price: ModelPrice, pico: PicoPrices)?
    if let known = models[event.model] {
      model = known
    } else {
      model = table.price(for: event.model).map { ($0, $0.picoPrices) }
      models[event.model] = .some(model)
    }
    copy.prices = nil
    guard let model else { return copy }
    let cost =
      model.pico.cost(of: event.tokens).map(PicoDollars.init)
      ?? PicoDollars(rounding: model.price.cost(of: event.tokens))
    guard let cost, cost.count <= PicoDollars.maxCost else { return copy }
    copy.cost = cost
    copy.prices = model.price.tableID
    return copy
  }

  /// `event` priced, with its canonical line.
  mutating func pricedLine(_ event: UsageEvent) -> (event: UsageEvent, line: String) {
    let priced = price(event)
    return (priced, priced.line)
  }
}
