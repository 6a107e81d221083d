import Foundation

extension OctoError {
  /// Why a file operation failed, in the system's words (`Is a directory`, `Permission denied`): Foundation's
  /// own sentence on Linux is often only `The operation could not be completed. (NSCocoaErrorDomain error
  /// 512.)`, while the error it wraps names the reason.
  public static func reason(_ error: Error) -> String {
    let failure = error as NSError
    if failure.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(failure.code))) }
    if let wrapped = failure.userInfo[NSUnderlyingErrorKey] as? Error {
      let underlying = wrapped as NSError
      if underlying.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(underlying.code))) }
    }
    if let error = error as? OctoError { return error.description }
    return failure.localizedDescription
  }
}
