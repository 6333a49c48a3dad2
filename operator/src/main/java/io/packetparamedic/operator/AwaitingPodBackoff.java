package io.packetparamedic.operator;

import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How soon to look again while an instance awaits its pod (or a fleet awaits some of its pods):
 * a Deployment whose pods admission refuses changes only its status, which does not always reach
 * the reconciler, so it looks again on its own. Soon at first, when a refusal is likely and worth
 * reporting quickly; then after as long as it has already waited (5, 10, 20, 40 s), at most every
 * 60 s, so instances whose pods never come (nodes without a kubelet, a pull that takes minutes)
 * do not re-render their configs every 5 s. The time waited is read from the Ready condition's
 * lastTransitionTime, so the backoff needs no memory and survives an operator restart; a pod that
 * reports ends it at once through the status update.
 */
final class AwaitingPodBackoff {

    static final Duration FIRST = Duration.ofSeconds(5);
    static final Duration MAX = Duration.ofSeconds(60);

    private AwaitingPodBackoff() {}

    /** The delay for an instance whose last written status is {@code previous}. */
    static Duration next(ReflectorInstanceStatus previous, Instant now) {
        Optional<Instant> notReadySince = Conditions.find(previous.conditions, ReflectorInstanceReconciler.READY)
                .filter(c -> "False".equals(c.getStatus()))
                .flatMap(c -> Rfc3339.tryParse(c.getLastTransitionTime()));
        return delay(notReadySince, now);
    }

    /** As long as already waited, between {@link #FIRST} and {@link #MAX}. */
    static Duration delay(Optional<Instant> waitingSince, Instant now) {
        Duration waited = waitingSince.map(s -> Duration.between(s, now)).orElse(Duration.ZERO);
        if (waited.compareTo(FIRST) < 0) return FIRST;
        if (waited.compareTo(MAX) > 0) return MAX;
        return waited;
    }
}
