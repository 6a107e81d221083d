import Foundation

/// Whether and how to colour output: only on a terminal, never when `NO_COLOR` is set (to anything
/// non-empty) or `TERM` is `dumb`.
public struct OutputStyle: Sendable {
  public let colour: Bool
  /// The columns a table may take (`nil`: any): the terminal's own width, else `COLUMNS`.
  public var width: Int?

  public init(colour: Bool, width: Int? = nil) {
    self.colour = colour
    self.width = width
  }

  /// The style for a file descriptor in this process's environment.
  public static func forDescriptor(
    _ descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment
  )
    -> OutputStyle
  {
    let width = terminalWidth(descriptor) ?? environment["COLUMNS"].flatMap(Int.init).flatMap { $0 >= 20 ? $0 : nil }
    if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return OutputStyle(colour: false, width: width) }
    if environment["TERM"] == "dumb" { return OutputStyle(colour: false, width: width) }
    return OutputStyle(colour: isatty(descriptor) == 1, width: width)
  }

  /// The width of the terminal on `descriptor`, when it is one.
  static func terminalWidth(_ descriptor: Int32) -> Int? {
    guard isatty(descriptor) == 1 else { return nil }
    var size = winsize()
    guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 else { return nil }
    return Int(size.ws_col)
  }

  public enum Tone: String, Sendable {
    case bold = "1"
    case dim = "2"
    case red = "31"
    case green = "32"
    case yellow = "33"
    case cyan = "36"
  }

  /// `text` wrapped in the ANSI codes for `tone` when colour is on; unchanged otherwise.
  public func paint(_ text: String, _ tone: Tone) -> String {
    colour ? "\u{1B}[\(tone.rawValue)m\(text)\u{1B}[0m" : text
  }
}
