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
    private final boolean reflectsAtSend;
    private boolean stampAtSend;
    private int stampSequence;

    private Arrival(boolean replyMarkable, boolean reflectsAtSend) {
        this.replyMarkable = replyMarkable;
        this.reflectsAtSend = reflectsAtSend;
    }

    /** For a transport that reads no ancillary data and cannot mark single answers. */
    static Arrival unknown() {
        return new Arrival(false, false);
    }

    /** For a transport that reports what it received and marks answers one by one. */
    static Arrival reported() {
        return new Arrival(true, false);
    }

    /** For the native path: reports and marks as {@link #reported()}, and reflects STAMP at send. */
    static Arrival nativePath() {
        return new Arrival(true, true);
    }

    void set(long kernelNanos, int ttl, int tos) {
        this.kernelNanos = kernelNanos;
        this.ttl = ttl;
        this.tos = tos;
        this.replyTos = -1;
        this.stampAtSend = false;
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
     * Whether {@link #reflectStampAtSend} takes effect: the transport can make a STAMP answer
     * itself, just before it hands the batch to the socket, T3 included, and then tells the
     * reflection the residence time ({@link UdpEchoEngine.Reflection#transmitted}).
     */
    boolean reflectsStampAtSend() {
        return reflectsAtSend;
    }

    /**
     * Has the transport turn this datagram, a STAMP test packet of at least the shortest answered
     * length, into its unauthenticated-mode answer with {@code sequence} as the reflector's
     * Sequence Number, octet for octet as {@link StampReflection} would, and T3 read just before
     * the send.
     */
    void reflectStampAtSend(int sequence) {
        this.stampSequence = sequence;
        this.stampAtSend = true;
    }

    /** Whether {@link #reflectStampAtSend} was asked for this datagram. */
    boolean stampAtSend() {
        return stampAtSend;
    }

    /** The Sequence Number {@link #reflectStampAtSend} was given. */
    int stampSequence() {
        return stampSequence;
    }

    /** The TOS octet asked for the answer, -1 for the socket's default. */
    int replyTos() {
        return replyTos;
    }
}
