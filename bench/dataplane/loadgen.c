/* Load generator for the UDP echo benchmark, loopback only.
 *   loadgen rate PORT SIZE SECONDS WINDOW   closed loop: WINDOW datagrams in flight, each echo
 *                                           triggers the next; prints echoed packets per second
 *   loadgen rtt  PORT SIZE COUNT            one datagram in flight; prints RTT p50/p99 in us
 *   loadgen paced PORT SIZE SECONDS RATE    open loop: RATE datagrams a second, whatever comes
 *                                           back, spread evenly (spinning, not sleeping, above
 *                                           10,000/s); prints sent and received packets per
 *                                           second and the mean datagrams per sendmmsg */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: loadgen rate|rtt PORT SIZE SECONDS|COUNT [WINDOW]\n"); return 2; }
    int port = atoi(argv[2]), size = atoi(argv[3]);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int buf = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) { perror("connect"); return 1; }
    char *data = calloc(1, size), *in = calloc(1, 65536);
    /* LOADGEN_STAMP=1: a STAMP test packet, its 44-octet base then one Extra Padding TLV to the end
     * (as STAMP senders pad), instead of zeros that a reflector parses as a chain of 4-octet TLVs. */
    if (getenv("LOADGEN_STAMP") && size >= 48) {
        int pad = size - 48;
        data[45] = 1;
        data[46] = (char)(pad >> 8);
        data[47] = (char)pad;
    }
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (strcmp(argv[1], "rate") == 0) {
        int seconds = atoi(argv[4]), window = argc > 5 ? atoi(argv[5]) : 64;
        enum { B = 64 };
        struct mmsghdr msgs[B];
        struct iovec iov[B];
        static char rbuf[B][2048];
        for (int i = 0; i < window; i++) send(fd, data, size, 0);
        long long start = now_ns(), end = start + seconds * 1000000000LL, echoed = 0, refills = 0;
        while (now_ns() < end) {
            if (poll(&p, 1, 50) <= 0) { /* lost echoes: put the window back */
                for (int i = 0; i < window; i++) send(fd, data, size, 0);
                refills++;
                continue;
            }
            for (int i = 0; i < B; i++) {
                iov[i].iov_base = rbuf[i];
                iov[i].iov_len = sizeof rbuf[i];
                memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
                msgs[i].msg_hdr.msg_iov = &iov[i];
                msgs[i].msg_hdr.msg_iovlen = 1;
            }
            int n = recvmmsg(fd, msgs, B, MSG_DONTWAIT, NULL);
            if (n <= 0) continue;
            echoed += n;
            for (int i = 0; i < n; i++) { iov[i].iov_base = data; iov[i].iov_len = size; }
            sendmmsg(fd, msgs, n, 0);
        }
        double secs = (now_ns() - start) / 1e9;
        printf("%.0f\n", echoed / secs);
        if (refills) fprintf(stderr, "loadgen: %lld window refills after loss\n", refills);
    } else if (strcmp(argv[1], "paced") == 0) {
        int seconds = atoi(argv[4]);
        double rate = argc > 5 ? atof(argv[5]) : 1000;
        enum { B = 64 };
        struct mmsghdr out[B], back[B];
        struct iovec oiov[B], biov[B];
        static char bbuf[B][2048];
        for (int i = 0; i < B; i++) {
            oiov[i].iov_base = data;
            oiov[i].iov_len = size;
            memset(&out[i].msg_hdr, 0, sizeof out[i].msg_hdr);
            out[i].msg_hdr.msg_iov = &oiov[i];
            out[i].msg_hdr.msg_iovlen = 1;
        }
        long long start = now_ns(), end = start + seconds * 1000000000LL, sent = 0, got = 0, calls = 0, t;
        while ((t = now_ns()) < end) {
            long long due = (long long)((t - start) / 1e9 * rate) - sent;
            if (due > B) due = B;
            if (due > 0) {
                int n = sendmmsg(fd, out, (unsigned)due, 0);
                if (n > 0) sent += n;
                calls++;
            }
            for (int i = 0; i < B; i++) {
                biov[i].iov_base = bbuf[i];
                biov[i].iov_len = sizeof bbuf[i];
                memset(&back[i].msg_hdr, 0, sizeof back[i].msg_hdr);
                back[i].msg_hdr.msg_iov = &biov[i];
                back[i].msg_hdr.msg_iovlen = 1;
            }
            int n = recvmmsg(fd, back, B, MSG_DONTWAIT, NULL);
            if (n > 0) got += n;
            /* Spin rather than sleep while the next datagram is due within 100 us: a nanosleep
             * lasts 50-80 us whatever it asks for (timer slack), and the datagrams due meanwhile
             * would leave as one burst, which queues at the server however fast it is. */
            if (due <= 0 && n <= 0 && rate < 10000) { struct timespec nap = {0, 20000}; nanosleep(&nap, NULL); }
        }
        double secs = (now_ns() - start) / 1e9;
        printf("%.0f %.0f %.2f\n", sent / secs, got / secs, calls ? (double)sent / calls : 0.0);
    } else {
        int count = atoi(argv[4]);
        long long *rtt = calloc(count, sizeof *rtt);
        int got = 0;
        for (int i = 0; i < count; i++) {
            long long t0 = now_ns();
            send(fd, data, size, 0);
            if (poll(&p, 1, 200) <= 0) continue;
            if (recv(fd, in, 65536, 0) <= 0) continue;
            rtt[got++] = now_ns() - t0;
        }
        qsort(rtt, got, sizeof *rtt, cmp);
        if (got == 0) { printf("0 0\n"); return 1; }
        printf("%.1f %.1f\n", rtt[got / 2] / 1e3, rtt[(int)(got * 0.99)] / 1e3);
    }
    return 0;
}
