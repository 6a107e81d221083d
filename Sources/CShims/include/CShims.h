#ifndef OCTO_CSHIMS_H
#define OCTO_CSHIMS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Small C helpers for what Swift cannot do or reach directly. See each .c file for why.
 */

/// Whether libgit2's certificate loading is skipped in this process (always 1: see libgit2_startup.c).
int octo_git_certificates_skipped(void);

/// Stops SQLite from checkpointing the write-ahead log when `connection` (a `sqlite3 *`) closes;
/// returns SQLite's result code. See sqlite_options.c.
int octo_sqlite_skip_checkpoint_on_close(void *connection);

/// What lstat() said of one path: `error` is its errno (0 when it succeeded).
typedef struct {
  int32_t error;
  uint32_t mode;
  uint32_t uid;
  uint32_t gid;
  uint64_t size;
  uint64_t inode;
  uint64_t device;
  int64_t mtime_seconds;
  int64_t mtime_nanoseconds;
  int64_t ctime_seconds;
  int64_t ctime_nanoseconds;
} octo_path_stat;

/// lstat() (stat() with `follow`) of `count` paths relative to `root`, on up to `threads` threads (the
/// caller's included); `results[i]` describes `paths[i]`. See stat_paths.c.
void octo_stat_paths(
    const char *root, const char *const *paths, size_t count, octo_path_stat *results, int threads, int follow);

/// Where `needle` first occurs in `haystack`, or NULL (glibc's memmem). See memmem.c.
const void *octo_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

#endif
