package io.packetparamedic.reflector.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Governance arithmetic with fixed clocks. */
class GovernanceTest {

    private static final String PEER = "PP-PEER";
    private static final Instant T0 = Instant.parse("2026-02-12T14:00:00Z");

    @Test
    void cooldownRetryAfterCountsFromTheStartOfTheLastTest() {
        Governance g = new Governance(Clock.fixed(T0, ZoneOffset.UTC));
        g.recordStart(PEER, T0);
        PeerLimits limits = new PeerLimits(5, 10, Long.MAX_VALUE);
        Verdict v = g.check(PEER, limits, T0.plusMillis(1200));
        assertThat(v.allowed()).isFalse();
        assertThat(v.reason().wire()).isEqualTo("rate_limited");
        assertThat(v.retryAfterSec()).isEqualTo(4); // 3.8 s rounded up
        assertThat(v.message())
                .isEqualTo("cooldown: tests from this appliance must start at least 5 s apart; try again in 4 s");
        assertThat(g.check(PEER, limits, T0.plusSeconds(5)).allowed()).isTrue();
    }

    @Test
    void hourlyRetryAfterIsWhenEnoughStartsHaveLeftTheWindow() {
        Governance g = new Governance(Clock.fixed(T0, ZoneOffset.UTC));
        for (int i = 0; i < 4; i++) g.recordStart(PEER, T0.plusSeconds(100L * i)); // 0, 100, 200, 300
        // Limit lowered to 2 while 4 are in the window: the 3rd oldest (200) must leave.
        Verdict v = g.check(PEER, new PeerLimits(0, 2, Long.MAX_VALUE), T0.plusSeconds(400));
        assertThat(v.reason().wire()).isEqualTo("rate_limited");
        assertThat(v.retryAfterSec()).isEqualTo(3600 + 200 - 400);
        // The deny message is all the deployed appliance shows: which limit, how much, when it clears.
        assertThat(v.message())
                .isEqualTo("hourly test limit reached: 4 of 2 tests used in the last hour; "
                        + "the next test is allowed at 15:03:20 UTC (in 56 min 40 s)");
        assertThat(g.check(PEER, new PeerLimits(0, 2, Long.MAX_VALUE), T0.plusSeconds(3600 + 200))
                        .allowed())
                .isTrue();
        assertThat(g.check(PEER, new PeerLimits(0, 4, Long.MAX_VALUE), T0.plusSeconds(3600))
                        .allowed())
                .isTrue();
    }

    @Test
    void dailyBytesResetAtUtcMidnightAndRetryAfterPointsThere() {
        Instant lateEvening = Instant.parse("2026-02-12T23:59:00Z");
        Governance g = new Governance(Clock.fixed(lateEvening, ZoneOffset.UTC));
        g.recordStart(PEER, lateEvening);
        g.recordEnd(PEER, lateEvening.plusSeconds(10), 2_000);
        PeerLimits limits = new PeerLimits(0, 100, 1_000);
        Verdict v = g.check(PEER, limits, lateEvening.plusSeconds(20));
        assertThat(v.reason().wire()).isEqualTo("quota_exceeded");
        assertThat(v.auditReason()).isEqualTo("daily byte quota exceeded");
        assertThat(v.retryAfterSec()).isEqualTo(40); // 23:59:20 → midnight
        assertThat(v.message())
                .isEqualTo("daily data quota reached: 2.00 kB of 1.00 kB used today; it resets at 00:00 UTC (in 40 s)");
        assertThat(g.check(PEER, limits, Instant.parse("2026-02-13T00:00:00Z")).allowed())
                .isTrue();
    }

    @Test
    void bytesCountAgainstTheDayTheTestEnded() {
        Governance g = new Governance(Clock.fixed(Instant.parse("2026-02-13T00:00:05Z"), ZoneOffset.UTC));
        g.recordStart(PEER, Instant.parse("2026-02-12T23:59:50Z"));
        g.recordEnd(PEER, Instant.parse("2026-02-13T00:00:02Z"), 500);
        PeerFigures f = g.snapshot().get(PEER);
        assertThat(f.bytesDay()).isEqualTo(LocalDate.parse("2026-02-13"));
        assertThat(f.bytesToday()).isEqualTo(500);
        assertThat(g.bytesToday()).isEqualTo(500);
    }

    @Test
    void aCancelledStartLeavesNoTrace() {
        Governance g = new Governance(Clock.fixed(T0, ZoneOffset.UTC));
        g.recordStart(PEER, T0);
        Governance.StartReceipt second = g.recordStart(PEER, T0.plusSeconds(30));
        g.cancelStart(second);
        PeerFigures f = g.snapshot().get(PEER);
        assertThat(f.testsLastHour()).isEqualTo(1);
        assertThat(f.lastTestStart()).isEqualTo(T0);
        assertThat(f.totalSessions()).isEqualTo(1);
        assertThat(g.testsToday()).isEqualTo(1);
    }

    @Test
    void seededFiguresLimitLikeLocalOnesAndStaleOnesAreDropped() {
        Governance g = new Governance(Clock.fixed(T0, ZoneOffset.UTC));
        g.seed(
                PEER,
                new PeerFigures(
                        List.of(T0.minusSeconds(4000), T0.minusSeconds(600), T0.minusSeconds(300)),
                        T0.minusSeconds(300),
                        T0.minusSeconds(290),
                        LocalDate.parse("2026-02-11"),
                        9_999,
                        12,
                        T0.minusSeconds(290)));
        PeerFigures f = g.snapshot().get(PEER);
        assertThat(f.testsLastHour()).isEqualTo(2);
        assertThat(f.bytesToday()).isZero(); // yesterday's bytes
        assertThat(f.totalSessions()).isEqualTo(12);
        assertThat(g.check(PEER, new PeerLimits(0, 2, 1), T0).retryAfterSec()).isEqualTo(3600 - 600);
    }

    @Test
    void theStateFileRoundTrips(@TempDir Path dir) throws Exception {
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        try (GovernanceStore store = GovernanceStore.inDataDir(dir)) {
            Governance g = new Governance(clock, store);
            g.recordStart(PEER, T0.minusSeconds(60));
            g.recordEnd(PEER, T0.minusSeconds(50), 1234);
            store.flush();
        }
        assertThat(dir.resolve("governance.json")).exists();
        assertThat(dir.resolve("governance.json.tmp")).doesNotExist();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        java.nio.file.Files.getPosixFilePermissions(dir.resolve("governance.json"))))
                .isEqualTo("rw-------");
        try (GovernanceStore store = GovernanceStore.inDataDir(dir)) {
            Governance g = new Governance(clock, store);
            PeerFigures f = g.snapshot().get(PEER);
            assertThat(f.testStartsLastHour()).containsExactly(T0.minusSeconds(60));
            assertThat(f.bytesToday()).isEqualTo(1234);
            assertThat(g.testsToday()).isEqualTo(1);
            assertThat(g.bytesToday()).isEqualTo(1234);
        }
    }
}
