/*
 * Test-only helper for the native data path tests: a UDP exchange with the sender's IP TTL / Hop
 * Limit and TOS / Traffic Class set on the socket (the JDK sets a unicast TOS but no unicast TTL),
 * reading the TOS octet the answer arrived with.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <jni.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void set_int(int fd, int level, int name, int value) {
    (void)setsockopt(fd, level, name, &value, sizeof value);
}

/* Returns the answer's bytes (null on timeout or error); reply_tos[0] gets its TOS octet or -1. */
JNIEXPORT jbyteArray JNICALL Java_io_packetparamedic_reflector_engine_MarkedSender_exchange(
        JNIEnv *env, jclass cls, jboolean ipv6, jint port, jbyteArray payload, jint ttl, jint tos,
        jint timeout_millis, jintArray reply_tos) {
    (void)cls;
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return NULL;
    if (ipv6) {
        set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl);
        set_int(fd, IPPROTO_IPV6, IPV6_TCLASS, tos);
        set_int(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, 1);
    } else {
        set_int(fd, IPPROTO_IP, IP_TTL, ttl);
        set_int(fd, IPPROTO_IP, IP_TOS, tos);
        set_int(fd, IPPROTO_IP, IP_RECVTOS, 1);
    }
    struct timeval tv = {.tv_sec = timeout_millis / 1000, .tv_usec = (timeout_millis % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_storage to;
    socklen_t to_len;
    memset(&to, 0, sizeof to);
    if (ipv6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&to;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        a->sin6_addr = in6addr_loopback;
        to_len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&to;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to_len = sizeof *a;
    }
    jsize length = (*env)->GetArrayLength(env, payload);
    jbyte *bytes = (*env)->GetByteArrayElements(env, payload, NULL);
    ssize_t sent = sendto(fd, bytes, (size_t)length, 0, (struct sockaddr *)&to, to_len);
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
