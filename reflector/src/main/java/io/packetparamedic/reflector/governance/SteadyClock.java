package io.packetparamedic.reflector.governance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * A clock for measuring durations — cooldowns, the rolling hour, session expiry — that a step of
 * the system clock (NTP correcting a wrong boot time, an operator's {@code date -s}) does not
 * move: it reads the wall clock once, when created, and from then on advances with the monotonic
 * {@link System#nanoTime()}. So a clock stepped back an hour neither locks peers out for that hour
 * nor, stepped forward, hands out the hour's quota again.
 *
 * <p>Calendar questions — which UTC day's byte quota applies — follow the wall clock:
 * {@link #wallOffset()} says how far it has moved away from this clock since the start.
 */
public final class SteadyClock extends Clock {

    private final Clock wall;
    private final LongSupplier nanoTime;
    private final Instant anchor;
    private final long anchorNanos;

    public SteadyClock(Clock wall, LongSupplier nanoTime) {
        this.wall = wall;
        this.nanoTime = nanoTime;
        this.anchor = wall.instant();
        this.anchorNanos = nanoTime.getAsLong();
    }

    public static SteadyClock system() {
        return new SteadyClock(WallClock.system(), System::nanoTime);
    }

    @Override
    public Instant instant() {
        return anchor.plusNanos(nanoTime.getAsLong() - anchorNanos);
    }

    /** The wall clock's time minus this clock's: zero until the system clock is stepped. */
    public Duration wallOffset() {
        return Duration.between(instant(), wall.instant());
    }

    /** {@code clock}'s {@link #wallOffset()}, or zero for a clock that is not steady (tests' fixed clocks). */
    public static Duration wallOffset(Clock clock) {
        return clock instanceof SteadyClock steady ? steady.wallOffset() : Duration.ZERO;
    }

    /** A reading of {@code clock} as the wall clock would give it, for showing to people and peers. */
    public static Instant onWall(Clock clock, Instant reading) {
        return reading.plus(wallOffset(clock));
    }

    /** A wall-clock time (say an RFC 3339 expiry from the configuration) on {@code clock}'s time line. */
    public static Instant fromWall(Clock clock, Instant wallTime) {
        return wallTime.minus(wallOffset(clock));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) return this;
        throw new UnsupportedOperationException("a steady clock is UTC only");
    }
}
