extension UsageEvent {
  /// This event priced with `table` when it carries no cost of its own. An event whose model the table
  /// does not know stays unpriced.
  public func priced(with table: PriceTable) -> UsageEvent {
    var pricer = EventPricer(table: table)
    return pricer.price(self)
  }
}
