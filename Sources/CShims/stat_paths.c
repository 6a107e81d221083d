/*
 * lstat() (or stat(), following symlinks) of many paths on several threads. A checkpoint compares every
 * tracked file's stat data with what its private index recorded; on a large work tree that is tens of
 * thousands of system calls, whose cost is the kernel's path walk, so they are spread over threads as
 * git's preload-index does, and each path is looked up from the root opened once rather than walked again
 * from "/". Swift's concurrency checking has no way to hand raw C strings to threads, hence C.
 */
#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct octo_stat_job {
  const char *root;
  size_t root_length;
  const char *const *paths;
  octo_path_stat *results;
  size_t begin, end;
  int follow;
  /* The root opened once (O_PATH): each path is looked up from it, not walked again from "/". -1: not. */
  int root_descriptor;
};

static void octo_stat_one(const struct octo_stat_job *job, char *buffer, size_t capacity, size_t position) {
  octo_path_stat *result = &job->results[position];
  memset(result, 0, sizeof *result);
  const char *path = job->paths[position];
  struct stat status;
  int failed;
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
  result->mode = status.st_mode;
  result->size = (uint64_t)status.st_size;
  result->inode = (uint64_t)status.st_ino;
  result->device = (uint64_t)status.st_dev;
  result->uid = status.st_uid;
  result->gid = status.st_gid;
  result->mtime_seconds = status.st_mtim.tv_sec;
  result->mtime_nanoseconds = status.st_mtim.tv_nsec;
  result->ctime_seconds = status.st_ctim.tv_sec;
  result->ctime_nanoseconds = status.st_ctim.tv_nsec;
}

static void *octo_stat_range(void *argument) {
  const struct octo_stat_job *job = argument;
  size_t capacity = job->root_length + 4096 + 2;
  char *buffer = malloc(capacity);
  if (buffer == NULL) {
    for (size_t position = job->begin; position < job->end; position++) {
      memset(&job->results[position], 0, sizeof job->results[position]);
      job->results[position].error = ENOMEM;
    }
    return NULL;
  }
  memcpy(buffer, job->root, job->root_length);
  buffer[job->root_length] = '/';
  for (size_t position = job->begin; position < job->end; position++) octo_stat_one(job, buffer, capacity, position);
  free(buffer);
  return NULL;
}

void octo_stat_paths(
    const char *root, const char *const *paths, size_t count, octo_path_stat *results, int threads, int follow) {
  if (threads < 1) threads = 1;
  if (threads > 16) threads = 16;
  if ((size_t)threads > count / 256 + 1) threads = (int)(count / 256 + 1);
  struct octo_stat_job jobs[16];
  pthread_t workers[16];
  int started[16] = {0};
  size_t root_length = strlen(root);
  int root_descriptor = root_length > 0 ? open(root, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  for (int worker = 0; worker < threads; worker++) {
    jobs[worker] = (struct octo_stat_job){
      .root = root, .root_length = root_length, .paths = paths, .results = results,
      .begin = count * (size_t)worker / (size_t)threads, .end = count * (size_t)(worker + 1) / (size_t)threads,
      .follow = follow, .root_descriptor = root_descriptor};
  }
  /* The calling thread takes the first share; a worker that cannot be started has its share done here. */
  for (int worker = 1; worker < threads; worker++) {
    started[worker] = pthread_create(&workers[worker], NULL, octo_stat_range, &jobs[worker]) == 0;
  }
  octo_stat_range(&jobs[0]);
  for (int worker = 1; worker < threads; worker++) {
    if (started[worker]) {
      pthread_join(workers[worker], NULL);
    } else {
      octo_stat_range(&jobs[worker]);
    }
  }
  if (root_descriptor >= 0) close(root_descriptor);
}
