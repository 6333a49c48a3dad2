package io.packetparamedic.reflector.server;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One budget for the inbound bytes that all connections together hold in incomplete frames, so
 * that many peers each sending part of a large frame cannot exhaust direct memory. Thread-safe:
 * every event loop reserves from it before it buffers and gives back what it no longer holds.
 */
final class InboundBudget {

    private final LongSupplier limit;
    private final AtomicLong held = new AtomicLong();

    InboundBudget(long limit) {
        this(() -> limit);
    }

    /** With the limit read at each reservation, so that a configuration change applies at once. */
    InboundBudget(LongSupplier limit) {
        this.limit = limit;
    }

    /** Reserves {@code bytes}; false, with nothing reserved, when that would go beyond the limit. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = held.get();
            if (now + bytes > limit.getAsLong()) return false;
            if (held.compareAndSet(now, now + bytes)) return true;
        }
    }

    void release(long bytes) {
        held.addAndGet(-bytes);
    }

    long held() {
        return held.get();
    }

    long limit() {
        return limit.getAsLong();
    }
}
