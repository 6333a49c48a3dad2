/*
 * The pod sandbox ("pause") process of the local node's runtime, built here because no
 * registry is reachable: it holds the pod's namespaces open, reaps every child re-parented
 * to it (it is PID 1 when the pod shares its PID namespace), and exits 0 on SIGTERM or
 * SIGINT, like Kubernetes' own pause.
 *
 *   gcc -static -O2 -Wall -Wextra -Werror -o pause pause.c     (e2e/hack/images.sh does this)
 *   pause -v    prints its name and exits
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

/* Only there so that SIGCHLD interrupts sigsuspend; the main loop does the reaping. */
static void on_child(int sig) { (void)sig; }

static void reap(void) {
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

static int handle(int sig, void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = handler;
  sa.sa_flags = sig == SIGCHLD ? SA_NOCLDSTOP : 0;
  return sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "-v") == 0) {
    puts("packetparamedic-pause 1");
    return 0;
  }
  if (getpid() != 1) {
    fprintf(stderr, "pause: warning: not PID 1\n");
  }
  /* Blocked outside sigsuspend, so no signal slips in between the check and the wait. */
  sigset_t block, waitmask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &block, &waitmask) != 0) {
    perror("pause: sigprocmask");
    return 1;
  }
  sigdelset(&waitmask, SIGTERM);
  sigdelset(&waitmask, SIGINT);
  sigdelset(&waitmask, SIGCHLD);
  if (handle(SIGTERM, on_stop) != 0 || handle(SIGINT, on_stop) != 0 || handle(SIGCHLD, on_child) != 0) {
    perror("pause: sigaction");
    return 1;
  }
  reap();
  while (!stop_signal) {
    sigsuspend(&waitmask); /* returns -1 (EINTR) after a handler ran */
    reap();
  }
  reap();
  return 0;
}
