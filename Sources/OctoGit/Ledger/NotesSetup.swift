/// The git configuration octo-git's notes rely on: `install` calls ``configure(_:)``.
public enum NotesSetup {
  /// Every notes ref octo-git writes.
  public static let refs = ["refs/notes/octo/usage", "refs/notes/octo/checkpoints", "refs/notes/octo/features"]
  /// The pattern given to `notes.rewriteRef`, so amend and rebase carry octo-git's notes.
  public static let rewritePattern = "refs/notes/octo/*"

  /// Adds `refs/notes/octo/*` to `notes.rewriteRef` (keeping the user's other values) and sets
  /// `cat_sort_uniq` as the merge strategy of each octo notes ref unless the user chose one. Returns
  /// a line per change made; running it again changes nothing.
  @discardableResult
  public static func configure(_ repository: Repository) throws -> [String] {
    var changes: [String] = []
    let merged = try repository.config()
    let local = try repository.config(at: .local)
    if try !merged.strings("notes.rewriteRef").contains(rewritePattern) {
      try local.add("notes.rewriteRef", value: rewritePattern)
      changes.append("notes.rewriteRef += \(rewritePattern)")
    }
    for ref in refs {
      let key = "notes.\(ref.dropFirst("refs/notes/".count)).mergeStrategy"
      if try merged.string(key) == nil {
        try local.set(key, to: "cat_sort_uniq")
        changes.append("\(key) = cat_sort_uniq")
      }
    }
    return changes
  }
}
