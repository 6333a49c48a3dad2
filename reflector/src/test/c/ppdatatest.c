/*
 * Test-only helper for the native data path tests: a UDP exchange with the sender's IP TTL / Hop
 * Limit and TOS / Traffic Class set on the socket (the JDK sets a unicast TOS but no unicast TTL),
 * reading the TOS octet the answer arrived with.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <jni.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct option {
    int level, name, value;
};

/* Returns the answer's bytes (null on timeout or error); reply_tos[0] gets its TOS octet or -1. */
JNIEXPORT jbyteArray JNICALL Java_io_packetparamedic_reflector_engine_MarkedSender_exchange(
        JNIEnv *env, jclass cls, jboolean ipv6, jint port, jbyteArray payload, jint ttl, jint tos,
        jint timeout_millis, jintArray reply_tos) {
    (void)cls;
    char service[8];
    snprintf(service, sizeof service, "%d", (int)port);
    struct addrinfo hints = {.ai_family = ipv6 ? AF_INET6 : AF_INET, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *target;
    if (getaddrinfo(ipv6 ? "::1" : "127.0.0.1", service, &hints, &target) != 0) return NULL;
    int fd = socket(target->ai_family, SOCK_DGRAM, 0);
    if (fd < 0) {
        freeaddrinfo(target);
        return NULL;
    }
    const struct option marks[2][3] = {
        {{IPPROTO_IP, IP_TTL, ttl}, {IPPROTO_IP, IP_TOS, tos}, {IPPROTO_IP, IP_RECVTOS, 1}},
        {{IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl}, {IPPROTO_IPV6, IPV6_TCLASS, tos}, {IPPROTO_IPV6, IPV6_RECVTCLASS, 1}},
    };
    for (int i = 0; i < 3; i++) {
        const struct option *o = &marks[ipv6 ? 1 : 0][i];
        (void)setsockopt(fd, o->level, o->name, &o->value, sizeof o->value);
    }
    struct timeval tv = {.tv_sec = timeout_millis / 1000, .tv_usec = (timeout_millis % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    jsize length = (*env)->GetArrayLength(env, payload);
    jbyte *bytes = (*env)->GetByteArrayElements(env, payload, NULL);
    ssize_t sent = sendto(fd, bytes, (size_t)length, 0, target->ai_addr, target->ai_addrlen);
    freeaddrinfo(target);
    (*env)->ReleaseByteArrayElements(env, payload, bytes, JNI_ABORT);
    if (sent < 0) {
        close(fd);
        return NULL;
    }
    static __thread char in[65536];
    _Alignas(struct cmsghdr) char control[128];
    struct iovec iov = {.iov_base = in, .iov_len = sizeof in};
    struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n = recvmsg(fd, &h, 0);
    close(fd);
    if (n < 0) return NULL;
    jint got = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&h); c != NULL; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) got = *(unsigned char *)CMSG_DATA(c);
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
            int v;
            memcpy(&v, CMSG_DATA(c), sizeof v);
            got = v;
        }
    }
    (*env)->SetIntArrayRegion(env, reply_tos, 0, 1, &got);
    jbyteArray out = (*env)->NewByteArray(env, (jsize)n);
    (*env)->SetByteArrayRegion(env, out, 0, (jsize)n, (const jbyte *)in);
    return out;
}
