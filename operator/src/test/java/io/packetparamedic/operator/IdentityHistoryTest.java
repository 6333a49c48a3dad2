package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.operator.IdentityHistory.Change;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class IdentityHistoryTest {

    static final Instant NOW = Instant.parse("2026-11-30T12:00:00.750Z");

    @Test
    void aFirstIdentityIsCreatedWithoutHistory() {
        EndpointId id = Ed25519Identity.generate().endpointId();
        IdentityHistory h = IdentityHistory.of(new ReflectorInstanceStatus(), usable(id), NOW);
        assertThat(h.change()).isEqualTo(Change.CREATED);
        assertThat(h.previousEndpointIds()).isNull();
        assertThat(h.identityRotatedAt()).isNull();
    }

    @Test
    void theSameIdentityChangesNothing() {
        EndpointId id = Ed25519Identity.generate().endpointId();
        ReflectorInstanceStatus previous = recorded(id, List.of("PP-OLD"), "2026-11-01T00:00:00Z");
        IdentityHistory h = IdentityHistory.of(previous, usable(id), NOW);
        assertThat(h).isEqualTo(new IdentityHistory(Change.NONE, List.of("PP-OLD"), "2026-11-01T00:00:00Z"));
    }

    @Test
    void aRotationKeepsTheReplacedIdNewestFirstAndStampsTheTime() {
        EndpointId a = Ed25519Identity.generate().endpointId();
        EndpointId b = Ed25519Identity.generate().endpointId();
        EndpointId c = Ed25519Identity.generate().endpointId();
        // b was replaced by a earlier; now a is replaced by c.
        IdentityHistory h =
                IdentityHistory.of(recorded(a, List.of(b.toString()), "2026-11-01T00:00:00Z"), usable(c), NOW);
        assertThat(h.change()).isEqualTo(Change.ROTATED);
        assertThat(h.previousEndpointIds()).containsExactly(a.toString(), b.toString());
        assertThat(h.identityRotatedAt()).isEqualTo("2026-11-30T12:00:00Z");
    }

    @Test
    void rotatingBackDropsTheCurrentIdFromTheHistoryAndTheHistoryIsBounded() {
        EndpointId a = Ed25519Identity.generate().endpointId();
        EndpointId b = Ed25519Identity.generate().endpointId();
        IdentityHistory back = IdentityHistory.of(recorded(b, List.of(a.toString()), null), usable(a), NOW);
        assertThat(back.previousEndpointIds()).containsExactly(b.toString());

        List<String> many = IntStream.range(0, 20).mapToObj(i -> "PP-" + i).toList();
        IdentityHistory bounded = IdentityHistory.of(recorded(b, many, null), usable(a), NOW);
        assertThat(bounded.previousEndpointIds())
                .hasSize(ReflectorInstanceStatus.MAX_PREVIOUS_ENDPOINT_IDS)
                .startsWith(b.toString(), "PP-0");
    }

    @Test
    void anUnusableIdentityIsReportedOnceAndAnIdentityBeingCreatedNever() {
        var missing = new IdentityResolver.Identity(
                Optional.empty(), false, "mine", "SecretNotFound", "identity Secret mine does not exist");
        ReflectorInstanceStatus wasFine = recorded(Ed25519Identity.generate().endpointId(), null, null);
        assertThat(IdentityHistory.of(wasFine, missing, NOW).change()).isEqualTo(Change.INVALID);

        ReflectorInstanceStatus alreadyFalse =
                recorded(Ed25519Identity.generate().endpointId(), null, null);
        alreadyFalse.conditions = new Conditions(null, 1L)
                .set(
                        ReflectorInstanceReconciler.IDENTITY_READY,
                        false,
                        "SecretNotFound",
                        "identity Secret mine does not exist")
                .build();
        IdentityHistory again = IdentityHistory.of(alreadyFalse, missing, NOW);
        assertThat(again.change()).isEqualTo(Change.NONE);
        assertThat(again.previousEndpointIds()).isNull();

        var creating = new IdentityResolver.Identity(
                Optional.empty(), true, "r1-identity", IdentityResolver.CREATING, "being created");
        assertThat(IdentityHistory.of(new ReflectorInstanceStatus(), creating, NOW)
                        .change())
                .isEqualTo(Change.NONE);
    }

    private static IdentityResolver.Identity usable(EndpointId id) {
        return new IdentityResolver.Identity(Optional.of(id), true, "r1-identity", "Generated", "Endpoint ID " + id);
    }

    private static ReflectorInstanceStatus recorded(EndpointId id, List<String> previousIds, String rotatedAt) {
        ReflectorInstanceStatus s = new ReflectorInstanceStatus();
        s.endpointId = id.toString();
        s.previousEndpointIds = previousIds;
        s.identityRotatedAt = rotatedAt;
        return s;
    }
}
