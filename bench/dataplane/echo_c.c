/* A minimal UDP echo loop: recvmmsg a batch, sendmmsg it back to each sender. The baseline the
 * reflector's UDP echo engine is compared against. Usage: echo_c PORT [residence|stamp]
 * With "residence" (off for the packet-rate baseline: it costs a timestamp per datagram) it keeps
 * the residence time of every answer as the reflector defines it for STAMP: the
 * clock read once per batch just before the sendmmsg, minus the kernel's receive timestamp
 * (SO_TIMESTAMPNS), in buckets with the bounds of the reflector's DurationHistogram; SIGUSR1
 * prints "residence P50 P99 COUNT" (bucket bounds in microseconds) of the answers since the last
 * one, so that the reflector's residence can be set beside the C loop's under the same load.
 * "stamp" asks the kernel, in addition, for the two other control messages a STAMP reflector
 * needs on every datagram (IP_RECVTTL for the Session-Sender TTL, IP_RECVTOS for Class of
 * Service) and reads them: the rate of a loop that does none of STAMP's work but gets its inputs,
 * i.e. what the kernel leaves for any STAMP reflector on this machine. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64
#define SIZE 2048

static const long long BOUNDS[] = {1000, 2000, 3000, 5000, 7500, 10000, 15000, 20000, 25000, 30000, 40000, 50000,
    60000, 75000, 100000, 150000, 200000, 300000, 500000, 750000, 1000000, 2000000, 5000000, 10000000,
    25000000, 50000000, 100000000, 250000000, 1000000000};
#define NB (int)(sizeof BOUNDS / sizeof BOUNDS[0])
static long long counts[NB + 1];
static volatile sig_atomic_t report;

static void on_usr1(int sig) { (void)sig; report = 1; }

static const char *bound(double q, long long total, char *buf) {
    long long seen = 0;
    for (int i = 0; i <= NB; i++) {
        seen += counts[i];
        if (seen >= q * total) {
            if (i == NB) return "inf";
            snprintf(buf, 32, "%.1f", BOUNDS[i] / 1000.0);
            return buf;
        }
    }
    return "-";
}

static void print_residence(void) {
    long long total = 0;
    for (int i = 0; i <= NB; i++) total += counts[i];
    char a[32], b[32];
    printf("residence %s %s %lld\n", total ? bound(0.5, total, a) : "-", total ? bound(0.99, total, b) : "-", total);
    fflush(stdout);
    memset(counts, 0, sizeof counts);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: echo_c PORT\n"); return 2; }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int buf = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_ANY)};
    int stamp = argc > 2 && strcmp(argv[2], "stamp") == 0;
    int track = stamp || (argc > 2 && strcmp(argv[2], "residence") == 0);
    if (track) setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &track, sizeof track);
    if (stamp) {
        setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &stamp, sizeof stamp);
        setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &stamp, sizeof stamp);
    }
    volatile unsigned ttl_tos = 0; /* read as a reflector would, kept so the reads stay */
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("bind"); return 1; }
    struct sigaction sa = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &sa, NULL);
    static char control[BATCH][128] __attribute__((aligned(8)));
    static char data[BATCH][SIZE];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    struct sockaddr_in from[BATCH];
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = data[i];
            iov[i].iov_len = SIZE;
            memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof from[i];
            msgs[i].msg_hdr.msg_control = track ? control[i] : NULL;
            msgs[i].msg_hdr.msg_controllen = track ? sizeof control[i] : 0;
        }
        if (report) {
            report = 0;
            print_residence();
        }
        int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n <= 0) continue;
        if (!track) {
            for (int i = 0; i < n; i++) iov[i].iov_len = msgs[i].msg_len;
            sendmmsg(fd, msgs, n, 0);
            continue;
        }
        long long t2[BATCH];
        for (int i = 0; i < n; i++) {
            iov[i].iov_len = msgs[i].msg_len;
            t2[i] = -1;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
                if (c->cmsg_level == IPPROTO_IP && (c->cmsg_type == IP_TTL || c->cmsg_type == IP_TOS)) {
                    ttl_tos += c->cmsg_type == IP_TTL ? *(int *)CMSG_DATA(c) : *(unsigned char *)CMSG_DATA(c);
                    continue;
                }
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(c), sizeof ts);
                t2[i] = ts.tv_sec * 1000000000LL + ts.tv_nsec;
            }
            msgs[i].msg_hdr.msg_control = NULL; /* the answers carry none */
            msgs[i].msg_hdr.msg_controllen = 0;
        }
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        long long t3 = now.tv_sec * 1000000000LL + now.tv_nsec;
        for (int i = 0; i < n; i++) {
            if (t2[i] < 0) continue;
            long long r = t3 - t2[i] < 0 ? 0 : t3 - t2[i];
            int b = 0;
            while (b < NB && r > BOUNDS[b]) b++;
            counts[b]++;
        }
        sendmmsg(fd, msgs, n, 0);
    }
}
