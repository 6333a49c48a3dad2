package io.packetparamedic.reflector.engine;

/**
 * A token bucket for one event loop (not thread-safe): {@code ratePerSec} tokens a second, at most
 * {@code capacity} stored. Time is passed in, in nanoseconds, so tests control it.
 */
final class TokenBucket {

    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long last;

    TokenBucket(long ratePerSec, long capacity, long nowNanos) {
        this.ratePerNano = ratePerSec / 1e9;
        this.capacity = Math.max(1, capacity);
        this.tokens = this.capacity;
        this.last = nowNanos;
    }

    boolean tryTake(long nowNanos) {
        long elapsed = nowNanos - last;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
            last = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
