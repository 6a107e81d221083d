/* What the machine and libgit2 allow at best, printed beside the benchmarks' goals (make bench):
 *
 *   floor read OBJECTS_DIR THREADS < ids     reads each object (40 hexadecimal digits a line) with libgit2,
 *                                            the list cut into THREADS runs, one odb per thread
 *   floor lstat THREADS < paths              lstat of each path (NUL-separated), shared out the same way
 *
 * Prints the best of five rounds in milliseconds, list reading left out. Only what octo-git also pays is
 * timed: no parsing, no writing. */
#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_ITEMS 2000000
#define MAX_THREADS 8

static char **items;
static size_t count;
static int threads;
static const char *objects_dir;
static int reading;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *run(void *argument) {
  size_t part = (size_t)argument;
  size_t low = count * part / threads, high = count * (part + 1) / threads;
  if (reading) {
    git_odb *odb;
    if (git_odb_open(&odb, objects_dir) != 0) return (void *)1;
    for (size_t i = low; i < high; i++) {
      git_oid id;
      git_odb_object *object;
      if (git_oid_fromstrn(&id, items[i], 40) != 0 || git_odb_read(&object, odb, &id) != 0) {
        git_odb_free(odb);
        return (void *)1;
      }
      git_odb_object_free(object);
    }
    git_odb_free(odb);
  } else {
    struct stat status;
    for (size_t i = low; i < high; i++) lstat(items[i], &status);
  }
  return NULL;
}

static int read_list(char separator) {
  items = calloc(MAX_ITEMS, sizeof *items);
  char *line = NULL;
  size_t capacity = 0;
  ssize_t length;
  while (count < MAX_ITEMS && (length = getdelim(&line, &capacity, separator, stdin)) > 0) {
    if (line[length - 1] == separator) line[--length] = 0;
    if (length == 0 || (reading && length != 40)) continue;
    items[count++] = strdup(line);
  }
  free(line);
  return count > 0;
}

int main(int argc, char **argv) {
  reading = argc == 4 && strcmp(argv[1], "read") == 0;
  if (!reading && !(argc == 3 && strcmp(argv[1], "lstat") == 0)) {
    fprintf(stderr, "usage: floor read OBJECTS_DIR THREADS < ids | floor lstat THREADS < paths\n");
    return 2;
  }
  objects_dir = reading ? argv[2] : NULL;
  threads = atoi(argv[argc - 1]);
  if (threads < 1 || threads > MAX_THREADS || !read_list(reading ? '\n' : '\0')) return 2;
  git_libgit2_init();
  /* As octo-git reads notes in bulk: no re-hashing, no object cache. */
  git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
  double best = 0;
  for (int round = 0; round < 5; round++) {
    pthread_t workers[MAX_THREADS];
    double start = now_ms();
    for (long part = 0; part < threads; part++) pthread_create(&workers[part], NULL, run, (void *)part);
    int failed = 0;
    for (int part = 0; part < threads; part++) {
      void *result;
      pthread_join(workers[part], &result);
      failed |= result != NULL;
    }
    if (failed) {
      fprintf(stderr, "floor: an object could not be read\n");
      return 1;
    }
    double elapsed = now_ms() - start;
    if (round == 0 || elapsed < best) best = elapsed;
  }
  printf("%.1f\n", best);
  return 0;
}
