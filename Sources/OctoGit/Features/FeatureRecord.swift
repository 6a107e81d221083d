import Foundation

/// One line of a `refs/notes/octo/features` note: a test run of a feature that ended in a commit.
///
/// Canonical JSON like the usage notes (`"v":1`, a stable `id`), so `cat_sort_uniq` merges keep one copy.
public struct FeatureRecord: Equatable, Sendable {
  public static let ref = "refs/notes/octo/features"

  public var id: String
  public var at: Date
  /// The feature's slug.
  public var feature: String
  /// A harness's own id for the feature, when it gave one.
  public var featureID: String?
  public var description: String
  public var branch: String?
  public var test: String
  /// `passed` (a commit is only made when the tests pass).
  public var result: String
  public var exitCode: Int
  public var durationMs: Int
  public var agent: String?

  public var line: String {
    var members: [String: JSONValue] = [
      "v": .int(1), "id": .string(id), "at": .string(Timestamp.format(at)), "feature": .string(feature),
      "description": .string(description), "test": .string(test), "result": .string(result), "exit": .int(exitCode),
      "durationMs": .int(durationMs),
    ]
    if let featureID { members["featureId"] = .string(featureID) }
    if let branch { members["branch"] = .string(branch) }
    if let agent { members["agent"] = .string(agent) }
    return CanonicalJSON.string(.object(members))
  }

  /// Reads one line; `nil` when it is not a feature record.
  public init?(line: String) {
    guard let value = try? CanonicalJSON.parse(line), value["v"]?.intValue == 1, let id = value["id"]?.stringValue,
      let feature = value["feature"]?.stringValue, let at = value["at"]?.stringValue.flatMap(Timestamp.parse)
    else { return nil }
    self.init(
      id: id, at: at, feature: feature, featureID: value["featureId"]?.stringValue,
      description: value["description"]?.stringValue ?? "", branch: value["branch"]?.stringValue,
      test: value["test"]?.stringValue ?? "", result: value["result"]?.stringValue ?? "",
      exitCode: value["exit"]?.intValue ?? 0, durationMs: value["durationMs"]?.intValue ?? 0,
      agent: value["agent"]?.stringValue)
  }

  public init(
    id: String, at: Date, feature: String, featureID: String?, description: String, branch: String?, test: String,
    result: String, exitCode: Int, durationMs: Int, agent: String?
  ) {
    self.id = id
    self.at = at
    self.feature = feature
    self.featureID = featureID
    self.description = description
    self.branch = branch
    self.test = test
    self.result = result
    self.exitCode = exitCode
    self.durationMs = durationMs
    self.agent = agent
  }

  /// The records of a note's text.
  public static func records(in text: String) -> [FeatureRecord] {
    text.split(separator: "\n").compactMap { FeatureRecord(line: String($0)) }
  }

  /// The JSON form in reports.
  public var json: JSONValue { (try? CanonicalJSON.parse(line)) ?? .null }
}
