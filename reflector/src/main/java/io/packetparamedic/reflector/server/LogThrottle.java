package io.packetparamedic.reflector.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one occurrence of a repeated condition through per interval, so a flood produces a log
 * line every few seconds instead of one per event. Thread-safe: any event loop may ask.
 */
final class LogThrottle {

    static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextAllowed;
    private final AtomicLong suppressed = new AtomicLong();

    LogThrottle() {
        this(DEFAULT_INTERVAL_NANOS, System::nanoTime);
    }

    LogThrottle(long intervalNanos, LongSupplier nanoTime) {
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
        this.nextAllowed = new AtomicLong(nanoTime.getAsLong());
    }

    /**
     * Records one occurrence.
     *
     * @return -1 when this occurrence should stay quiet; otherwise how many were kept quiet since
     *     the last one that was let through
     */
    long admit() {
        long now = nanoTime.getAsLong();
        long due = nextAllowed.get();
        if (now - due >= 0 && nextAllowed.compareAndSet(due, now + intervalNanos)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }
}
