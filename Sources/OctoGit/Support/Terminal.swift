import Foundation

/// Whether and how to colour output: only on a terminal, never when `NO_COLOR` is set (to anything
/// non-empty) or `TERM` is `dumb`.
public struct OutputStyle: Sendable {
  public let colour: Bool

  public init(colour: Bool) { self.colour = colour }

  /// The style for a file descriptor in this process's environment.
  public static func forDescriptor(_ descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> OutputStyle
  {
    if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return OutputStyle(colour: false) }
    if environment["TERM"] == "dumb" { return OutputStyle(colour: false) }
    return OutputStyle(colour: isatty(descriptor) == 1)
  }

  public enum Tone: String, Sendable {
    case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", cyan = "36"
  }

  /// `text` wrapped in the ANSI codes for `tone` when colour is on; unchanged otherwise.
  public func paint(_ text: String, _ tone: Tone) -> String {
    colour ? "\u{1B}[\(tone.rawValue)m\(text)\u{1B}[0m" : text
  }
}
