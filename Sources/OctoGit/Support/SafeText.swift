import Foundation

/// Text from outside (notes, agents' files, git's and GitHub's messages) made safe for where it is shown:
/// a terminal never receives an escape sequence from data, a spreadsheet never a formula, Markdown never
/// markup.
public enum SafeText {
  /// Control characters shown as escapes (`\e`, `\n`, `\x07`, `\u{9b}`, `\u{202e}`): nothing in `text` can
  /// move the cursor, change colours, retitle the window, ring the bell or reverse the line. Printable text
  /// is unchanged.
  public static func terminal(_ text: String) -> String {
    if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count + 8)
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x1B: out += "\\e"
      case 0x0A: out += "\\n"
      case 0x0D: out += "\\r"
      case 0x09: out += "\\t"
      case 0x00..<0x20, 0x7F: out += "\\x" + hex(scalar.value, digits: 2)
      case 0x80..<0xA0: out += "\\u{" + hex(scalar.value, digits: 2) + "}"
      case _ where reordersOrBreaksLine(scalar): out += "\\u{" + hex(scalar.value, digits: 4) + "}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// Bidirectional overrides and isolates, which reorder what follows on the line (a name could show as
  /// something else), and the line and paragraph separators, which break a line as a line feed does.
  static func reordersOrBreaksLine(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
    default: return false
    }
  }

  /// Each line of `text` made safe for a terminal (line breaks kept; with `keepingTabs`, tabs and a carriage
  /// return ending a line too, as a patch's lines of code and CRLF files hold them). Read scalar by scalar:
  /// a `\r\n` is one `Character` to Swift.
  public static func terminalLines(_ text: String, keepingTabs: Bool = false) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    var run = String.UnicodeScalarView()
    var scalars = text.unicodeScalars.makeIterator()
    var next = scalars.next()
    while let scalar = next {
      next = scalars.next()
      let kept = scalar == "\n" || (keepingTabs && (scalar == "\t" || (scalar == "\r" && next == "\n")))
      guard kept else {
        run.append(scalar)
        continue
      }
      out += terminal(String(run))
      run.removeAll(keepingCapacity: true)
      out.unicodeScalars.append(scalar)
    }
    return out + terminal(String(run))
  }

  /// A CSV cell with its control characters escaped as for a terminal (CSV is often read on one; a tab or a
  /// carriage return first would also make a spreadsheet read a formula), and with a leading `'` when a
  /// spreadsheet would read it as a formula (`= + - @` first), as OWASP advises; any other cell is unchanged.
  public static func csvCell(_ cell: String) -> String {
    let cell = terminal(cell)
    guard let first = cell.utf8.first else { return cell }
    switch first {
    case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"): return "'" + cell
    default: return cell
    }
  }

  /// Text for a Markdown table cell or paragraph: markup characters backslash-escaped (no links, HTML,
  /// comments, emphasis or code from data), line breaks as spaces, control characters escaped. `@` and `#`
  /// are followed by a zero-width space: on GitHub a name from data never mentions a person or a team, nor
  /// links an issue (`@org/team`, `#1`). A bare URL stays as it is: GitHub may show it as a link, whose text
  /// is its target (nothing hides where it leads), and a URL in a commit subject is usually meant to be one.
  public static func markdown(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count + 8)
    for scalar in terminal(text.replacingOccurrences(of: "\n", with: " ")).unicodeScalars {
      switch scalar {
      case "\\", "|", "<", ">", "[", "]", "`", "*", "_", "~", "&": out += "\\"
      default: break
      }
      out.unicodeScalars.append(scalar)
      if scalar == "@" || scalar == "#" { out.unicodeScalars.append("\u{200B}") }
    }
    return out
  }

  /// Free text written as Markdown (a feature's description, a commit's body): line breaks and formatting
  /// kept, but no HTML, comment or autolink from it (`<`, `>` and `&` escaped, and `\` too, which could
  /// otherwise undo those escapes: an unclosed `<!--` would hide the rest of the page), no mention (`@`
  /// followed by a zero-width space: an agent's text never pings a team), control characters escaped. Issue
  /// references (`Fixes #12`) stay.
  public static func markdownProse(_ text: String) -> String {
    var out = ""
    for scalar in terminalLines(text).unicodeScalars {
      if scalar == "<" || scalar == ">" || scalar == "&" || scalar == "\\" { out += "\\" }
      out.unicodeScalars.append(scalar)
      if scalar == "@" { out.unicodeScalars.append("\u{200B}") }
    }
    return out
  }

  /// Text for inside a Markdown code span (a template puts the backticks around it): a backtick, which would
  /// end the span, shown as `ˋ`; line breaks as spaces; control characters escaped; in a table cell, `|`
  /// escaped (GitHub splits cells at it even inside code).
  public static func codeSpanText(_ text: String, inTable: Bool = true) -> String {
    var out = ""
    for scalar in terminal(text.replacingOccurrences(of: "\n", with: " ")).unicodeScalars {
      switch scalar {
      case "`": out += "\u{02CB}"
      case "|" where inTable: out += "\\|"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// The first `count` Unicode scalars of `text` (a limit counted in scalars, as GitHub's are: a letter
  /// carrying thousands of combining marks is one `Character` but as many scalars).
  static func prefix(_ text: String, scalars count: Int) -> String {
    var view = String.UnicodeScalarView()
    view.append(contentsOf: text.unicodeScalars.prefix(max(0, count)))
    return String(view)
  }

  private static func hex(_ value: UInt32, digits: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
  }
}
