import Foundation

extension SnapshotBuilder {
  /// `octo.checkpoint.maxFileSize` from `config` in bytes (git's `k`, `m`, `g` suffixes), `nil` for no
  /// limit (`0` or less); the default when unset. A value that is not a size gives the default and a
  /// warning.
  static func fileSizeLimit(_ config: Config?) -> (limit: UInt64?, problem: String?) {
    let fallback = DefaultSettings.value(of: "octo.checkpoint.maxFileSize").flatMap(parseSize) ?? defaultMaxFileSize
    let configured: Int?
    do {
      configured = try config?.int("octo.checkpoint.maxFileSize")
    } catch {
      return (
        fallback == 0 ? nil : fallback,
        "octo.checkpoint.maxFileSize is not a size (e.g. 100m); used \(sizeText(fallback))"
      )
    }
    guard let configured else { return (fallback == 0 ? nil : fallback, nil) }
    // 0 is "no limit", as documented; a negative size is a mistake, not a wish for no limit.
    guard configured >= 0 else {
      return (
        fallback == 0 ? nil : fallback,
        "octo.checkpoint.maxFileSize is negative (0 is no limit); used \(sizeText(fallback))"
      )
    }
    return (configured == 0 ? nil : UInt64(configured), nil)
  }

  /// A size as git writes integers: digits and an optional `k`, `m` or `g` (times 1024, 1024², 1024³).
  static func parseSize(_ text: String) -> UInt64? {
    var digits = text.trimmingCharacters(in: .whitespaces).lowercased()
    var factor: UInt64 = 1
    switch digits.last {
    case "k": factor = 1 << 10
    case "m": factor = 1 << 20
    case "g": factor = 1 << 30
    default: break
    }
    if factor != 1 { digits.removeLast() }
    guard let value = UInt64(digits) else { return nil }
    let (product, overflow) = value.multipliedReportingOverflow(by: factor)
    return overflow ? nil : product
  }

  /// A size for people, in git's units (1 KB = 1024 bytes): `30 MB`, `1.5 GB`, `512 bytes`.
  static func sizeText(_ bytes: UInt64) -> String {
    for (unit, name) in [(UInt64(1) << 30, "GB"), (UInt64(1) << 20, "MB"), (UInt64(1) << 10, "KB")] where bytes >= unit
    {
      let tenths = (Double(bytes) / Double(unit) * 10).rounded()
      let whole = Int(tenths / 10)
      let fraction = Int(tenths) % 10
      return fraction == 0 ? "\(whole) \(name)" : "\(whole).\(fraction) \(name)"
    }
    return bytes == 1 ? "1 byte" : "\(bytes) bytes"
  }
}
