package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AwaitingPodBackoffTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    static Duration after(long waitedSeconds) {
        return AwaitingPodBackoff.delay(Optional.of(NOW.minusSeconds(waitedSeconds)), NOW);
    }

    @Test
    void fiveSecondsAtFirstThenAsLongAsWaitedUpToOneMinute() {
        assertThat(AwaitingPodBackoff.delay(Optional.empty(), NOW)).isEqualTo(Duration.ofSeconds(5));
        assertThat(after(0)).isEqualTo(Duration.ofSeconds(5));
        assertThat(after(3)).isEqualTo(Duration.ofSeconds(5));
        assertThat(after(10)).isEqualTo(Duration.ofSeconds(10));
        assertThat(after(40)).isEqualTo(Duration.ofSeconds(40));
        assertThat(after(61)).isEqualTo(Duration.ofSeconds(60));
        assertThat(after(86_400)).isEqualTo(Duration.ofSeconds(60));
        // A clock skewed into the future (a transition time ahead of now) still means "soon".
        assertThat(after(-30)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void waitingIsCountedFromWhenReadyTurnedFalse() {
        ReflectorInstanceStatus previous = new ReflectorInstanceStatus();
        // Conditions keeps lastTransitionTime while the status stays False, so it is when the wait began.
        previous.conditions = new Conditions(null, 1L)
                .set(ReflectorInstanceReconciler.READY, false, "AwaitingHeartbeat", "waiting")
                .build();
        previous.conditions.get(0).setLastTransitionTime(Rfc3339.format(NOW.minusSeconds(25)));
        assertThat(AwaitingPodBackoff.next(previous, NOW)).isEqualTo(Duration.ofSeconds(25));

        ReflectorInstanceStatus ready = new ReflectorInstanceStatus();
        ready.conditions = new Conditions(null, 1L)
                .set(ReflectorInstanceReconciler.READY, true, "HeartbeatFresh", "fresh")
                .build();
        ready.conditions.get(0).setLastTransitionTime(Rfc3339.format(NOW.minusSeconds(3_600)));
        assertThat(AwaitingPodBackoff.next(ready, NOW))
                .as("Ready until now: the pod just went away, look soon")
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(AwaitingPodBackoff.next(new ReflectorInstanceStatus(), NOW))
                .as("a new instance")
                .isEqualTo(Duration.ofSeconds(5));
    }
}
