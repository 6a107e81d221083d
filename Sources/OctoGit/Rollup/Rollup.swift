import Foundation

/// `octo-git rollup`: refresh the rollup database from the registered repositories, then sum and render.
///
/// The rendered result is saved with the state it was made from (every repository's notes tip and
/// status, the options, the format): when nothing moved, the next identical rollup costs one ref read
/// per repository and a lookup.
public enum Rollup {
  /// What a rollup produced.
  public struct Outcome {
    public var output: String
    public var refresh: RollupRefresh.Summary
    /// Whether the saved result could be reused.
    public var reused: Bool
  }

  /// The projects `names` mean: a project as listed, an origin URL in any spelling, or a repository's path
  /// (a relative one from `base`).
  public static func projects(named names: [String], in entries: [RollupStore.Entry], base: String? = nil) throws
    -> [String]
  {
    try names.map { name in
      let absolute = name.hasPrefix("/") || base == nil ? name : base! + "/" + name
      let folder = (absolute as NSString).standardizingPath
      if let entry = entries.first(where: { $0.project == name || $0.path == name || $0.path == folder }) {
        return entry.project
      }
      let normalised = ProjectIdentity.normalise(url: name)
      if let entry = entries.first(where: { $0.project == normalised }) { return entry.project }
      throw OctoError.badInput(
        "'\(name)' is not a registered repository", hint: "see octo-git repos list, or add it with octo-git repos add")
    }
  }

  public static func run(
    store: RollupStore, options: RollupOptions, format: RollupFormat, style: OutputStyle = OutputStyle(colour: false),
    fetch: Bool = false, progress: ((Int, Int) -> Void)? = nil
  ) throws -> Outcome {
    // Every repository is brought up to date, not only those asked for: an event another repository holds
    // a better copy of counts there, not here (one ref read for each whose notes did not move). Only those
    // asked for are fetched.
    let registered = try store.entries()
    let selected = registered.filter { options.projects.isEmpty || options.projects.contains($0.project) }
    let refresh = try RollupRefresh(store: store).run(selected, fetch: fetch, progress: progress)
    let others = registered.filter { !options.projects.isEmpty && !options.projects.contains($0.project) }
    if !others.isEmpty { _ = try RollupRefresh(store: store).run(others) }
    var refreshed = try store.entries()
    // A failed fetch leaves a repository's events as they were read locally: it is shown stale.
    let failures = Dictionary(
      refresh.fetchFailures.map { ($0.path, $0.reason) }, uniquingKeysWith: { first, _ in first })
    for index in refreshed.indices { refreshed[index].fetchProblem = failures[refreshed[index].path] }
    let generation = refreshed.map {
      "\($0.path)\t\($0.project)\t\($0.tip ?? "")\t\($0.problem ?? "")\t\($0.fetchProblem ?? "")"
    }.joined(separator: "\n")
    let request = [
      options.fingerprint, format.rawValue, style.colour ? "colour" : "plain",
      style.width.map { "\($0) columns" } ?? "",
      Version.octoGit, buildStamp,
    ]
    .joined(separator: "|")
    let digest = String(stableHash(generation), radix: 16)
    if let saved = try store.cachedResult(request: request, generation: digest) {
      return Outcome(output: String(decoding: saved, as: UTF8.self), refresh: refresh, reused: true)
    }
    let covered = refreshed.filter { options.projects.isEmpty || options.projects.contains($0.project) }
    let output = try RollupReport.render(
      store: store, entries: covered, attributing: refreshed, options: options, format: format, style: style)
    try store.saveResult(Data(output.utf8), request: request, generation: digest)
    return Outcome(output: output, refresh: refresh, reused: false)
  }

  /// Size and time of this executable: a rebuilt octo-git never reuses what an older build rendered.
  static var buildStamp: String {
    var status = stat()
    guard stat("/proc/self/exe", &status) == 0 else { return "" }
    return "\(status.st_size)-\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
  }

  /// FNV-1a, 64 bits: stable across processes (Swift's `Hasher` is seeded per process).
  static func stableHash(_ text: String) -> UInt64 { StableHash.of(text.utf8) }
}
