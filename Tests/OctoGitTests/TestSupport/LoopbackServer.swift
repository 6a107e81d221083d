import Foundation

/// A static HTTP server on 127.0.0.1 (Python's http.server on a free port) serving a folder, stopped
/// when the value goes away.
final class LoopbackServer {
  let process = Process()
  let port: Int
  let folder: String

  init(serving folder: String) throws {
    self.folder = folder
    let script = """
      import functools, http.server, sys
      handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
      handler.log_message = lambda *args: None
      server = http.server.HTTPServer(("127.0.0.1", 0), handler)
      print(server.server_address[1], flush=True)
      server.serve_forever()
      """
    port = try Self.startPython(process, script: script, arguments: [folder])
  }

  deinit {
    // SIGKILL: a child started from a test thread may have SIGTERM blocked.
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

  /// Starts `python3 -c script arguments…` in `process` and returns the port the script prints on its
  /// first line.
  static func startPython(_ process: Process, script: String, arguments: [String]) throws -> Int {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    var line = Data()
    while true {
      let byte = output.fileHandleForReading.readData(ofLength: 1)
      if byte.isEmpty || byte == Data([0x0A]) { break }
      line.append(byte)
    }
    guard let port = Int(String(decoding: line, as: UTF8.self)) else {
      kill(process.processIdentifier, SIGKILL)
      throw Shell.Failure(command: ["python3 http.server"], result: .init(status: -1, stdout: "", stderr: "no port"))
    }
    return port
  }
}
