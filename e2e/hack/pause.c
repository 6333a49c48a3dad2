/*
 * The pod sandbox ("pause") process of the e2e node (e2e/hack/node.sh): holds the pod's
 * namespaces, reaps children (it is PID 1 of a pod with a shared PID namespace) and exits on
 * SIGTERM or SIGINT. Built statically so that its image is this one file.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) {
  (void)sig;
  _exit(0);
}

static void reap(int sig) {
  (void)sig;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

int main(void) {
  struct sigaction term = {0};
  term.sa_handler = stop;
  sigaction(SIGTERM, &term, NULL);
  sigaction(SIGINT, &term, NULL);
  struct sigaction chld = {0};
  chld.sa_handler = reap;
  chld.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  sigaction(SIGCHLD, &chld, NULL);
  for (;;) {
    pause();
  }
  return 0;
}
