import Foundation

/// JSON for `--json` output: keys sorted, slashes unescaped, so output is stable for scripts and diffs.
public enum JSONOutput {
  public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      pretty
      ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
      : [
        .sortedKeys, .withoutEscapingSlashes,
      ]
    encoder.dateEncodingStrategy = .iso8601
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }
}
