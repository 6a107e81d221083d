#ifndef OCTO_CSHIMS_H
#define OCTO_CSHIMS_H

/*
 * Small C helpers for what Swift cannot do or reach directly. See each .c file for why.
 */

/// Whether libgit2's certificate loading is skipped in this process (always 1: see libgit2_startup.c).
int octo_git_certificates_skipped(void);

/// Stops SQLite from checkpointing the write-ahead log when `connection` (a `sqlite3 *`) closes;
/// returns SQLite's result code. See sqlite_options.c.
int octo_sqlite_skip_checkpoint_on_close(void *connection);

#endif
