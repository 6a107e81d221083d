import Foundation
import OctoGit

/// Where a report goes: stdout (`--out -` too), or the file `--out` names (written whole, then renamed into place),
/// said in one line on stderr.
enum ReportFile {
  static func write(_ output: String, to out: String?, base: String) throws {
    let text = output + (output.hasSuffix("\n") ? "" : "\n")
    // `-` is standard output, as for most tools that take an output file.
    guard let out, out != "-" else {
      print(text, terminator: "")
      return
    }
    let path = out.hasPrefix("/") ? out : base + "/" + out
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw OctoError(
        "cannot write \(path): \(OctoError.reason(error))", hint: "check the folder exists and is writable")
    }
    FileHandle.standardError.write(Data("wrote \(SafeText.terminal(path)) (\(text.utf8.count) bytes)\n".utf8))
  }
}
