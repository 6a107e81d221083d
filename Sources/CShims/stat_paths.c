/*
 * lstat() (or stat(), following symlinks) of many paths on several threads. A checkpoint compares every
 * tracked file's stat data with what its private index recorded; on a large work tree that is tens of
 * thousands of system calls, whose cost is the kernel's path walk, so they are spread over threads as
 * git's preload-index does, and each path is looked up from the root opened once rather than walked again
 * from "/". Swift's concurrency checking has no way to hand raw C strings to threads, hence C.
 *
 * fstatat(AT_SYMLINK_NOFOLLOW) leaves only the last component unfollowed: "d/file" where d became a
 * symlink to a folder elsewhere would describe that folder's file. octo_lstat_paths_beneath also checks
 * that every leading component is a real folder (git's lstat-cache, "has_symlink_leading_path"). Each
 * thread opens the folder of the path it looks at with openat2(RESOLVE_NO_SYMLINKS), which refuses a
 * symlink in any component, and keeps it open for the next paths of that folder: on sorted paths that is
 * one system call per folder, and each file's fstatat walks one component, not all of them again (on
 * bench-checkpoints' 20,000 and 100,000 files, 4 components deep, 8% and 14% less time than fstatat from
 * the root and one lstat per folder). Where openat2 is refused (kernels before 5.6, seccomp filters), each thread
 * remembers the last folder prefix it verified with lstat (and the last one it refused) instead.
 */
#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(SYS_openat2) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define OCTO_HAS_OPENAT2 1
#endif

/* Whether the folders are opened with openat2 (tests turn it off to try the lstat walk). */
static _Atomic int octo_openat2_allowed = 1;

void octo_stat_paths_allow_openat2(int allowed) { octo_openat2_allowed = allowed; }

struct octo_stat_job {
  const char *root;
  size_t root_length;
  const char *const *paths;
  octo_path_stat *results;
  size_t count;
  /* The next path no thread has taken yet, and how many consecutive paths a thread takes at a time. */
  _Atomic size_t *next;
  size_t share;
  /* Whether this is the calling thread's job (the one thread sure to run). */
  int caller;
  int follow;
  /* The root opened once (O_PATH): each path is looked up from it, not walked again from "/". -1: not. */
  int root_descriptor;
  /* Whether every leading component must be a real folder (see octo_lstat_paths_beneath). */
  int beneath;
  /* Where the folders opened are described (see octo_lstat_paths_and_folders_beneath); NULL: nowhere. */
  octo_folder_stamp *folders;
  size_t folder_capacity;
  _Atomic size_t *folder_count;
};

/* What one thread knows of the folders above the paths it looked at: `good` (good_length bytes, no
 * trailing slash; 0 is the root) is a prefix whose every component is a real folder; `bad` (bad_length
 * bytes, 0: none) a prefix whose last component is not one, with the errno to report below it. */
struct octo_prefix_memo {
  char *good;
  size_t good_length;
  char *bad;
  size_t bad_length;
  int bad_error;
  size_t capacity;
  /* The folder `good` names opened (O_PATH) beneath the root, -1: none open; folder_failed: openat2 was
   * refused, the lstat walk serves instead. */
  int folder;
  int folder_failed;
};

/* lstat() of `path` relative to the root. */
static int octo_lstat_relative(
    const struct octo_stat_job *job, char *buffer, size_t capacity, const char *path, struct stat *status) {
  if (job->root_descriptor >= 0) return fstatat(job->root_descriptor, path, status, AT_SYMLINK_NOFOLLOW);
  size_t length = strlen(path);
  if (job->root_length + 1 + length + 1 > capacity) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buffer + job->root_length + 1, path, length + 1);
  return lstat(buffer, status);
}

/* 0 when every leading component of `path` is a real folder (not a symlink, not a file), else the errno
 * to report for the path: ENOTDIR, or what lstat said of the first component that failed (ENOENT...). */
static int octo_check_prefix(
    const struct octo_stat_job *job, struct octo_prefix_memo *memo, char *buffer, size_t capacity, const char *path) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL) return 0;
  size_t length = (size_t)(slash - path);
  if (length + 1 > memo->capacity) return ENAMETOOLONG;
  if (length == memo->good_length && memcmp(path, memo->good, length) == 0) return 0;
  if (memo->bad_length > 0 && length >= memo->bad_length && memcmp(path, memo->bad, memo->bad_length) == 0 &&
      (length == memo->bad_length || path[memo->bad_length] == '/')) {
    return memo->bad_error;
  }
  /* The leading components shared with the verified prefix need no new look. */
  size_t limit = length < memo->good_length ? length : memo->good_length;
  size_t shared = 0;
  while (shared < limit && path[shared] == memo->good[shared]) shared++;
  if (!((shared == memo->good_length || memo->good[shared] == '/') && (shared == length || path[shared] == '/'))) {
    size_t back = shared;
    while (back > 0 && path[back - 1] != '/') back--;
    shared = back > 0 ? back - 1 : 0;
  }
  if (shared == length) {
    /* A folder above the one verified last: verified with it. */
    memo->good_length = length;
    return 0;
  }
  memcpy(memo->good, path, length);
  memo->good[length] = '\0';
  size_t verified = shared;
  size_t position = shared == 0 ? 0 : shared + 1;
  for (;;) {
    while (position < length && memo->good[position] != '/') position++;
    memo->good[position] = '\0';
    struct stat status;
    int error = 0;
    if (octo_lstat_relative(job, buffer, capacity, memo->good, &status) != 0) {
      error = errno != 0 ? errno : ENOENT;
    } else if (!S_ISDIR(status.st_mode)) {
      error = ENOTDIR;
    }
    if (error != 0) {
      memcpy(memo->bad, memo->good, position + 1);
      memo->bad_length = position;
      memo->bad_error = error;
      memo->good_length = verified;
      return error;
    }
    verified = position;
    if (position == length) break;
    memo->good[position] = '/';
    position++;
  }
  memo->good_length = length;
  return 0;
}

/* Opens the folder above `path` (its first `length` bytes) beneath the root, refusing a symlink in any
 * component, into memo->folder; 0, or the errno to report for the path; -1 when openat2 is refused here
 * (memo->folder_failed is then set). ELOOP (a symlink) and EXDEV (a ".." out of the root) report as
 * ENOTDIR: the path is not beneath real folders. */
static int octo_open_folder(
    const struct octo_stat_job *job, struct octo_prefix_memo *memo, const char *path, size_t length) {
#ifdef OCTO_HAS_OPENAT2
  if (length == memo->good_length && memo->folder >= 0 && memcmp(path, memo->good, length) == 0) return 0;
  if (memo->bad_length > 0 && length == memo->bad_length && memcmp(path, memo->bad, length) == 0) {
    return memo->bad_error;
  }
  if (memo->folder >= 0) close(memo->folder);
  memo->folder = -1;
  memo->good_length = 0;
  memcpy(memo->good, path, length);
  memo->good[length] = '\0';
  struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH};
  long opened = syscall(SYS_openat2, job->root_descriptor, memo->good, &how, sizeof how);
  if (opened >= 0) {
    memo->folder = (int)opened;
    memo->good_length = length;
    return 0;
  }
  int error = errno;
  /* Refused here (an old kernel, a seccomp filter), or short of descriptors or memory: the lstat walk,
   * which needs neither, serves the thread's other paths. */
  if (error == ENOSYS || error == EPERM || error == E2BIG || error == EINVAL || error == EMFILE || error == ENFILE ||
      error == ENOMEM || error == EAGAIN || error == EINTR) {
    memo->folder_failed = 1;
    return -1;
  }
  if (error == ELOOP || error == EXDEV) error = ENOTDIR;
  memcpy(memo->bad, path, length);
  memo->bad[length] = '\0';
  memo->bad_length = length;
  memo->bad_error = error;
  return error;
#else
  (void)job;
  (void)path;
  (void)length;
  memo->folder_failed = 1;
  return -1;
#endif
}

/* Describes the folder of paths[position], just opened as `descriptor`, when asked: an fstat of the
 * descriptor, no lookup. */
static void octo_describe_folder(const struct octo_stat_job *job, size_t position, int descriptor) {
  struct stat status;
  if (job->folders == NULL || fstatat(descriptor, "", &status, AT_EMPTY_PATH) != 0) return;
  size_t slot = atomic_fetch_add(job->folder_count, 1);
  if (slot >= job->folder_capacity) return;
  job->folders[slot] = (octo_folder_stamp){
      .position = position, .mtime_seconds = status.st_mtim.tv_sec, .mtime_nanoseconds = status.st_mtim.tv_nsec,
      .inode = (uint64_t)status.st_ino};
}

/* lstat() of a path whose folder octo_open_folder opened: 0, or the errno to report. A folder newly opened
 * is described (octo_describe_folder). */
static int octo_lstat_in_folder(
    const struct octo_stat_job *job, struct octo_prefix_memo *memo, const char *path, size_t position,
    struct stat *status) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL) {
    /* An empty path is the root itself. */
    int flags = AT_SYMLINK_NOFOLLOW | (path[0] == '\0' ? AT_EMPTY_PATH : 0);
    return fstatat(job->root_descriptor, path, status, flags) == 0 ? 0 : errno;
  }
  size_t length = (size_t)(slash - path);
  if (length + 1 > memo->capacity) return ENAMETOOLONG;
  int reused = length == memo->good_length && memo->folder >= 0 && memcmp(path, memo->good, length) == 0;
  int refused = octo_open_folder(job, memo, path, length);
  if (refused != 0) return refused;
  if (!reused) octo_describe_folder(job, position, memo->folder);
  return fstatat(memo->folder, slash + 1, status, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

static void octo_copy_stat(octo_path_stat *result, const struct stat *status) {
  result->mode = status->st_mode;
  result->size = (uint64_t)status->st_size;
  result->inode = (uint64_t)status->st_ino;
  result->device = (uint64_t)status->st_dev;
  result->uid = status->st_uid;
  result->gid = status->st_gid;
  result->mtime_seconds = status->st_mtim.tv_sec;
  result->mtime_nanoseconds = status->st_mtim.tv_nsec;
  result->ctime_seconds = status->st_ctim.tv_sec;
  result->ctime_nanoseconds = status->st_ctim.tv_nsec;
}

static void octo_stat_one(
    const struct octo_stat_job *job, struct octo_prefix_memo *memo, char *buffer, size_t capacity, size_t position) {
  octo_path_stat *result = &job->results[position];
  memset(result, 0, sizeof *result);
  const char *path = job->paths[position];
  struct stat status;
  int failed;
  if (job->beneath && job->root_descriptor >= 0 && !memo->folder_failed) {
    int error = octo_lstat_in_folder(job, memo, path, position, &status);
    if (error < 0) {
      /* openat2 refused: this path, and the thread's next ones, by the lstat walk below. */
      memo->good_length = 0;
      memo->bad_length = 0;
    } else if (error != 0) {
      result->error = error;
      return;
    } else {
      octo_copy_stat(result, &status);
      return;
    }
  }
  if (job->beneath) {
    int refused = octo_check_prefix(job, memo, buffer, capacity, path);
    if (refused != 0) {
      result->error = refused;
      return;
    }
  }
  if (job->root_descriptor >= 0) {
    /* An empty path is the root itself. */
    int flags = (job->follow ? 0 : AT_SYMLINK_NOFOLLOW) | (path[0] == '\0' ? AT_EMPTY_PATH : 0);
    failed = fstatat(job->root_descriptor, path, &status, flags);
  } else {
    size_t length = strlen(path);
    if (job->root_length + 1 + length + 1 > capacity) {
      result->error = ENAMETOOLONG;
      return;
    }
    memcpy(buffer + job->root_length + 1, path, length + 1);
    failed = job->follow ? stat(buffer, &status) : lstat(buffer, &status);
  }
  if (failed != 0) {
    result->error = errno;
    return;
  }
  octo_copy_stat(result, &status);
}

/* The most consecutive paths a thread takes at a time. Halves fixed in advance finished up to 4 ms apart on
 * 100,000 files (one half's folders cost more to look in); shares this small leave a thread idle for a
 * fraction of a millisecond at most, and each costs one more folder opened. Fewer paths are shared in
 * smaller parts (an eighth of a thread's part, 64 at least), so that every thread started has work. */
#define OCTO_STAT_SHARE 1024

static void *octo_stat_range(void *argument) {
  const struct octo_stat_job *job = argument;
  size_t capacity = job->root_length + 4096 + 2;
  char *buffer = malloc(capacity);
  struct octo_prefix_memo memo = {.capacity = 4096 + 1, .folder = -1, .folder_failed = !octo_openat2_allowed};
  if (job->beneath) {
    memo.good = malloc(memo.capacity);
    memo.bad = malloc(memo.capacity);
  }
  int short_of_memory = buffer == NULL || (job->beneath && (memo.good == NULL || memo.bad == NULL));
  /* A worker short of memory leaves its shares to the others; the calling thread, sure to run, says ENOMEM
   * of what it takes. */
  if (short_of_memory && !job->caller) {
    free(buffer);
    free(memo.good);
    free(memo.bad);
    return NULL;
  }
  if (!short_of_memory) {
    memcpy(buffer, job->root, job->root_length);
    buffer[job->root_length] = '/';
  }
  for (;;) {
    size_t begin = atomic_fetch_add(job->next, job->share);
    if (begin >= job->count) break;
    size_t end = job->count - begin < job->share ? job->count : begin + job->share;
    for (size_t position = begin; position < end; position++) {
      if (short_of_memory) {
        memset(&job->results[position], 0, sizeof job->results[position]);
        job->results[position].error = ENOMEM;
      } else {
        octo_stat_one(job, &memo, buffer, capacity, position);
      }
    }
  }
  if (memo.folder >= 0) close(memo.folder);
  free(buffer);
  free(memo.good);
  free(memo.bad);
  return NULL;
}

static void octo_stat_paths_with(
    const char *root, const char *const *paths, size_t count, octo_path_stat *results, int threads, int follow,
    int beneath, octo_folder_stamp *folders, size_t folder_capacity, size_t *folder_count) {
  if (threads < 1) threads = 1;
  if (threads > 16) threads = 16;
  if ((size_t)threads > count / 256 + 1) threads = (int)(count / 256 + 1);
  _Atomic size_t folders_found = 0;
  _Atomic size_t next = 0;
  size_t share = count / ((size_t)threads * 8);
  if (share < 64) share = 64;
  if (share > OCTO_STAT_SHARE) share = OCTO_STAT_SHARE;
  struct octo_stat_job jobs[16];
  pthread_t workers[16];
  int started[16] = {0};
  size_t root_length = strlen(root);
  int root_descriptor = root_length > 0 ? open(root, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  for (int worker = 0; worker < threads; worker++) {
    jobs[worker] = (struct octo_stat_job){
      .root = root, .root_length = root_length, .paths = paths, .results = results, .count = count, .next = &next,
      .share = share, .caller = worker == 0,
      .follow = follow, .root_descriptor = root_descriptor, .beneath = beneath, .folders = folders,
      .folder_capacity = folder_capacity, .folder_count = &folders_found};
  }
  /* The calling thread takes shares too; the shares of a worker that cannot be started go to the others. */
  for (int worker = 1; worker < threads; worker++) {
    started[worker] = pthread_create(&workers[worker], NULL, octo_stat_range, &jobs[worker]) == 0;
  }
  octo_stat_range(&jobs[0]);
  for (int worker = 1; worker < threads; worker++) {
    if (started[worker]) pthread_join(workers[worker], NULL);
  }
  if (root_descriptor >= 0) close(root_descriptor);
  if (folder_count != NULL) *folder_count = folders_found < folder_capacity ? folders_found : folder_capacity;
}

void octo_stat_paths(
    const char *root, const char *const *paths, size_t count, octo_path_stat *results, int threads, int follow) {
  octo_stat_paths_with(root, paths, count, results, threads, follow, 0, NULL, 0, NULL);
}

void octo_lstat_paths_beneath(
    const char *root, const char *const *paths, size_t count, octo_path_stat *results, int threads) {
  octo_stat_paths_with(root, paths, count, results, threads, 0, 1, NULL, 0, NULL);
}

void octo_lstat_paths_and_folders_beneath(
    const char *root, const char *const *paths, size_t count, octo_path_stat *results, int threads,
    octo_folder_stamp *folders, size_t capacity, size_t *found) {
  octo_stat_paths_with(root, paths, count, results, threads, 0, 1, folders, capacity, found);
}
