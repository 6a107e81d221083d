import Foundation

/// An HTTP server on 127.0.0.1 (Python's http.server on a free port) that answers each request with the
/// next of a list of scripted answers and records every request it got (method, path, headers, body).
final class ScriptedHTTPServer {
  struct Answer: Encodable {
    var status: Int
    var body: String
    var headers: [String: String] = [:]
  }

  struct Request: Decodable {
    let method: String
    let path: String
    let headers: [String: String]
    let body: String
  }

  let process = Process()
  let port: Int
  let folder: String

  init(answers: [Answer]) throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("octo-http-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try JSONEncoder().encode(answers).write(to: URL(fileURLWithPath: folder + "/answers.json"))
    let script = """
      import http.server, json, sys
      folder = sys.argv[1]
      answers = json.load(open(folder + "/answers.json"))
      class Handler(http.server.BaseHTTPRequestHandler):
          def log_message(self, *args): pass
          def handle_any(self):
              length = int(self.headers.get("Content-Length") or 0)
              body = self.rfile.read(length).decode() if length else ""
              with open(folder + "/requests.jsonl", "a") as log:
                  log.write(json.dumps({"method": self.command, "path": self.path,
                      "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}) + "\\n")
              answer = answers.pop(0) if answers else {"status": 500, "body": "{\\"message\\":\\"no answer left\\"}", \
      "headers": {}}
              data = answer["body"].encode()
              self.send_response(answer["status"])
              for key, value in answer.get("headers", {}).items(): self.send_header(key, value)
              self.send_header("Content-Type", "application/json")
              self.send_header("Content-Length", str(len(data)))
              self.end_headers()
              self.wfile.write(data)
          do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any
      server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
      print(server.server_address[1], flush=True)
      server.serve_forever()
      """
    port = try LoopbackServer.startPython(process, script: script, arguments: [folder])
  }

  deinit {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    try? FileManager.default.removeItem(atPath: folder)
  }

  var baseURL: String { "http://127.0.0.1:\(port)" }

  /// The requests received so far, in order.
  func requests() throws -> [Request] {
    guard let data = FileManager.default.contents(atPath: folder + "/requests.jsonl") else { return [] }
    return try data.split(separator: 0x0A).map { try JSONDecoder().decode(Request.self, from: Data($0)) }
  }
}
