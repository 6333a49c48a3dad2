/*
 * libppdata: the reflector's native UDP data path (docs/design/native-dataplane.md).
 *
 * One JNI crossing per batch: receive() is one recvmmsg of up to N datagrams into fixed
 * slots of a direct buffer, with a metadata record per slot (source address, length, the kernel's
 * receive timestamp, the received TTL/Hop Limit and TOS/Traffic Class); send() is one sendmmsg of
 * the slots the Java side marked with a reply length, each back to the address it came from, after
 * writing the transmit timestamp (STAMP's T3) into the answers that asked for one: the clock is read
 * once per batch, just before the sendmmsg, so T3 - T2 covers all the reflector's work on the batch.
 * Nothing is allocated per datagram; the library needs only libc.
 *
 * The metadata record layout is mirrored by NativeUdp.java (offsets there); both must change
 * together.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jni.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 64
/* Room for SCM_TIMESTAMPNS (16 bytes), TTL and TOS (ints), with slack for unexpected cmsgs. */
#define CONTROL_SIZE 128

struct slot_meta {
    int32_t length;      /* bytes received; set by receive() */
    int32_t reply_length; /* bytes to send back from the slot, < 0 for none; set by Java */
    int64_t rx_nanos;    /* kernel receive time, ns since the Unix epoch (CLOCK_REALTIME); 0: none */
    int32_t ttl;         /* received IP TTL / IPv6 Hop Limit; -1: unknown */
    int32_t tos;         /* received TOS / Traffic Class octet (DSCP and ECN); -1: unknown */
    int32_t reply_tos;   /* TOS / Traffic Class for the reply, < 0 for the socket's; set by Java */
    int32_t family;      /* 4 or 6 */
    int32_t port;
    uint32_t scope_id;
    uint8_t address[16]; /* IPv4 in the first 4 octets */
    int32_t flags;       /* META_TRUNCATED */
    int32_t t3_offset;   /* where in the answer send() writes T3 (NTP format, big-endian), < 0 for none; set by
                            send()'s STAMP reflection */
    int32_t reflect;     /* REFLECT_STAMP: send() makes the answer from the test packet in the slot; set by Java */
    uint32_t stamp_sequence; /* the reflector's Sequence Number for that answer; set by Java */
};

#define REFLECT_NONE 0
#define REFLECT_STAMP 1

#define META_TRUNCATED 1

_Static_assert(sizeof(struct slot_meta) == 72, "NativeUdp.META_SIZE");
_Static_assert(offsetof(struct slot_meta, rx_nanos) == 8, "NativeUdp offsets");
_Static_assert(offsetof(struct slot_meta, address) == 40, "NativeUdp offsets");
_Static_assert(offsetof(struct slot_meta, flags) == 56, "NativeUdp offsets");
_Static_assert(offsetof(struct slot_meta, t3_offset) == 60, "NativeUdp offsets");
_Static_assert(offsetof(struct slot_meta, reflect) == 64, "NativeUdp offsets");
_Static_assert(offsetof(struct slot_meta, stamp_sequence) == 68, "NativeUdp offsets");

static void set_int(int fd, int level, int name, int value) {
    /* Best effort: a kernel without an option simply yields no ancillary data for it. */
    (void)setsockopt(fd, level, name, &value, sizeof value);
}

JNIEXPORT jint JNICALL Java_io_packetparamedic_reflector_engine_NativeUdp_open(
        JNIEnv *env, jclass cls, jboolean ipv6, jint port, jint buffer_bytes, jint timeout_millis, jboolean ancillary) {
    (void)env;
    (void)cls;
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    set_int(fd, SOL_SOCKET, SO_RCVBUF, buffer_bytes);
    set_int(fd, SOL_SOCKET, SO_SNDBUF, buffer_bytes);
    /* Receive timestamp, TTL and TOS cost the kernel a control message each per datagram: only
     * for a session that reads them (STAMP), not for a plain echo. */
    if (ancillary) {
        set_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
        set_int(fd, IPPROTO_IP, IP_RECVTTL, 1);
        set_int(fd, IPPROTO_IP, IP_RECVTOS, 1);
    }
    if (ancillary && ipv6) {
        set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
        set_int(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, 1);
    }
    /* The receive timeout bounds how long a stopped session's thread can stay in recvmmsg. */
    struct timeval tv = {.tv_sec = timeout_millis / 1000, .tv_usec = (timeout_millis % 1000) * 1000};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    struct sockaddr_storage addr;
    socklen_t len;
    memset(&addr, 0, sizeof addr);
    if (ipv6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&addr;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        a->sin6_addr = in6addr_any;
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&addr;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        a->sin_addr.s_addr = htonl(INADDR_ANY);
        len = sizeof *a;
    }
    if (bind(fd, (struct sockaddr *)&addr, len) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

JNIEXPORT jint JNICALL Java_io_packetparamedic_reflector_engine_NativeUdp_localPort(JNIEnv *env, jclass cls, jint fd) {
    (void)env;
    (void)cls;
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0) return -errno;
    return ntohs(addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port
                                            : ((struct sockaddr_in *)&addr)->sin_port);
}

static void read_control(struct msghdr *h, struct slot_meta *m) {
    m->rx_nanos = 0;
    m->ttl = -1;
    m->tos = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            m->rx_nanos = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
            int v;
            memcpy(&v, CMSG_DATA(c), sizeof v);
            m->ttl = v;
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
            m->tos = *(unsigned char *)CMSG_DATA(c); /* one octet, unlike the others */
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
            int v;
            memcpy(&v, CMSG_DATA(c), sizeof v);
            m->ttl = v;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
            int v;
            memcpy(&v, CMSG_DATA(c), sizeof v);
            m->tos = v & 0xff;
        }
    }
}

static void read_source(const struct sockaddr_storage *from, struct slot_meta *m) {
    memset(m->address, 0, sizeof m->address);
    m->scope_id = 0;
    if (from->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)from;
        m->family = 6;
        m->port = ntohs(a->sin6_port);
        m->scope_id = a->sin6_scope_id;
        memcpy(m->address, &a->sin6_addr, 16);
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)from;
        m->family = 4;
        m->port = ntohs(a->sin_port);
        memcpy(m->address, &a->sin_addr, 4);
    }
}

/*
 * Whether the two direct buffers hold count slots of slot_size octets and count metadata records:
 * the Java side sizes them so, but a native write past them would corrupt memory silently.
 */
static int buffers_fit(JNIEnv *env, jobject slots, jint slot_size, jobject meta, jint count) {
    if (count <= 0 || slot_size <= 0) return 0;
    jlong data_capacity = (*env)->GetDirectBufferCapacity(env, slots);
    jlong meta_capacity = (*env)->GetDirectBufferCapacity(env, meta);
    return data_capacity >= (jlong)count * slot_size && meta_capacity >= (jlong)count * (jlong)sizeof(struct slot_meta);
}

static int64_t monotonic_nanos(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/*
 * recvmmsg that first polls without sleeping for up to busy_poll_micros: a thread that goes to
 * sleep waits for a wake-up when the next datagram arrives (an inter-processor interrupt, and on a
 * VM an exit to the hypervisor: tens of microseconds, more under load), which is most of the
 * residence time at moderate rates. The kernel's own busy polling (SO_BUSY_POLL) only covers NAPI
 * devices, not loopback or veth.
 */
static int receive_batch(int fd, struct mmsghdr *msgs, int max, jint busy_poll_micros) {
    if (busy_poll_micros > 0) {
        int64_t deadline = monotonic_nanos() + (int64_t)busy_poll_micros * 1000;
        do {
            int n = recvmmsg(fd, msgs, (unsigned)max, MSG_DONTWAIT, NULL);
            if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return n;
        } while (monotonic_nanos() < deadline);
    }
    return recvmmsg(fd, msgs, (unsigned)max, MSG_WAITFORONE, NULL);
}

/*
 * Polls for up to busy_poll_micros, then waits (up to the socket's receive timeout) for at least
 * one datagram, then takes whatever else is queued, up to max. Returns the count, 0 when the wait
 * timed out or was interrupted (also after shutdown), or -errno.
 */
JNIEXPORT jint JNICALL Java_io_packetparamedic_reflector_engine_NativeUdp_receive(
        JNIEnv *env, jclass cls, jint fd, jobject slots, jint slot_size, jobject meta, jint max,
        jint busy_poll_micros) {
    (void)cls;
    uint8_t *data = (*env)->GetDirectBufferAddress(env, slots);
    struct slot_meta *metas = (*env)->GetDirectBufferAddress(env, meta);
    if (data == NULL || metas == NULL) return -EINVAL;
    if (max > MAX_BATCH) max = MAX_BATCH;
    if (!buffers_fit(env, slots, slot_size, meta, max)) return -EINVAL;
    struct mmsghdr msgs[MAX_BATCH];
    struct iovec iov[MAX_BATCH];
    struct sockaddr_storage from[MAX_BATCH];
    _Alignas(struct cmsghdr) uint8_t control[MAX_BATCH][CONTROL_SIZE];
    for (int i = 0; i < max; i++) {
        iov[i].iov_base = data + (size_t)i * (size_t)slot_size;
        iov[i].iov_len = (size_t)slot_size;
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        msgs[i].msg_hdr.msg_control = control[i];
        msgs[i].msg_hdr.msg_controllen = CONTROL_SIZE;
    }
    int n = receive_batch(fd, msgs, max, busy_poll_micros);
    if (n < 0) {
        int err = errno;
        /* Timeout, signal, or an ICMP error queued for an earlier answer (only reported with
         * IP_RECVERR, which is off, but harmless to ride out): the socket is still good. */
        if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNREFUSED || err == EHOSTUNREACH
                || err == ENETUNREACH)
            return 0;
        return -err;
    }
    for (int i = 0; i < n; i++) {
        /* After shutdown(SHUT_RD) a read returns at once with nothing and no source, and recvmmsg
         * counts it: that is the wake-up, not a datagram. */
        if (msgs[i].msg_hdr.msg_namelen == 0) {
            n = i;
            break;
        }
        struct slot_meta *m = &metas[i];
        m->length = (int32_t)msgs[i].msg_len;
        m->reply_length = -1;
        m->reply_tos = -1;
        m->t3_offset = -1;
        m->reflect = REFLECT_NONE;
        m->flags = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? META_TRUNCATED : 0;
        read_source(&from[i], m);
        read_control(&msgs[i].msg_hdr, m);
    }
    return n;
}

static socklen_t write_destination(const struct slot_meta *m, struct sockaddr_storage *to) {
    memset(to, 0, sizeof *to);
    if (m->family == 6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)to;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)m->port);
        a->sin6_scope_id = m->scope_id;
        memcpy(&a->sin6_addr, m->address, 16);
        return sizeof *a;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)to;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)m->port);
    memcpy(&a->sin_addr, m->address, 4);
    return sizeof *a;
}

/* The reply's TOS as a control message: IP_TOS for IPv4 (also v4-mapped on an IPv6 socket). */
static size_t write_tos(const struct slot_meta *m, uint8_t *control) {
    if (m->reply_tos < 0) return 0;
    struct msghdr h = {.msg_control = control, .msg_controllen = CMSG_SPACE(sizeof(int))};
    struct cmsghdr *c = CMSG_FIRSTHDR(&h);
    int v4 = m->family == 4 || IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)m->address);
    c->cmsg_level = v4 ? IPPROTO_IP : IPPROTO_IPV6;
    c->cmsg_type = v4 ? IP_TOS : IPV6_TCLASS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    int tos = m->reply_tos & 0xff;
    memcpy(CMSG_DATA(c), &tos, sizeof tos);
    return CMSG_SPACE(sizeof(int));
}

/* Seconds since 1900 (era 0, wrapping in 2036 as the 32-bit field does) and a binary fraction. */
static uint64_t ntp_timestamp(const struct timespec *t) {
    uint64_t seconds = (uint64_t)((int64_t)t->tv_sec + 2208988800LL) & 0xFFFFFFFFu;
    uint64_t fraction = ((uint64_t)t->tv_nsec << 32) / 1000000000u;
    return seconds << 32 | fraction;
}

static void put_be64(uint8_t *at, uint64_t v) {
    for (int i = 7; i >= 0; i--) {
        at[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint32_t get_be32(const uint8_t *at) {
    return (uint32_t)at[0] << 24 | (uint32_t)at[1] << 16 | (uint32_t)at[2] << 8 | at[3];
}

static void put_be32(uint8_t *at, uint32_t v) {
    at[0] = (uint8_t)(v >> 24);
    at[1] = (uint8_t)(v >> 16);
    at[2] = (uint8_t)(v >> 8);
    at[3] = (uint8_t)v;
}

/*
 * STAMP, unauthenticated mode (RFC 8762 section 4.3.1, TLVs of RFC 8972 section 4): the same
 * answer, octet for octet, as StampReflection and StampTlvs make in Java for a datagram with a
 * kernel receive timestamp on this path (NativeStampReflectionTest runs random packets through both).
 * Done here so that the per-packet work does not depend on the JIT: with the launcher's C1-only
 * JIT the Java version cost ~300 ns more per packet than with C2. Offsets are StampPacket's.
 */
#define STAMP_MIN_ANSWERED 41
#define STAMP_BASE 44
#define STAMP_SOFTWARE_ERROR_ESTIMATE ((22 << 8) | 1)
#define TLV_HEADER 4
#define FLAG_U 0x80
#define FLAG_M 0x40
#define FLAG_I 0x20
#define TYPE_EXTRA_PADDING 1
#define TYPE_TIMESTAMP_INFO 3
#define TYPE_CLASS_OF_SERVICE 4
#define SYNC_SOURCE_LOCAL_FREE_RUNNING 5
#define TIMESTAMP_METHOD_SW_LOCAL 2

/* The flag one complete TLV gets (0 for none), after filling in what the reflector owns. */
static int stamp_tlv_verdict(uint8_t *value, int type, int length, struct slot_meta *m) {
    switch (type) {
    case TYPE_EXTRA_PADDING:
        return 0;
    case TYPE_TIMESTAMP_INFO:
        if (length != 4) return FLAG_M;
        value[0] = SYNC_SOURCE_LOCAL_FREE_RUNNING;
        value[1] = TIMESTAMP_METHOD_SW_LOCAL;
        value[2] = SYNC_SOURCE_LOCAL_FREE_RUNNING;
        value[3] = TIMESTAMP_METHOD_SW_LOCAL;
        return 0;
    case TYPE_CLASS_OF_SERVICE: {
        if (length != 4) return FLAG_M;
        if (m->tos < 0) return FLAG_U;
        /* DSCP1 (6 bits) | DSCP2 (6) | ECN (2) | RP (2) | reserved (16): DSCP2 and ECN as received,
         * RP 0 since DSCP1 is applied to the answer (with ECN Not-ECT). */
        int dscp1 = value[0] >> 2, dscp2 = m->tos >> 2, ecn = m->tos & 0x3;
        value[0] = (uint8_t)(dscp1 << 2 | dscp2 >> 4);
        value[1] = (uint8_t)((dscp2 & 0xF) << 4 | ecn << 2);
        value[2] = 0;
        value[3] = 0;
        m->reply_tos = dscp1 << 2;
        return 0;
    }
    default: /* the HMAC TLV included: without a session key it cannot be checked */
        return FLAG_U;
    }
}

/* Turns the test packet p[0, length) into its answer in place; T3 is left to send. */
static int stamp_reflect(uint8_t *p, int length, struct slot_meta *m) {
    if (length < STAMP_MIN_ANSWERED) return -1;
    uint32_t sender_sequence = get_be32(p);
    uint8_t sender_timestamp[8], sender_error_estimate[2];
    memcpy(sender_timestamp, p + 4, 8);
    memcpy(sender_error_estimate, p + 12, 2);
    put_be32(p, m->stamp_sequence);
    p[12] = STAMP_SOFTWARE_ERROR_ESTIMATE >> 8;
    p[13] = STAMP_SOFTWARE_ERROR_ESTIMATE & 0xFF;
    struct timespec t2 = {.tv_sec = m->rx_nanos / 1000000000LL, .tv_nsec = m->rx_nanos % 1000000000LL};
    put_be64(p + 16, ntp_timestamp(&t2));
    put_be32(p + 24, sender_sequence);
    memcpy(p + 28, sender_timestamp, 8);
    memcpy(p + 36, sender_error_estimate, 2);
    p[38] = 0;
    p[39] = 0;
    p[40] = (uint8_t)(m->ttl >= 0 ? m->ttl : 255);
    for (int i = 41; i < length && i < STAMP_BASE; i++) p[i] = 0;
    for (int at = STAMP_BASE; at < length;) {
        int remaining = length - at;
        int flags = p[at] & ~(FLAG_U | FLAG_M | FLAG_I);
        if (remaining < TLV_HEADER) {
            p[at] = (uint8_t)(flags | FLAG_M);
            break;
        }
        int type = p[at + 1];
        int tlv_length = p[at + 2] << 8 | p[at + 3];
        if (tlv_length > remaining - TLV_HEADER) {
            p[at] = (uint8_t)(flags | FLAG_M);
            break;
        }
        p[at] = (uint8_t)(flags | stamp_tlv_verdict(p + at + TLV_HEADER, type, tlv_length, m));
        at += TLV_HEADER + tlv_length;
    }
    m->t3_offset = 4;
    return length;
}

/* Makes the answers of the slots Java marked REFLECT_STAMP; one that cannot be answered is dropped. */
static void reflect_slots(uint8_t *data, jint slot_size, struct slot_meta *metas, int count) {
    for (int i = 0; i < count; i++) {
        struct slot_meta *m = &metas[i];
        if (m->reflect != REFLECT_STAMP || m->reply_length < 0) continue;
        if (m->reply_length > slot_size || m->rx_nanos <= 0
                || stamp_reflect(data + (size_t)i * (size_t)slot_size, m->reply_length, m) < 0)
            m->reply_length = -1;
    }
}

/*
 * A DurationHistogram.Recorder's words (64-bit, native order): n, n bucket bounds in ns, n + 1
 * counts, the sum in ns. Written by this session's thread only, read by the Java side's snapshots.
 */
struct residence_histogram {
    int64_t n;
    const int64_t *bounds;
    int64_t *counts;
    int64_t *sum;
};

static void record_residence(struct residence_histogram *h, int64_t nanos) {
    if (h == NULL) return;
    if (nanos < 0) nanos = 0;
    int64_t lo = 0, hi = h->n; /* the first bound >= nanos, or n */
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (h->bounds[mid] < nanos) lo = mid + 1;
        else hi = mid;
    }
    h->counts[lo]++;
    *h->sum += nanos;
}

/*
 * Writes T3, read now, into every answer among the k about to be sent whose slot asked for it
 * (t3_offset inside the answer), and records T3 - T2 of each in the residence histogram (if any).
 */
static void stamp_transmit_time(uint8_t *data, jint slot_size, struct slot_meta *metas, const int *slot_of, int k,
        struct residence_histogram *residence) {
    struct timespec now;
    int64_t now_nanos = 0;
    int read = 0;
    for (int j = 0; j < k; j++) {
        struct slot_meta *m = &metas[slot_of[j]];
        if (m->t3_offset < 0 || m->t3_offset > m->reply_length - 8) continue;
        if (!read) {
            clock_gettime(CLOCK_REALTIME, &now);
            now_nanos = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
            read = 1;
        }
        put_be64(data + (size_t)slot_of[j] * (size_t)slot_size + (size_t)m->t3_offset, ntp_timestamp(&now));
        if (m->rx_nanos > 0) record_residence(residence, now_nanos - m->rx_nanos);
    }
}

/*
 * Sends, without waiting, every slot among the first count whose reply_length is >= 0, to its
 * source, with T3 written where a slot asked for it. A datagram the kernel refuses (send buffer
 * full, ICMP error pending) is skipped, not retried. Returns (bytes sent << 16) | datagrams sent,
 * or -errno for an unusable socket.
 */
JNIEXPORT jlong JNICALL Java_io_packetparamedic_reflector_engine_NativeUdp_send(
        JNIEnv *env, jclass cls, jint fd, jobject slots, jint slot_size, jobject meta, jint count, jobject residence) {
    (void)cls;
    uint8_t *data = (*env)->GetDirectBufferAddress(env, slots);
    struct slot_meta *metas = (*env)->GetDirectBufferAddress(env, meta);
    if (data == NULL || metas == NULL) return -EINVAL;
    if (count > MAX_BATCH) count = MAX_BATCH;
    if (!buffers_fit(env, slots, slot_size, meta, count)) return -EINVAL;
    struct residence_histogram histogram, *h = NULL;
    if (residence != NULL) {
        int64_t *words = (*env)->GetDirectBufferAddress(env, residence);
        jlong capacity = (*env)->GetDirectBufferCapacity(env, residence);
        if (words == NULL || capacity < 8 || words[0] < 0 || words[0] > 256
                || capacity < (jlong)(2 * words[0] + 3) * 8)
            return -EINVAL;
        histogram = (struct residence_histogram){
            .n = words[0], .bounds = words + 1, .counts = words + 1 + words[0], .sum = words + 2 + 2 * words[0]};
        h = &histogram;
    }
    struct mmsghdr msgs[MAX_BATCH];
    struct iovec iov[MAX_BATCH];
    struct sockaddr_storage to[MAX_BATCH];
    _Alignas(struct cmsghdr) uint8_t control[MAX_BATCH][CMSG_SPACE(sizeof(int))];
    int slot_of[MAX_BATCH];
    reflect_slots(data, slot_size, metas, count);
    int k = 0;
    for (int i = 0; i < count; i++) {
        const struct slot_meta *m = &metas[i];
        if (m->reply_length < 0 || m->reply_length > slot_size) continue; /* never past the slot */
        iov[k].iov_base = data + (size_t)i * (size_t)slot_size;
        iov[k].iov_len = (size_t)m->reply_length;
        memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
        msgs[k].msg_hdr.msg_iov = &iov[k];
        msgs[k].msg_hdr.msg_iovlen = 1;
        msgs[k].msg_hdr.msg_name = &to[k];
        msgs[k].msg_hdr.msg_namelen = write_destination(m, &to[k]);
        size_t clen = write_tos(m, control[k]);
        msgs[k].msg_hdr.msg_control = clen ? control[k] : NULL;
        msgs[k].msg_hdr.msg_controllen = clen;
        slot_of[k] = i;
        k++;
    }
    stamp_transmit_time(data, slot_size, metas, slot_of, k, h);
    int64_t packets = 0, bytes = 0;
    int at = 0;
    while (at < k) {
        int r = sendmmsg(fd, msgs + at, (unsigned)(k - at), MSG_DONTWAIT);
        if (r < 0) {
            int err = errno;
            if (err == EINTR) continue;
            if (err == EBADF || err == ENOTSOCK) return -err;
            at++; /* this datagram cannot go now: drop it, keep the rest */
            continue;
        }
        for (int j = at; j < at + r; j++) bytes += msgs[j].msg_len;
        packets += r;
        at += r;
    }
    return (jlong)((bytes << 16) | packets);
}

/*
 * The STAMP reflection of send() alone, on one packet and one metadata record (its rx_nanos, ttl,
 * tos and stamp_sequence): what NativeStampReflectionTest compares with the Java reflection. Returns the
 * answer's length, or -1 for none.
 */
JNIEXPORT jint JNICALL Java_io_packetparamedic_reflector_engine_NativeUdp_reflectStamp(
        JNIEnv *env, jclass cls, jobject packet, jint length, jobject meta) {
    (void)cls;
    uint8_t *p = (*env)->GetDirectBufferAddress(env, packet);
    struct slot_meta *m = (*env)->GetDirectBufferAddress(env, meta);
    if (p == NULL || m == NULL || length < 0 || (*env)->GetDirectBufferCapacity(env, packet) < length
            || (*env)->GetDirectBufferCapacity(env, meta) < (jlong)sizeof *m)
        return -1;
    m->reply_tos = -1;
    return stamp_reflect(p, length, m);
}

/* Wakes a thread blocked in receive() on this socket; the descriptor stays open until close(). */
JNIEXPORT void JNICALL Java_io_packetparamedic_reflector_engine_NativeUdp_shutdown(JNIEnv *env, jclass cls, jint fd) {
    (void)env;
    (void)cls;
    (void)shutdown(fd, SHUT_RDWR);
}

JNIEXPORT jint JNICALL Java_io_packetparamedic_reflector_engine_NativeUdp_close(JNIEnv *env, jclass cls, jint fd) {
    (void)env;
    (void)cls;
    return close(fd) == 0 ? 0 : -errno;
}

JNIEXPORT jstring JNICALL Java_io_packetparamedic_reflector_engine_NativeUdp_describe(JNIEnv *env, jclass cls, jint err) {
    (void)cls;
    return (*env)->NewStringUTF(env, strerror(err));
}
