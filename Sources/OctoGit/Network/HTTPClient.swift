import CCurl
import Foundation

/// HTTP GET over libcurl (opened on demand, see ``CurlLibrary``): the body, the status, one-line errors.
public enum HTTPClient {
  public struct Response: Sendable {
    public let status: Int
    public let body: Data
  }

  /// Accumulates the body as libcurl hands it over.
  final class Sink {
    var data = Data()
    let limit: Int
    init(limit: Int) { self.limit = limit }
  }

  /// Fetches `url`, following redirects, within `timeout` seconds; bodies over `limit` bytes are refused.
  public static func get(_ url: String, timeout: Int = 60, limit: Int = 64 << 20, headers: [String] = []) throws -> Response {
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
      if sink.data.count + length > sink.limit { return 0 }
      sink.data.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: length)
      return length
    }
    var list: UnsafeMutablePointer<curl_slist>?
    typealias Append = @convention(c) (UnsafeMutablePointer<curl_slist>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<curl_slist>?
    typealias FreeList = @convention(c) (UnsafeMutablePointer<curl_slist>?) -> Void
    if !headers.isEmpty, let append = CurlLibrary.symbol("curl_slist_append") {
      for header in headers { list = unsafeBitCast(append, to: Append.self)(list, header) }
    }
    defer {
      if let list, let free = CurlLibrary.symbol("curl_slist_free_all") { unsafeBitCast(free, to: FreeList.self)(list) }
    }
    _ = octo_curl_setopt_string(setopt, handle, CURLOPT_URL, url)
    _ = octo_curl_setopt_long(setopt, handle, CURLOPT_FOLLOWLOCATION, 1)
    _ = octo_curl_setopt_long(setopt, handle, CURLOPT_MAXREDIRS, 5)
    _ = octo_curl_setopt_long(setopt, handle, CURLOPT_TIMEOUT, timeout)
    _ = octo_curl_setopt_long(setopt, handle, CURLOPT_NOSIGNAL, 1)
    _ = octo_curl_setopt_string(setopt, handle, CURLOPT_USERAGENT, "octo-git/\(Version.octoGit)")
    _ = octo_curl_setopt_string(setopt, handle, CURLOPT_ACCEPT_ENCODING, "")
    _ = octo_curl_setopt_write_function(setopt, handle, write)
    _ = octo_curl_setopt_pointer(setopt, handle, CURLOPT_WRITEDATA, context)
    if let list { _ = octo_curl_setopt_pointer(setopt, handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list)) }
    let code = unsafeBitCast(perform, to: Perform.self)(handle)
    withExtendedLifetime(sink) {}
    guard code == CURLE_OK else {
      let reason = unsafeBitCast(describe, to: Describe.self)(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
      let detail = sink.data.count >= limit ? "the response is larger than \(limit / (1 << 20)) MB" : reason
      throw OctoError("cannot fetch \(url): \(detail)", hint: "check the URL and the network", status: .unavailable)
    }
    var status = 0
    _ = octo_curl_getinfo_long(getinfo, handle, CURLINFO_RESPONSE_CODE, &status)
    return Response(status: status, body: sink.data)
  }
}
