package io.packetparamedic.reflector.engine;

/**
 * What the IP layer told about one received datagram, and how its answer is to be marked: one
 * mutable instance per session, refilled for every datagram on the session's I/O thread. The
 * Netty path learns none of it ({@link #unknown()}); the native path ({@link NativeUdp}) all.
 */
final class Arrival {

    /** {@link #kernelNanos()} when the kernel gave no receive timestamp. */
    static final long NO_TIMESTAMP = 0;

    private final boolean replyMarkable;
    private long kernelNanos = NO_TIMESTAMP;
    private int ttl = -1;
    private int tos = -1;
    private int replyTos = -1;
    private int transmitTimestampAt = -1;

    private Arrival(boolean replyMarkable) {
        this.replyMarkable = replyMarkable;
    }

    /** For a transport that reads no ancillary data and cannot mark single answers. */
    static Arrival unknown() {
        return new Arrival(false);
    }

    /** For a transport that reports what it received and marks answers one by one. */
    static Arrival reported() {
        return new Arrival(true);
    }

    void set(long kernelNanos, int ttl, int tos) {
        this.kernelNanos = kernelNanos;
        this.ttl = ttl;
        this.tos = tos;
        this.replyTos = -1;
        this.transmitTimestampAt = -1;
    }

    /** The kernel's receive time, nanoseconds since the Unix epoch, or {@link #NO_TIMESTAMP}. */
    long kernelNanos() {
        return kernelNanos;
    }

    /** The received IPv4 TTL or IPv6 Hop Limit, -1 when unknown. */
    int ttl() {
        return ttl;
    }

    /** The received TOS / Traffic Class octet (DSCP and ECN), -1 when unknown. */
    int tos() {
        return tos;
    }

    /** Whether {@link #markReply} takes effect. */
    boolean replyMarkable() {
        return replyMarkable;
    }

    /** Sends this datagram's answer with {@code tos} as its TOS / Traffic Class octet. */
    void markReply(int tos) {
        this.replyTos = tos;
    }

    /**
     * Whether {@link #stampTransmitTime} takes effect: the transport reads the clock just before it
     * hands the batch to the socket and then tells the reflection when ({@link
     * UdpEchoEngine.Reflection#transmitted}).
     */
    boolean transmitTimeStampable() {
        return replyMarkable;
    }

    /**
     * Has the transport write the transmit timestamp (NTP format, 8 octets) at {@code offset} in
     * the answer, read as late as it can be: just before the answer goes to the socket.
     */
    void stampTransmitTime(int offset) {
        this.transmitTimestampAt = offset;
    }

    /** Where the answer wants its transmit timestamp, -1 for nowhere. */
    int transmitTimestampAt() {
        return transmitTimestampAt;
    }

    /** The TOS octet asked for the answer, -1 for the socket's default. */
    int replyTos() {
        return replyTos;
    }
}
