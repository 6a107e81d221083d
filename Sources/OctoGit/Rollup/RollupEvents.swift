import Foundation

/// Some of the events a rollup sums (see ``load(store:entries:parts:)``), per project: each repository's
/// encoded archive, walked each time it is summed (no event values are built). Each event id counts once
/// across every repository summed, whatever project each belongs to (see ``EventOwners``): a repository's
/// events that another one holds a better copy of are passed over. Unchanged once loaded: parts are summed
/// on separate threads, each walk numbering the strings it meets in a table of its own (``Strings``).
struct RollupEvents: Sendable {
  /// One repository's archive, and which of its events count (by position in the archive; `nil`: all).
  struct Clone: Sendable {
    let archive: Data
    let counted: [Bool]?
  }

  /// The strings one walk over the events met, numbered in one table for every archive (one thread's).
  final class Strings {
    /// The strings the events' numbers stand for.
    private(set) var strings: [String] = []
    private var numbers: [String: Int32] = [:]

    func number(_ text: String) -> Int32 {
      if let known = numbers[text] { return known }
      strings.append(text)
      numbers[text] = Int32(strings.count - 1)
      return Int32(strings.count - 1)
    }

    func string(_ number: Int32) -> String? { number < 0 ? nil : strings[Int(number)] }
  }

  let projects: [(project: String, clones: [Clone])]

  /// Calls `body` with each event that counts and the index of its project in ``projects``, its strings
  /// numbered in `strings`.
  func forEach(numbering strings: Strings, _ body: (Int, UsageLineValues) -> Void) {
    for (index, project) in projects.enumerated() {
      for clone in project.clones {
        guard let counted = clone.counted else {
          _ = EventArchive.forEachEvent(in: clone.archive, number: strings.number) { body(index, $0) }
          continue
        }
        var position = 0
        _ = EventArchive.forEachEvent(in: clone.archive, number: strings.number) { event in
          if position < counted.count, counted[position] { body(index, event) }
          position += 1
        }
      }
    }
  }

  /// The events of `entries` in `parts` sets of about equal size (each project whole in one), each with
  /// its own string table: parts can be summed on separate threads.
  /// Which copy of an event counts is decided among all `entries`; only the projects in `counting` are summed.
  static func load(
    store: RollupStore, entries: [RollupStore.Entry], counting: Set<String>? = nil, parts: Int
  ) throws -> [RollupEvents] {
    let archives = try store.encodedArchives(entries.map(\.id))
    // Which copies count depends only on the archives: worked out once per set of archives and kept. The
    // flags go by position in each archive, so the key is the archives' bytes, not their tips: an archive
    // read again whole at the same tip (rollup --rebuild, a migration) holds the same events in another
    // order, and flags kept for the old order counted one copy twice and dropped another.
    var key = StableHash()
    for entry in entries.sorted(by: { $0.id < $1.id }) {
      guard let archive = archives[entry.id] else { continue }
      let digest = archive.withUnsafeBytes { StableHash.words($0) }
      key.combine("\(entry.id):\(archive.count):\(digest)\n".utf8)
    }
    let counted: [Int64: [Bool]]
    if let saved = try store.savedEventOwners(key: key.hex) {
      counted = saved
    } else {
      counted = EventOwners.resolve(entries, archives: archives)
      try? store.saveEventOwners(counted, key: key.hex)
    }
    let summed = entries.filter { counting?.contains($0.project) ?? true }
    let projects = Dictionary(grouping: summed, by: \.project).map { project, clones in
      (project, clones, clones.reduce(0) { $0 + (archives[$1.id]?.count ?? 0) })
    }
    // Largest first, each to the part with the fewest bytes so far.
    var sizes = [Int](repeating: 0, count: max(parts, 1))
    var shares = [[(String, [RollupStore.Entry])]](repeating: [], count: sizes.count)
    for (project, clones, size) in projects.sorted(by: { ($0.2, $0.0) > ($1.2, $1.0) }) {
      let part = sizes.indices.min { sizes[$0] < sizes[$1] }!
      sizes[part] += size
      shares[part].append((project, clones))
    }
    return shares.filter { !$0.isEmpty }.map { share in
      RollupEvents(
        projects: share.sorted(by: { $0.0 < $1.0 }).map { project, clones in
          let held = clones.sorted { $0.id < $1.id }.compactMap { clone in
            archives[clone.id].map { Clone(archive: $0, counted: counted[clone.id]) }
          }
          return (project: project, clones: held)
        })
    }
  }
}

/// Which repository's copy of each event id the rollup counts: an id is counted once across every
/// repository summed, whatever their origins (clones of one project, a clone whose origin changed and so
/// moved to another project, a fork that fetched the same notes). The best copy counts (``EventCopy``: the
/// costlier, then the most output, then the later time); of equal copies, the repository registered first.
enum EventOwners {
  /// For each repository some of whose events another one holds a better copy of: which of its events
  /// count, by position in its archive. Repositories whose events all count are left out (the common case,
  /// walked at full speed).
  static func resolve(_ entries: [RollupStore.Entry], archives: [Int64: Data]) -> [Int64: [Bool]] {
    let held = entries.filter { archives[$0.id] != nil }.sorted { $0.id < $1.id }
    guard held.count > 1 else { return [:] }
    var ids = ByteStringTable(capacity: held.reduce(0) { $0 + archives[$1.id]!.count / 48 })
    // Per id number: the repository (index in `held`) and position of the copy counted, and its output.
    var owner: [(repository: Int, position: Int, tokens: TokenCounts, cost: PicoDollars?, at: Int64)] = []
    var counted = [[Bool]](repeating: [], count: held.count)
    var passedOver = [Bool](repeating: false, count: held.count)
    for (repository, entry) in held.enumerated() {
      var flags: [Bool] = []
      _ = EventArchive.forEachID(in: archives[entry.id]!) { id, tokens, cost, at in
        let position = flags.count
        flags.append(true)
        let (slot, isNew) = ids.number(of: id)
        if isNew {
          owner.append((repository, position, tokens, cost, at))
          return
        }
        let current = owner[slot]
        guard EventCopy.isBetter(tokens, cost: cost, at: at, than: current.tokens, current.cost, at: current.at) else {
          flags[position] = false
          passedOver[repository] = true
          return
        }
        // This copy is better: the one counted so far is passed over.
        if current.repository == repository {
          flags[current.position] = false
        } else {
          counted[current.repository][current.position] = false
        }
        passedOver[current.repository] = true
        owner[slot] = (repository, position, tokens, cost, at)
      }
      counted[repository] = flags
    }
    var result: [Int64: [Bool]] = [:]
    for (repository, entry) in held.enumerated() where passedOver[repository] {
      result[entry.id] = counted[repository]
    }
    return result
  }
}

/// Local day numbers (days since 1970-01-01 in a time zone) of instants, from the UTC offsets in force
/// over a span: exact across daylight-saving changes, without a calendar per event.
struct LocalDays: Sendable {
  let starts: [Int64]
  let offsets: [Int64]

  init(timeZone: TimeZone, span: (Int64, Int64)) {
    let list = CalendarMath(timeZone: timeZone).offsets(
      from: Date(timeIntervalSince1970: Double(span.0) / 1000 - 86_400),
      to: Date(timeIntervalSince1970: Double(span.1) / 1000 + 86_400))
    starts = list.map(\.startMs)
    offsets = list.map(\.offsetMs)
  }

  func number(_ milliseconds: Int64) -> Int {
    // The last offset that started at or before this instant (the first one also covers anything earlier).
    var low = 0
    var high = starts.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if starts[middle] <= milliseconds { low = middle } else { high = middle - 1 }
    }
    let local = milliseconds + offsets[low]
    return Int(local >= 0 ? local / 86_400_000 : (local - 86_399_999) / 86_400_000)
  }
}

/// A group of a rollup: the index of each dimension's value, and the local day.
struct GroupKey: Hashable {
  var values: (Int32, Int32, Int32, Int32, Int32, Int32, Int32) = (0, 0, 0, 0, 0, 0, 0)
  var day: Int32 = 0

  mutating func set(_ position: Int, _ value: Int32) {
    switch position {
    case 0: values.0 = value
    case 1: values.1 = value
    case 2: values.2 = value
    case 3: values.3 = value
    case 4: values.4 = value
    case 5: values.5 = value
    default: values.6 = value
    }
  }

  func get(_ position: Int) -> Int32 {
    switch position {
    case 0: values.0
    case 1: values.1
    case 2: values.2
    case 3: values.3
    case 4: values.4
    case 5: values.5
    default: values.6
    }
  }

  static func == (lhs: GroupKey, rhs: GroupKey) -> Bool {
    lhs.day == rhs.day && lhs.values.0 == rhs.values.0 && lhs.values.1 == rhs.values.1 && lhs.values.2 == rhs.values.2
      && lhs.values.3 == rhs.values.3 && lhs.values.4 == rhs.values.4 && lhs.values.5 == rhs.values.5
      && lhs.values.6 == rhs.values.6
  }

  func hash(into hasher: inout Hasher) {
    hasher.combine(day)
    hasher.combine(values.0)
    hasher.combine(values.1)
    hasher.combine(values.2)
    hasher.combine(values.3)
    hasher.combine(values.4)
    hasher.combine(values.5)
    hasher.combine(values.6)
  }
}

/// The values of each dimension, numbered as they are met (models normalised once each); a shared-table
/// number is looked up once per dimension.
struct KeyNames {
  private var indexes: [RollupDimension: [String: Int32]] = [:]
  private var names: [RollupDimension: [String]] = [:]
  private var byNumber: [RollupDimension: [Int32]] = [:]

  mutating func index(_ name: String, for dimension: RollupDimension) -> Int32 {
    if let known = indexes[dimension]?[name] { return known }
    names[dimension, default: []].append(name)
    let index = Int32(names[dimension]!.count - 1)
    indexes[dimension, default: [:]][name] = index
    return index
  }

  /// The key of a shared-table string (`nil`: none, shown as `missing`) for `dimension`.
  mutating func index(
    number optionalNumber: Int32?, in strings: RollupEvents.Strings, for dimension: RollupDimension, missing: String
  ) -> Int32 {
    let number = optionalNumber ?? -1
    let slot = Int(number) + 1
    // The shared table grows as archives are walked: so does this one.
    if byNumber[dimension, default: []].count <= slot {
      byNumber[dimension, default: []].append(
        contentsOf: repeatElement(
          -1, count: max(strings.strings.count + 1, slot + 1) - byNumber[dimension, default: []].count))
    }
    if let known = byNumber[dimension]?[slot], known >= 0 { return known }
    var name = strings.string(number) ?? missing
    if dimension == .model { name = ModelName.normalise(name) }
    let key = index(name, for: dimension)
    byNumber[dimension]![slot] = key
    return key
  }

  func name(_ index: Int32, for dimension: RollupDimension) -> String { names[dimension]?[Int(index)] ?? "" }
}
