import CCurl
import Foundation

/// libcurl, opened with `dlopen` the first time octo-git needs it rather than linked: only commands that
/// use the network pay for loading it and its dependencies.
public enum CurlLibrary {
  /// The library handle, or `nil` when libcurl is not installed.
  nonisolated(unsafe) private static var handle: UnsafeMutableRawPointer? = {
    dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL) ?? dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL)
  }()
  private static let lock = NSLock()

  /// The address of a libcurl function, or `nil` when libcurl (or the function) is missing.
  static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
    lock.lock()
    defer { lock.unlock() }
    guard let handle else { return nil }
    return dlsym(handle, name)
  }

  /// The version of the libcurl this process would use, e.g. `7.88.1`; `nil` when it is not installed.
  public static var version: String? {
    guard let function = symbol("curl_version_info") else { return nil }
    return String(cString: octo_curl_version_from(function))
  }
}

extension Version {
  /// libcurl, e.g. `7.88.1` (`not installed` when it is missing).
  public static var libcurl: String { CurlLibrary.version ?? "not installed" }
}
