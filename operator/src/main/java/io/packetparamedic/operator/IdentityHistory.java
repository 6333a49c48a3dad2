package io.packetparamedic.operator;

import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What an instance's identity did since the recorded status: appeared, rotated (the replaced
 * Endpoint ID joins status.previousEndpointIds, newest first, and the rotation time is stamped),
 * became unusable, or nothing. Compared with the recorded status rather than kept in memory, so
 * an operator restart repeats no Event.
 */
record IdentityHistory(Change change, List<String> previousEndpointIds, String identityRotatedAt) {

    enum Change {
        NONE,
        CREATED,
        ROTATED,
        INVALID
    }

    static IdentityHistory of(ReflectorInstanceStatus previous, IdentityResolver.Identity identity, Instant now) {
        IdentityHistory unchanged =
                new IdentityHistory(Change.NONE, previous.previousEndpointIds, previous.identityRotatedAt);
        if (identity.endpointId().isEmpty()) {
            boolean newlyInvalid = !IdentityResolver.CREATING.equals(identity.reason())
                    && !Conditions.isFalse(previous.conditions, ReflectorInstanceReconciler.IDENTITY_READY);
            return newlyInvalid
                    ? new IdentityHistory(Change.INVALID, previous.previousEndpointIds, previous.identityRotatedAt)
                    : unchanged;
        }
        String current = identity.endpointId().get().toString();
        if (previous.endpointId == null) {
            return new IdentityHistory(Change.CREATED, previous.previousEndpointIds, previous.identityRotatedAt);
        }
        if (previous.endpointId.equals(current)) return unchanged;
        List<String> old = new ArrayList<>();
        old.add(previous.endpointId);
        if (previous.previousEndpointIds != null) old.addAll(previous.previousEndpointIds);
        old.remove(current);
        return new IdentityHistory(
                Change.ROTATED,
                old.stream()
                        .distinct()
                        .limit(ReflectorInstanceStatus.MAX_PREVIOUS_ENDPOINT_IDS)
                        .toList(),
                Rfc3339.format(now));
    }
}
