import Foundation

/// Durations written as people write them: `90s`, `30m`, `12h`, `7d`, `2w` (and combinations: `1d12h`).
public enum DurationText {
  /// The longest duration read: about 31,700 years (more names no date, and no wait ends).
  static let longest: TimeInterval = 1e12

  /// Seconds, or `nil` when `text` is not a duration (or is longer than ``longest``).
  public static func seconds(_ text: String) -> TimeInterval? {
    let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
    var total: TimeInterval = 0
    var number = ""
    var sawUnit = false
    for character in text.lowercased() where !character.isWhitespace {
      if character.isNumber {
        number.append(character)
      } else if let unit = units[character], let value = Double(number) {
        total += value * unit
        number = ""
        sawUnit = true
      } else {
        return nil
      }
    }
    return number.isEmpty && sawUnit && total <= longest ? total : nil
  }

  /// A short age for people: `just now`, `42s ago`, `5m ago`, `3h ago`, `2d ago`, or the date.
  public static func age(of date: Date, now: Date = Date()) -> String {
    let seconds = Int(now.timeIntervalSince(date))
    switch seconds {
    case ..<5: return "just now"
    case ..<60: return "\(seconds)s ago"
    case ..<3600: return "\(seconds / 60)m ago"
    case ..<86_400: return "\(seconds / 3600)h ago"
    case ..<(86_400 * 30): return "\(seconds / 86_400)d ago"
    default: return String(Timestamp.format(date).prefix(10))
    }
  }
}
