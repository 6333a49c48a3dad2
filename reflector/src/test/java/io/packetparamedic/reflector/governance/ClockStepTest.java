package io.packetparamedic.reflector.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 item 4: the system clock is stepped forwards and backwards under a running governance
 * (an injected wall clock and monotonic ticker; the machine's clock is never touched). Durations
 * follow monotonic time, the daily quota follows the wall clock's UTC day, and figures from a
 * state file that lie in the future delay a peer by at most one cooldown.
 */
class ClockStepTest {

    private static final String PEER = "PP-PEER";
    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    private SteppedTime time = new SteppedTime(T0);

    private void elapse(Duration d) {
        time.elapse(d);
    }

    private void step(Duration d) {
        time.step(d);
    }

    @Test
    void aClockSteppedBackNeitherLocksThePeerOutNorStretchesTheCooldown() {
        SteadyClock clock = time.steadyClock();
        Governance g = new Governance(clock);
        PeerLimits limits = new PeerLimits(60, 10, Long.MAX_VALUE);
        g.recordStart(PEER, clock.instant());

        step(Duration.ofHours(-2));
        elapse(Duration.ofSeconds(30));
        Verdict v = g.check(PEER, limits, clock.instant());
        assertThat(v.allowed()).isFalse();
        assertThat(v.retryAfterSec())
                .as("the cooldown's own remainder, not two hours more")
                .isEqualTo(30);

        elapse(Duration.ofSeconds(30));
        assertThat(g.check(PEER, limits, clock.instant()).allowed()).isTrue();
    }

    @Test
    void aClockSteppedForwardDoesNotHandOutTheHoursQuotaAgain() {
        SteadyClock clock = time.steadyClock();
        Governance g = new Governance(clock);
        PeerLimits limits = new PeerLimits(0, 2, Long.MAX_VALUE);
        g.recordStart(PEER, clock.instant());
        elapse(Duration.ofMinutes(1));
        g.recordStart(PEER, clock.instant());

        step(Duration.ofHours(3));
        Verdict v = g.check(PEER, limits, clock.instant());
        assertThat(v.allowed()).as("two tests in the last hour of real time").isFalse();
        assertThat(v.retryAfterSec()).isEqualTo(Duration.ofMinutes(59).toSeconds());

        elapse(Duration.ofMinutes(59));
        assertThat(g.check(PEER, limits, clock.instant()).allowed()).isTrue();
    }

    @Test
    void theDailyQuotaResetsWithTheWallClocksUtcDay() {
        time = new SteppedTime(Instant.parse("2026-11-30T23:00:00Z"));
        SteadyClock clock = time.steadyClock();
        Governance g = new Governance(clock);
        PeerLimits limits = new PeerLimits(0, 100, 1000);
        g.recordStart(PEER, clock.instant());
        g.recordEnd(PEER, clock.instant(), 1000);
        assertThat(g.check(PEER, limits, clock.instant()).reason())
                .isEqualTo(io.packetparamedic.reflector.wire.DenyReason.QUOTA_EXCEEDED);

        // NTP corrects the clock by two hours: it is already tomorrow in UTC.
        step(Duration.ofHours(2));
        assertThat(g.check(PEER, limits, clock.instant()).allowed()).isTrue();
        assertThat(g.bytesToday()).isZero();
    }

    @Test
    void figuresFromTheFutureCountAsNow() {
        // The state file was written by a run whose clock was two hours ahead.
        Governance g = new Governance(Clock.fixed(T0, ZoneOffset.UTC));
        g.seed(
                PEER,
                new PeerFigures(
                        java.util.List.of(T0.plus(Duration.ofHours(2))),
                        T0.plus(Duration.ofHours(2)),
                        null,
                        null,
                        0,
                        1,
                        null));
        Verdict v = g.check(PEER, new PeerLimits(60, 10, Long.MAX_VALUE), T0);
        assertThat(v.allowed()).isFalse();
        assertThat(v.retryAfterSec()).as("one cooldown, not two hours and one").isEqualTo(60);
    }
}
