/* What the machine and libgit2 allow at best, printed beside the benchmarks' goals (make bench):
 *
 *   floor read OBJECTS_DIR THREADS < ids     reads each object (40 hexadecimal digits a line) with libgit2,
 *                                            the list cut into THREADS runs, one odb per thread
 *   floor lstat THREADS < paths              lstat of each path (NUL-separated), shared out the same way
 *
 * Prints the best of five rounds in milliseconds, list reading left out. Only what octo-git also pays is
 * timed: no parsing, no writing. */
#define _POSIX_C_SOURCE 200809L
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

/* Reads the list; 0 with a message when it is empty, too long or memory runs out. */
static int read_list(char separator) {
  items = calloc(MAX_ITEMS, sizeof *items);
  if (items == NULL) return fprintf(stderr, "floor: out of memory\n"), 0;
  char *line = NULL;
  size_t capacity = 0;
  ssize_t length;
  while ((length = getdelim(&line, &capacity, separator, stdin)) > 0) {
    if (line[length - 1] == separator) line[--length] = 0;
    if (length == 0 || (reading && length != 40)) continue;
    if (count == MAX_ITEMS) return fprintf(stderr, "floor: more than %d items\n", MAX_ITEMS), 0;
    if ((items[count++] = strdup(line)) == NULL) return fprintf(stderr, "floor: out of memory\n"), 0;
  }
  free(line);
  if (count == 0) fprintf(stderr, "floor: nothing to read on standard input\n");
  return count > 0;
}

int main(int argc, char **argv) {
  reading = argc == 4 && strcmp(argv[1], "read") == 0;
  if (!reading && !(argc == 3 && strcmp(argv[1], "lstat") == 0)) {
    fprintf(stderr, "usage: floor read OBJECTS_DIR THREADS < ids | floor lstat THREADS < paths\n");
    return 2;
  }
  objects_dir = reading ? argv[2] : NULL;
  char *end;
  long wanted = strtol(argv[argc - 1], &end, 10);
  if (*end != 0 || wanted < 1 || wanted > MAX_THREADS) {
    fprintf(stderr, "floor: THREADS is 1 to %d\n", MAX_THREADS);
    return 2;
  }
  threads = (int)wanted;
  if (!read_list(reading ? '\n' : '\0')) return 2;
  git_libgit2_init();
  /* As octo-git reads notes in bulk: no re-hashing, no object cache. */
  git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
  double best = 0;
  for (int round = 0; round < 5; round++) {
    pthread_t workers[MAX_THREADS];
    double start = now_ms();
    int started = 0;
    while (started < threads && pthread_create(&workers[started], NULL, run, (void *)(long)started) == 0) started++;
    int failed = started < threads;
    for (int part = 0; part < started; part++) {
      void *result;
      pthread_join(workers[part], &result);
      failed |= result != NULL;
    }
    if (failed) {
      fprintf(stderr, "floor: a thread could not start, or an object could not be read\n");
      return 1;
    }
    double elapsed = now_ms() - start;
    if (round == 0 || elapsed < best) best = elapsed;
  }
  printf("%.1f\n", best);
  return 0;
}
