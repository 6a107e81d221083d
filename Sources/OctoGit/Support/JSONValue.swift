import Foundation

/// A JSON value that keeps numbers as their exact decimal text, so money read from JSON is never
/// rounded through binary floating point.
public enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  /// A number, as written (e.g. `0.000003`, `3e-06`, `1200`).
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public subscript(key: String) -> JSONValue? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  public var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  /// The number as an exact decimal.
  public var decimalValue: Decimal? {
    guard case .number(let text) = self else { return nil }
    return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
  }

  /// The number when it is written as a whole number (`12`, not `12.0` or `1e1`) that fits in `Int`.
  public var intValue: Int? {
    guard case .number(let text) = self else { return nil }
    return Int(text)
  }

  public var objectValue: [String: JSONValue]? {
    if case .object(let members) = self { return members }
    return nil
  }

  public var arrayValue: [JSONValue]? {
    if case .array(let items) = self { return items }
    return nil
  }

  public var boolValue: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// A number value holding `decimal` in plain (non-exponent) notation.
  public static func decimal(_ decimal: Decimal) -> JSONValue {
    .number(CanonicalJSON.plain(decimal))
  }

  public static func int(_ value: Int) -> JSONValue { .number(String(value)) }
}
