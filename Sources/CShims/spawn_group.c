/*
 * Starting a program in a process group of its own, for ProcessRunner. posix_spawn's attributes and file
 * actions are partly macros and GNU extensions (posix_spawn_file_actions_addchdir_np and
 * addclosefrom_np need _GNU_SOURCE, which Swift's Glibc module is not built with), pipe2 and the
 * pidfd_open system call likewise; and a write to a pipe whose reader is gone must not kill octo-git
 * with SIGPIPE. So these few calls are made here.
 *
 * The child gets its own process group (so a time limit can kill git-remote-http or a test command's
 * background jobs along with the program), default handlers for the signals octo-git's threads may
 * ignore, an empty signal mask (a thread started by Dispatch may block SIGTERM), and no file descriptor
 * but 0, 1 and 2. Written for glibc (2.29 or later: posix_spawn_file_actions_addchdir_np; from 2.34 the
 * child's other descriptors are closed with addclosefrom_np, before that close-on-exec has to do).
 *
 * A group of its own is no longer the terminal's foreground group: Ctrl-C reaches octo-git but not the
 * program. So while a program runs, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to octo-git are passed on to
 * its group before octo-git ends as it would have without the handler (only where octo-git had the
 * default action for that signal: an ignored signal stays ignored, another handler is left alone).
 */
#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int octo_pipe(int descriptors[2], int nonblocking_end) {
  if (pipe2(descriptors, O_CLOEXEC) != 0) return errno;
  if (nonblocking_end == 0 || nonblocking_end == 1) {
    int descriptor = descriptors[nonblocking_end];
    int flags = fcntl(descriptor, F_GETFL);
    if (flags == -1 || fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == -1) {
      int error = errno;
      close(descriptors[0]);
      close(descriptors[1]);
      descriptors[0] = descriptors[1] = -1;
      return error;
    }
  }
  return 0;
}

int octo_open_null(int writing) {
  int descriptor;
  do {
    descriptor = open("/dev/null", (writing ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
  } while (descriptor < 0 && errno == EINTR);
  return descriptor;
}

int octo_spawn_group(
    const char *path, const char *const *arguments, const char *const *environment, const char *directory,
    int input, int output, int errors, int32_t *pid) {
  int sources[3] = {input, output, errors};
  /* A source that is itself 0, 1 or 2 but meant for another slot would be overwritten by an earlier dup2
   * in the child: such sources are first copied above 2 (close-on-exec; closed again below). */
  int copies[3] = {-1, -1, -1};
  int result = 0;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  for (int slot = 0; slot < 3; slot++) {
    if (sources[slot] >= 0 && sources[slot] <= 2 && sources[slot] != slot) {
      copies[slot] = fcntl(sources[slot], F_DUPFD_CLOEXEC, 3);
      if (copies[slot] < 0) {
        result = errno;
        goto close_copies;
      }
      sources[slot] = copies[slot];
    }
  }

  if ((result = posix_spawn_file_actions_init(&actions)) != 0) goto close_copies;
  if ((result = posix_spawnattr_init(&attributes)) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    goto close_copies;
  }

  for (int slot = 0; slot < 3 && result == 0; slot++) {
    /* The same descriptor in the same slot: inherited as it is. */
    if (sources[slot] >= 0 && sources[slot] != slot) {
      result = posix_spawn_file_actions_adddup2(&actions, sources[slot], slot);
    }
  }
  if (result == 0 && directory != NULL && directory[0] != '\0') {
    result = posix_spawn_file_actions_addchdir_np(&actions, directory);
  }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  if (result == 0) result = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif

  short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
  if (result == 0) result = posix_spawnattr_setflags(&attributes, flags);
  if (result == 0) result = posix_spawnattr_setpgroup(&attributes, 0);
  if (result == 0) {
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGQUIT);
    sigaddset(&defaults, SIGHUP);
    sigaddset(&defaults, SIGCHLD);
    result = posix_spawnattr_setsigdefault(&attributes, &defaults);
  }
  if (result == 0) {
    sigset_t empty;
    sigemptyset(&empty);
    result = posix_spawnattr_setsigmask(&attributes, &empty);
  }
  if (result == 0) {
    pid_t child = -1;
    result = posix_spawn(
        &child, path, &actions, &attributes, (char *const *)arguments, (char *const *)environment);
    if (result == 0) *pid = (int32_t)child;
  }
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);

close_copies:
  for (int slot = 0; slot < 3; slot++) {
    if (copies[slot] >= 0) close(copies[slot]);
  }
  return result;
}

long octo_write_nosigpipe(int descriptor, const void *bytes, size_t length) {
  sigset_t pipe_only, previous, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  sigemptyset(&pending);
  sigpending(&pending);
  int was_pending = sigismember(&pending, SIGPIPE) == 1;
  ssize_t written;
  do {
    written = write(descriptor, bytes, length);
  } while (written < 0 && errno == EINTR);
  int error = written < 0 ? errno : 0;
  if (error == EPIPE && !was_pending) {
    /* The SIGPIPE this write raised is pending on this thread: take it before unblocking. */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_only, NULL, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  return written < 0 ? -(long)error : (long)written;
}

int octo_child_exited(int32_t pid) {
  siginfo_t info;
  for (;;) {
    info.si_pid = 0;
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0) return info.si_pid == 0 ? 0 : 1;
    if (errno != EINTR) return -1;
  }
}

int octo_pidfd_open(int32_t pid) {
#if defined(SYS_pidfd_open)
  long descriptor = syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (descriptor < 0) return -1;
  int flags = fcntl((int)descriptor, F_GETFD);
  if (flags != -1) fcntl((int)descriptor, F_SETFD, flags | FD_CLOEXEC);
  return (int)descriptor;
#else
  (void)pid;
  return -1;
#endif
}

/* Process groups of running programs (0: free slot), read by the signal handler. */
#define OCTO_FORWARD_SLOTS 64
static _Atomic int32_t octo_forward_groups[OCTO_FORWARD_SLOTS];
static const int octo_forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static struct sigaction octo_default_action;
static pthread_once_t octo_forwarding_once = PTHREAD_ONCE_INIT;

static void octo_forward_signal(int signal_number) {
  int saved = errno;
  for (int slot = 0; slot < OCTO_FORWARD_SLOTS; slot++) {
    int32_t group = atomic_load(&octo_forward_groups[slot]);
    if (group > 0) kill(-group, signal_number);
  }
  /* End as the signal would have ended octo-git: it is blocked while this handler runs, so the raised one
   * is delivered, with the default action, as soon as the handler returns. */
  sigaction(signal_number, &octo_default_action, NULL);
  raise(signal_number);
  errno = saved;
}

static void octo_install_forwarding(void) {
  memset(&octo_default_action, 0, sizeof octo_default_action);
  octo_default_action.sa_handler = SIG_DFL;
  sigemptyset(&octo_default_action.sa_mask);
  struct sigaction forwarding;
  memset(&forwarding, 0, sizeof forwarding);
  forwarding.sa_handler = octo_forward_signal;
  sigemptyset(&forwarding.sa_mask);
  for (size_t index = 0; index < sizeof octo_forwarded_signals / sizeof octo_forwarded_signals[0]; index++) {
    sigaddset(&forwarding.sa_mask, octo_forwarded_signals[index]);
  }
  forwarding.sa_flags = SA_RESTART;
  for (size_t index = 0; index < sizeof octo_forwarded_signals / sizeof octo_forwarded_signals[0]; index++) {
    struct sigaction current;
    if (sigaction(octo_forwarded_signals[index], NULL, &current) != 0) continue;
    if ((current.sa_flags & SA_SIGINFO) != 0 || current.sa_handler != SIG_DFL) continue;
    sigaction(octo_forwarded_signals[index], &forwarding, NULL);
  }
}

int octo_forward_signals_to(int32_t group) {
  if (group <= 0) return -1;
  pthread_once(&octo_forwarding_once, octo_install_forwarding);
  for (int slot = 0; slot < OCTO_FORWARD_SLOTS; slot++) {
    int32_t expected = 0;
    if (atomic_compare_exchange_strong(&octo_forward_groups[slot], &expected, group)) return slot;
  }
  return -1;
}

void octo_forward_signals_stop(int slot) {
  if (slot >= 0 && slot < OCTO_FORWARD_SLOTS) atomic_store(&octo_forward_groups[slot], 0);
}
