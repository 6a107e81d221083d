import Foundation

/// Reads usage handed to `octo-git usage record`: JSON lines (one event per line, the note's field
/// names) checked as a batch — one bad line and nothing is recorded.
public enum UsageInput {
  /// The earliest time an event may carry.
  static let earliest = Timestamp.parse("2020-01-01")!

  /// Parses JSON lines into events, filling ids, times and context from `defaults`.
  ///
  /// - Throws: ``OctoError`` (bad input) naming the first bad line's number and what is wrong with it.
  public static func events(
    fromJSONLines text: String, defaults: @autoclosure () throws -> UsageEvent, now: Date = Date()
  )
    throws -> [UsageEvent]
  {
    var events: [UsageEvent] = []
    var ids = Set<String>()
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty { continue }
      do {
        guard case .object(let members) = try CanonicalJSON.parse(line) else {
          throw OctoError.badInput("a usage event must be a JSON object")
        }
        let event = try UsageEvent(members: members, defaults: try defaults())
        try check(event, now: now)
        guard ids.insert(event.id).inserted else { throw OctoError.badInput("id \"\(event.id)\" appears twice") }
        events.append(event)
      } catch let error as OctoError {
        throw OctoError.badInput(
          "usage input line \(index + 1): \(error.message)", hint: error.hint ?? "nothing was recorded")
      } catch let error as CanonicalJSON.ParseError {
        throw OctoError.badInput(
          "usage input line \(index + 1): not valid JSON (\(error))", hint: "nothing was recorded")
      }
    }
    return events
  }

  /// One event given field by field (`usage record --model …`) as the JSON line that
  /// ``events(fromJSONLines:defaults:now:)`` reads: the token counts as numbers, `cost` as the exact text
  /// given (a number), the other fields as strings, left out when nil.
  public static func line(model: String, tokens: [String: Int], fields: [String: String?], cost: String?) -> String {
    var members: [String: JSONValue] = ["model": .string(model)]
    for (name, count) in tokens { members[name] = .int(count) }
    for (name, value) in fields {
      if let value { members[name] = .string(value) }
    }
    if let cost { members["cost"] = .number(cost) }
    return CanonicalJSON.string(.object(members))
  }

  /// Checks what the JSON shape cannot: a plausible time.
  public static func check(_ event: UsageEvent, now: Date = Date()) throws {
    if event.at < earliest || event.at > now.addingTimeInterval(86_400) {
      throw OctoError.badInput(
        "\"at\" is not a plausible time: \(Timestamp.format(event.at))",
        hint: "use the time of the request, in ISO-8601")
    }
  }
}
