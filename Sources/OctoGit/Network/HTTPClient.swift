import CCurl
import Foundation

/// HTTP over libcurl (opened on demand, see ``CurlLibrary``): any method, a body, the status, the
/// response headers, one-line errors.
public enum HTTPClient {
  public struct Response: Sendable {
    public let status: Int
    /// Response headers, names in lower case (the last value of a repeated header).
    public let headers: [String: String]
    public let body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data) {
      self.status = status
      self.headers = headers
      self.body = body
    }
  }

  /// Accumulates the body and headers as libcurl hands them over.
  final class Sink {
    var data = Data()
    var headers: [String: String] = [:]
    let limit: Int
    /// Whether the body went past `limit` (the transfer was stopped there).
    var overflowed = false
    init(limit: Int) { self.limit = limit }
  }

  /// Fetches `url`, following redirects, within `timeout` seconds; bodies over `limit` bytes are refused.
  public static func get(_ url: String, timeout: Int = 60, limit: Int = 64 << 20, headers: [String] = []) throws
    -> Response
  {
    try request("GET", url, headers: headers, timeout: timeout, limit: limit)
  }

  /// Sends `method` to `url` with `headers` (`Name: value`) and `body`, within `timeout` seconds.
  /// Redirects are followed for GET only. Throws only when no HTTP answer came; any status is returned.
  public static func request(
    _ method: String, _ url: String, headers: [String] = [], body: Data? = nil, timeout: Int = 60,
    limit: Int = 64 << 20
  ) throws -> Response {
    typealias Initialise = @convention(c) () -> UnsafeMutableRawPointer?
    typealias Perform = @convention(c) (UnsafeMutableRawPointer?) -> CURLcode
    typealias Cleanup = @convention(c) (UnsafeMutableRawPointer?) -> Void
    typealias Describe = @convention(c) (CURLcode) -> UnsafePointer<CChar>?
    guard let initialise = CurlLibrary.symbol("curl_easy_init"), let setopt = CurlLibrary.symbol("curl_easy_setopt"),
      let perform = CurlLibrary.symbol("curl_easy_perform"), let getinfo = CurlLibrary.symbol("curl_easy_getinfo"),
      let cleanup = CurlLibrary.symbol("curl_easy_cleanup"), let describe = CurlLibrary.symbol("curl_easy_strerror")
    else {
      throw OctoError("libcurl is not installed", hint: "install it: apt-get install libcurl4", status: .unavailable)
    }
    guard let handle = unsafeBitCast(initialise, to: Initialise.self)() else {
      throw OctoError("cannot start an HTTP request", status: .unavailable)
    }
    defer { unsafeBitCast(cleanup, to: Cleanup.self)(handle) }
    let sink = Sink(limit: limit)
    let context = Unmanaged.passUnretained(sink).toOpaque()
    let write: octo_curl_write_fn = { bytes, size, count, context in
      guard let bytes, let context else { return 0 }
      let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
      let length = size * count
      if sink.data.count + length > sink.limit {
        sink.overflowed = true
        return 0
      }
      sink.data.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: length)
      return length
    }
    let header: octo_curl_write_fn = { bytes, size, count, context in
      guard let bytes, let context else { return 0 }
      let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
      let length = size * count
      let line = String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
      if line.hasPrefix("HTTP/") {
        sink.headers = [:]  // a new response (after a redirect or a 100 Continue)
      } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        sink.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
      }
      return length
    }
    var list: UnsafeMutablePointer<curl_slist>?
    typealias Append =
      @convention(c) (UnsafeMutablePointer<curl_slist>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<curl_slist>?
    typealias FreeList = @convention(c) (UnsafeMutablePointer<curl_slist>?) -> Void
    // An empty Expect header stops libcurl waiting for "100 Continue" before sending a body.
    let allHeaders = headers + (body == nil ? [] : ["Expect:"])
    if !allHeaders.isEmpty, let append = CurlLibrary.symbol("curl_slist_append") {
      for header in allHeaders { list = unsafeBitCast(append, to: Append.self)(list, header) }
    }
    defer {
      if let list, let free = CurlLibrary.symbol("curl_slist_free_all") { unsafeBitCast(free, to: FreeList.self)(list) }
    }
    _ = octo_curl_setopt_string(setopt, handle, CURLOPT_URL, url)
    if method == "GET" {
      _ = octo_curl_setopt_long(setopt, handle, CURLOPT_FOLLOWLOCATION, 1)
      _ = octo_curl_setopt_long(setopt, handle, CURLOPT_MAXREDIRS, 5)
    }
    _ = octo_curl_setopt_long(setopt, handle, CURLOPT_TIMEOUT, timeout)
    _ = octo_curl_setopt_long(setopt, handle, CURLOPT_NOSIGNAL, 1)
    _ = octo_curl_setopt_string(setopt, handle, CURLOPT_USERAGENT, "octo-git/\(Version.octoGit)")
    _ = octo_curl_setopt_string(setopt, handle, CURLOPT_ACCEPT_ENCODING, "")
    _ = octo_curl_setopt_write_function(setopt, handle, write)
    _ = octo_curl_setopt_pointer(setopt, handle, CURLOPT_WRITEDATA, context)
    _ = octo_curl_setopt_header_function(setopt, handle, header)
    _ = octo_curl_setopt_pointer(setopt, handle, CURLOPT_HEADERDATA, context)
    if let list { _ = octo_curl_setopt_pointer(setopt, handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list)) }
    let payload: [UInt8] = body.map { [UInt8]($0) + [0] } ?? []
    let code: CURLcode = payload.withUnsafeBufferPointer { buffer in
      if body != nil {
        _ = octo_curl_setopt_long(setopt, handle, CURLOPT_POSTFIELDSIZE, buffer.count - 1)
        _ = octo_curl_setopt_pointer(
          setopt, handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
      }
      if method != "GET" && method != "POST" {
        _ = octo_curl_setopt_string(setopt, handle, CURLOPT_CUSTOMREQUEST, method)
      }
      return unsafeBitCast(perform, to: Perform.self)(handle)
    }
    withExtendedLifetime(sink) {}
    guard code == CURLE_OK else {
      let reason =
        unsafeBitCast(describe, to: Describe.self)(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
      let place = RedactedURL.of(url)
      if sink.overflowed {
        throw OctoError(
          "\(place) answered more than \(limit / (1 << 20)) MB", hint: "check the URL: this is not the answer expected",
          status: .unavailable)
      }
      throw OctoError("cannot reach \(place): \(reason)", hint: "check the URL and the network", status: .unavailable)
    }
    var status = 0
    _ = octo_curl_getinfo_long(getinfo, handle, CURLINFO_RESPONSE_CODE, &status)
    return Response(status: status, headers: sink.headers, body: sink.data)
  }

}
