package io.packetparamedic.reflector.engine;

/**
 * The per-session policy both transports apply before answering a datagram, and its counters:
 * only the owner's source address (unless the source check is off), at most the granted packet
 * rate (token bucket, a tenth of a second of burst). Confined to the session's I/O thread; the
 * counters are kept in plain fields while a batch runs and {@link #publish()}ed to volatile ones
 * once per batch, for status and tests.
 */
final class EchoGate {

    private final boolean sourceCheck;
    private final TokenBucket bucket;

    private long packets;
    private long bytes;
    private long foreign;
    private long rateDrops;
    private long backpressureDrops;
    private long unanswerable;

    volatile long echoedPackets;
    volatile long echoedBytes;
    volatile long droppedForeign;
    volatile long droppedRate;
    volatile long droppedBackpressure;
    volatile long droppedUnanswerable;

    EchoGate(boolean sourceCheck, long packetRate, long nowNanos) {
        this.sourceCheck = sourceCheck;
        long rate = Math.max(1, packetRate);
        this.bucket = new TokenBucket(rate, Math.max(1, rate / 10), nowNanos);
    }

    /** Whether the caller must tell {@link #admit} where a datagram came from. */
    boolean checksSource() {
        return sourceCheck;
    }

    /**
     * Whether a datagram may be answered; counts it as dropped otherwise.
     *
     * @param fromOwner whether it came from the owner's address (ignored without the source check)
     * @param batchNanos the clock, read once per batch: the bucket refills per batch
     */
    boolean admit(boolean fromOwner, long batchNanos) {
        if (sourceCheck && !fromOwner) {
            foreign++;
            return false;
        }
        if (!bucket.tryTake(batchNanos)) {
            rateDrops++;
            return false;
        }
        return true;
    }

    void answered(long packetCount, long byteCount) {
        packets += packetCount;
        bytes += byteCount;
    }

    void backpressure(long count) {
        backpressureDrops += count;
    }

    /** Answers counted by {@link #answered} that the socket then refused: back-pressure drops. */
    void unsent(long packetCount, long byteCount) {
        packets -= packetCount;
        bytes -= byteCount;
        backpressureDrops += packetCount;
    }

    void unanswerable() {
        unanswerable++;
    }

    void publish() {
        echoedPackets = packets;
        echoedBytes = bytes;
        droppedForeign = foreign;
        droppedRate = rateDrops;
        droppedBackpressure = backpressureDrops;
        droppedUnanswerable = unanswerable;
    }
}
