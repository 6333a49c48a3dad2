package io.packetparamedic.reflector.governance;

import io.packetparamedic.reflector.StepClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time for clock-step tests: a wall clock the test can step and a monotonic ticker that only
 * {@link #elapse} advances, with the {@link SteadyClock} the reflector would build on them.
 */
public final class SteppedTime {

    private final StepClock wall;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    public SteppedTime(Instant start) {
        this.wall = new StepClock(start);
    }

    /** A steady clock anchored at the wall clock's time now. */
    public SteadyClock steadyClock() {
        return new SteadyClock(wall, nanos::get);
    }

    public Instant wallNow() {
        return wall.instant();
    }

    /** Real time passes: both clocks move. */
    public void elapse(Duration d) {
        nanos.addAndGet(d.toNanos());
        wall.advance(d);
    }

    /** The system clock is stepped (NTP, date -s): only the wall clock moves. */
    public void step(Duration d) {
        wall.advance(d);
    }
}
