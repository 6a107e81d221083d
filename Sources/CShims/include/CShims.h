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

/// Makes a pipe whose two ends are close-on-exec; `nonblocking_end` (0 or 1; any other value: neither)
/// is made non-blocking. Returns 0, or an errno value. See spawn_group.c.
int octo_pipe(int descriptors[2], int nonblocking_end);

/// Opens /dev/null (close-on-exec) for reading or, with `writing`, for writing; -1 when it cannot.
int octo_open_null(int writing);

/// Starts `path` with `arguments` and `environment` (NULL-terminated) in `directory`, in a new process
/// group whose id is its pid, with `input`, `output` and `errors` as its descriptors 0, 1 and 2 (and no
/// other), default handlers for SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP and SIGCHLD and no blocked
/// signal. Returns 0 and sets `*pid`, or returns an errno value. See spawn_group.c.
int octo_spawn_group(
    const char *path, const char *const *arguments, const char *const *environment, const char *directory,
    int input, int output, int errors, int32_t *pid);

/// write() that never raises SIGPIPE: the number of bytes written, or minus the errno value.
long octo_write_nosigpipe(int descriptor, const void *bytes, size_t length);

/// Whether the child `pid` has ended (1), is running (0), or cannot be waited for (-1); never reaps it.
int octo_child_exited(int32_t pid);

/// A descriptor that polls readable once `pid` has ended (Linux pidfd), or -1 where there is none.
int octo_pidfd_open(int32_t pid);

/// Passes SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to this process on to the process group `group` (a
/// program started by octo_spawn_group, no longer in the terminal's foreground group) until
/// octo_forward_signals_stop is called with the slot returned (-1: none free). See spawn_group.c.
int octo_forward_signals_to(int32_t group);
void octo_forward_signals_stop(int slot);

/// lstat() of `count` paths relative to `root` as octo_stat_paths without `follow`, except that nothing is
/// followed in any component: a path whose leading components are not all real folders (a symlink, a
/// file) fails with ENOTDIR, or with what lstat said of the first leading component that failed (ENOENT).
/// See stat_paths.c.
void octo_lstat_paths_beneath(
    const char *root, const char *const *paths, size_t count, octo_path_stat *results, int threads);

/// A folder's modification time and inode, and the position of the path whose look-up opened it.
typedef struct {
  size_t position;
  int64_t mtime_seconds;
  int64_t mtime_nanoseconds;
  uint64_t inode;
} octo_folder_stamp;

/// octo_lstat_paths_beneath, also describing the folder each path is in (not the folders above it, nor the
/// root), at no lookup of its own (an fstat of the descriptor opened to look at the path): up to `capacity`
/// of them into `folders`, in no order, a folder possibly twice, `*found` of them. Folders are described
/// only where openat2 serves (see stat_paths.c): a caller looks at the others itself.
void octo_lstat_paths_and_folders_beneath(
    const char *root, const char *const *paths, size_t count, octo_path_stat *results, int threads,
    octo_folder_stamp *folders, size_t capacity, size_t *found);

/// Whether octo_lstat_paths_beneath opens each folder with openat2 (the default) or checks its components
/// with lstat, as it does where openat2 is refused; for tests of the second way.
void octo_stat_paths_allow_openat2(int allowed);

#endif
