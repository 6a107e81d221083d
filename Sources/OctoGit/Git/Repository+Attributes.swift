import CGit2
import Foundation

extension Repository {
  /// The value the attributes give `attribute` for `path` (relative to the work tree's top), read as git
  /// checks a file out: the work tree's `.gitattributes` files first, then the index's, then
  /// `info/attributes` and `core.attributesFile`. `nil` when it is unset, set or unspecified rather than
  /// given a value (`filter=lfs` gives `lfs`; `-filter` gives `nil`).
  func attributeValue(_ attribute: String, of path: String) throws -> String? {
    var value: UnsafePointer<CChar>?
    let result = RawPath.withCString(path) { git_attr_get(&value, pointer, 0, $0, attribute) }
    try GitError.check(result, "read the attributes of \(RawPath.shown(path))")
    guard git_attr_value(value) == GIT_ATTR_VALUE_STRING, let value else { return nil }
    return String(cString: value)
  }
}
