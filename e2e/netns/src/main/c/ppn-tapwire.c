/*
 * ppn-tapwire: a point-to-point Ethernet link between two network namespaces, made of one TAP
 * device in each, with netem-like impairment applied in user space: a fixed delay, a uniform
 * jitter around it, and random loss, set separately for each direction.
 *
 * Why it exists: the e2e tests want `tc qdisc ... netem`, but some kernels (this project's CI
 * kernel among them) are built without sch_netem. The tests use netem when the kernel has it and
 * this wire otherwise; both give "delay D +- J, loss L %" on one direction of the appliance uplink.
 *
 * Semantics follow netem's: each frame gets its own send time now + D + U(-J, +J), frames leave
 * in send-time order (so jitter may reorder them, as netem's tfifo does), a lost frame is dropped
 * before queueing, and at most LIMIT frames wait per direction (further frames are dropped, like
 * netem's `limit`).
 *
 * Usage: ppn-tapwire NS_A IF_A NS_B IF_B A2B_DELAY_US A2B_JITTER_US A2B_LOSS_PPM
 *                                        B2A_DELAY_US B2A_JITTER_US B2A_LOSS_PPM
 * NS_* name entries of /run/netns. Prints "ready" once both devices exist (the caller then
 * configures them with `ip`), and exits when its standard input closes, which removes both
 * devices: a test that dies cannot leave a wire behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define LIMIT 8192
#define MAX_FRAME 65536

struct frame {
    uint64_t due_ns;
    uint64_t seq;
    uint32_t len;
    unsigned char *data;
};

struct direction {
    int in_fd, out_fd;
    uint64_t delay_ns, jitter_ns;
    uint32_t loss_ppm;
    struct frame heap[LIMIT];
    int size;
    uint64_t seq;
    uint64_t forwarded, lost, overflow;
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static uint64_t rng_state;

static uint64_t next_random(void) {
    /* xorshift64*: plenty for loss and jitter draws, seeded from the kernel. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static int earlier(const struct frame *a, const struct frame *b) {
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void heap_push(struct direction *d, struct frame f) {
    int i = d->size++;
    d->heap[i] = f;
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!earlier(&d->heap[i], &d->heap[parent])) break;
        struct frame t = d->heap[i];
        d->heap[i] = d->heap[parent];
        d->heap[parent] = t;
        i = parent;
    }
}

static struct frame heap_pop(struct direction *d) {
    struct frame top = d->heap[0];
    d->heap[0] = d->heap[--d->size];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < d->size && earlier(&d->heap[l], &d->heap[m])) m = l;
        if (r < d->size && earlier(&d->heap[r], &d->heap[m])) m = r;
        if (m == i) break;
        struct frame t = d->heap[i];
        d->heap[i] = d->heap[m];
        d->heap[m] = t;
        i = m;
    }
    return top;
}

static int open_tap(const char *ns, const char *ifname) {
    char path[512];
    snprintf(path, sizeof path, "/run/netns/%s", ns);
    int nsfd = open(path, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) {
        fprintf(stderr, "ppn-tapwire: cannot open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    if (setns(nsfd, CLONE_NEWNET) != 0) {
        fprintf(stderr, "ppn-tapwire: setns %s: %s\n", ns, strerror(errno));
        exit(1);
    }
    close(nsfd);
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "ppn-tapwire: cannot open /dev/net/tun: %s\n", strerror(errno));
        exit(1);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (strlen(ifname) >= IFNAMSIZ) {
        fprintf(stderr, "ppn-tapwire: interface name %s is too long\n", ifname);
        exit(1);
    }
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        fprintf(stderr, "ppn-tapwire: TUNSETIFF %s in %s: %s\n", ifname, ns, strerror(errno));
        exit(1);
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

static unsigned char buffer[MAX_FRAME];

/* Reads every frame waiting on d->in_fd and queues (or drops) it. */
static void take_in(struct direction *d) {
    for (;;) {
        ssize_t n = read(d->in_fd, buffer, sizeof buffer);
        if (n <= 0) return;
        if (d->loss_ppm > 0 && next_random() % 1000000u < d->loss_ppm) {
            d->lost++;
            continue;
        }
        if (d->size >= LIMIT) {
            d->overflow++;
            continue;
        }
        uint64_t due = now_ns() + d->delay_ns;
        if (d->jitter_ns > 0) {
            uint64_t span = 2 * d->jitter_ns + 1;
            due = due - d->jitter_ns + next_random() % span;
        }
        struct frame f = {due, d->seq++, (uint32_t) n, malloc((size_t) n)};
        if (f.data == NULL) {
            d->overflow++;
            continue;
        }
        memcpy(f.data, buffer, (size_t) n);
        heap_push(d, f);
    }
}

/* Sends every frame that is due; returns nanoseconds until the next one, or -1 when none wait. */
static int64_t send_due(struct direction *d, uint64_t now) {
    while (d->size > 0 && d->heap[0].due_ns <= now) {
        struct frame f = heap_pop(d);
        if (write(d->out_fd, f.data, f.len) == (ssize_t) f.len) d->forwarded++;
        free(f.data);
    }
    return d->size > 0 ? (int64_t) (d->heap[0].due_ns - now) : -1;
}

static struct direction a2b, b2a;

int main(int argc, char **argv) {
    if (argc != 11) {
        fprintf(stderr, "usage: %s NS_A IF_A NS_B IF_B A2B_DELAY_US A2B_JITTER_US A2B_LOSS_PPM "
                        "B2A_DELAY_US B2A_JITTER_US B2A_LOSS_PPM\n", argv[0]);
        return 2;
    }
    if (getrandom(&rng_state, sizeof rng_state, 0) != sizeof rng_state || rng_state == 0) rng_state = 88172645463325252ull;
    int fd_a = open_tap(argv[1], argv[2]);
    int fd_b = open_tap(argv[3], argv[4]);
    a2b.in_fd = fd_a;
    a2b.out_fd = fd_b;
    a2b.delay_ns = strtoull(argv[5], NULL, 10) * 1000ull;
    a2b.jitter_ns = strtoull(argv[6], NULL, 10) * 1000ull;
    a2b.loss_ppm = (uint32_t) strtoul(argv[7], NULL, 10);
    b2a.in_fd = fd_b;
    b2a.out_fd = fd_a;
    b2a.delay_ns = strtoull(argv[8], NULL, 10) * 1000ull;
    b2a.jitter_ns = strtoull(argv[9], NULL, 10) * 1000ull;
    b2a.loss_ppm = (uint32_t) strtoul(argv[10], NULL, 10);
    printf("ready\n");
    fflush(stdout);

    struct pollfd fds[3] = {{fd_a, POLLIN, 0}, {fd_b, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    for (;;) {
        uint64_t now = now_ns();
        int64_t wait_a = send_due(&a2b, now);
        int64_t wait_b = send_due(&b2a, now);
        int64_t wait = wait_a < 0 ? wait_b : (wait_b < 0 ? wait_a : (wait_a < wait_b ? wait_a : wait_b));
        struct timespec timeout, *tp = NULL;
        if (wait >= 0) {
            timeout.tv_sec = wait / 1000000000;
            timeout.tv_nsec = wait % 1000000000;
            tp = &timeout;
        }
        int ready = ppoll(fds, 3, tp, NULL);
        if (ready < 0) {
            if (errno == EINTR) continue;
            perror("ppn-tapwire: ppoll");
            return 1;
        }
        if (fds[2].revents) {
            ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
            if (n <= 0) break;
        }
        if (fds[0].revents & POLLIN) take_in(&a2b);
        if (fds[1].revents & POLLIN) take_in(&b2a);
    }
    fprintf(stderr, "ppn-tapwire: a2b forwarded=%llu lost=%llu overflow=%llu b2a forwarded=%llu lost=%llu overflow=%llu\n",
            (unsigned long long) a2b.forwarded, (unsigned long long) a2b.lost, (unsigned long long) a2b.overflow,
            (unsigned long long) b2a.forwarded, (unsigned long long) b2a.lost, (unsigned long long) b2a.overflow);
    return 0;
}
