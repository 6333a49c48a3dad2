package io.packetparamedic.reflector.governance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Time for clock-step tests: a wall clock the test can step and a monotonic ticker that only
 * {@link #elapse} advances, with the {@link SteadyClock} the reflector would build on them.
 */
public final class SteppedTime {

    private final AtomicReference<Instant> wallNow;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Clock wall = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return wallNow.get();
        }
    };

    public SteppedTime(Instant start) {
        this.wallNow = new AtomicReference<>(start);
    }

    /** A steady clock anchored at the wall clock's time now. */
    public SteadyClock steadyClock() {
        return new SteadyClock(wall, nanos::get);
    }

    public Instant wallNow() {
        return wallNow.get();
    }

    /** Real time passes: both clocks move. */
    public void elapse(Duration d) {
        nanos.addAndGet(d.toNanos());
        wallNow.set(wallNow.get().plus(d));
    }

    /** The system clock is stepped (NTP, date -s): only the wall clock moves. */
    public void step(Duration d) {
        wallNow.set(wallNow.get().plus(d));
    }
}
