import Foundation
import GRDB

/// octo-git's local database, `<git-common-dir>/octo/ledger.sqlite`, shared by every worktree of a
/// repository: usage waiting for a commit (pending), and a cache of the usage notes.
///
/// SQLite in WAL mode with a busy timeout, so hooks and commands in many worktrees can use it at once.
/// The pending events are the only data that lives here alone; everything else is rebuilt from the notes.
public final class LedgerStore: SQLiteStore {
  let database: DatabaseQueue
  /// The database file.
  public let path: String
  static let damagedHint = "move it aside and run octo-git cache rebuild (pending usage in it would be lost)"

  /// Opens (creating and migrating as needed) the store of the repository whose common directory is
  /// `commonDirectory`; `busySeconds`: how long to wait for another process's write.
  public static func open(commonDirectory: String, busySeconds: TimeInterval = 10) throws -> LedgerStore {
    try LedgerStore(path: commonDirectory + "/octo/ledger.sqlite", busySeconds: busySeconds)
  }

  init(path: String, busySeconds: TimeInterval = 10) throws {
    self.path = path
    // 16 KB pages for a ledger created now: a first read of 100,000 notes builds its indexes and writes its
    // log faster (950 ms instead of 1,027, medians of 8 alternating runs), and a post-commit hook with 40
    // pending events is no slower (16.5 ms against 17.9).
    database = try SQLiteSetup.open(
      path: path, label: "octo-git ledger", migrations: Self.migrations, damaged: Self.damagedHint,
      pageSize: 16384, busySeconds: busySeconds)
  }

  /// Schema changes, in order; `PRAGMA user_version` records how many are applied. Never edit a shipped
  /// one: append.
  static let migrations: [String] = [
    """
    CREATE TABLE pending_event (
      id TEXT PRIMARY KEY,
      worktree TEXT NOT NULL,
      line TEXT NOT NULL,
      recorded_at INTEGER NOT NULL,
      claim_commit TEXT
    );
    CREATE INDEX pending_event_worktree ON pending_event(worktree);
    CREATE TABLE note_line (
      commit_id TEXT NOT NULL,
      event_id TEXT NOT NULL,
      commit_time INTEGER NOT NULL,
      shadowed INTEGER NOT NULL DEFAULT 0,
      at_ms INTEGER NOT NULL,
      agent TEXT, session TEXT, model TEXT NOT NULL,
      tin INTEGER NOT NULL, tout INTEGER NOT NULL, cw5m INTEGER NOT NULL, cw1h INTEGER NOT NULL, cr INTEGER NOT NULL,
      cost TEXT, cost_pico INTEGER, prices TEXT,
      user TEXT, machine TEXT, branch TEXT, feature TEXT,
      PRIMARY KEY (commit_id, event_id)
    ) WITHOUT ROWID;
    CREATE INDEX note_line_event ON note_line(event_id);
    CREATE TABLE note_commit (
      commit_id TEXT PRIMARY KEY,
      commit_time INTEGER NOT NULL,
      summary TEXT NOT NULL,
      malformed INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE TABLE notes_tip (
      ref TEXT PRIMARY KEY,
      tip TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    """
    CREATE TABLE import_offset (
      path TEXT PRIMARY KEY,
      offset INTEGER NOT NULL,
      size INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
    // Unreadable lines are now counted per note and unknown fields are read: the cache is read again.
    """
    DELETE FROM notes_tip;
    """,
    // Which file each transcript offset belongs to (a replaced file is read again from the start).
    """
    ALTER TABLE import_offset ADD COLUMN device INTEGER;
    ALTER TABLE import_offset ADD COLUMN inode INTEGER;
    ALTER TABLE import_offset ADD COLUMN head_length INTEGER;
    ALTER TABLE import_offset ADD COLUMN head_hash INTEGER;
    """,
    // Lines of a later format version, counted apart from damaged ones.
    """
    ALTER TABLE note_commit ADD COLUMN newer INTEGER NOT NULL DEFAULT 0;
    DELETE FROM notes_tip;
    """,
    // Commits found reachable from the refs (usage --by commit), valid while the refs stay where they were.
    """
    CREATE TABLE reachable_commit (commit_id TEXT PRIMARY KEY) WITHOUT ROWID;
    """,
    // The notes cache as plain tables with unique indexes, so that a first read of a long history can write
    // its rows in the order it reads them and build the indexes once at the end; and whether a commit's
    // time and subject were read (that first read leaves them for the reports that need them).
    """
    DROP TABLE note_line;
    DROP TABLE note_commit;
    CREATE TABLE note_line (
      commit_id TEXT NOT NULL,
      event_id TEXT NOT NULL,
      commit_time INTEGER NOT NULL,
      shadowed INTEGER NOT NULL DEFAULT 0,
      at_ms INTEGER NOT NULL,
      agent TEXT, session TEXT, model TEXT NOT NULL,
      tin INTEGER NOT NULL, tout INTEGER NOT NULL, cw5m INTEGER NOT NULL, cw1h INTEGER NOT NULL, cr INTEGER NOT NULL,
      cost TEXT, cost_pico INTEGER, prices TEXT,
      user TEXT, machine TEXT, branch TEXT, feature TEXT
    );
    CREATE UNIQUE INDEX note_line_key ON note_line(commit_id, event_id);
    CREATE INDEX note_line_event ON note_line(event_id);
    CREATE TABLE note_commit (
      commit_id TEXT NOT NULL,
      commit_time INTEGER NOT NULL,
      summary TEXT NOT NULL,
      malformed INTEGER NOT NULL DEFAULT 0,
      newer INTEGER NOT NULL DEFAULT 0,
      described INTEGER NOT NULL DEFAULT 1
    );
    CREATE UNIQUE INDEX note_commit_key ON note_commit(commit_id);
    DELETE FROM notes_tip;
    """,
    // Copies of an event ranked by EventCopy (the best copy, not the newest commit's): every note read
    // again at the next report.
    "DELETE FROM notes_tip;",
    // EventCopy ranks the costlier copy first, and a note holding two lines of one id counts the better one.
    "DELETE FROM notes_tip;",
    // An id over 512 bytes makes its line unreadable: every note read again at the next report.
    "DELETE FROM notes_tip;",
  ]

}

@available(*, unavailable)
extension LedgerStore: Sendable {}
