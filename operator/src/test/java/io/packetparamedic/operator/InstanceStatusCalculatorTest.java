package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.crd.ReflectorInstanceStatus.Phase;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.operator.InstanceStatusCalculator.Observed;
import io.packetparamedic.operator.InstanceStatusCalculator.Readiness;
import io.packetparamedic.operator.InstanceStatusCalculator.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every reason of Ready, and how Progressing, Degraded, PortConflict and the phase follow from it. */
class InstanceStatusCalculatorTest {

    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final Duration STALE_AFTER = Duration.ofSeconds(90);
    static final EndpointId CURRENT = Ed25519Identity.generate().endpointId();
    static final EndpointId OLD = Ed25519Identity.generate().endpointId();
    static final IdentityResolver.Identity GENERATED = new IdentityResolver.Identity(
            Optional.of(CURRENT),
            true,
            "r1-identity",
            "Generated",
            "Endpoint ID " + CURRENT + " from Secret r1-identity");
    static final List<PortConflicts.Conflict> OVERLAP = List.of(new PortConflicts.Conflict("ns/old", 4000, "any node"));

    /** A healthy instance; each test changes the one thing it is about. */
    private static Case healthy() {
        ReflectorInstanceStatus previous = new ReflectorInstanceStatus();
        previous.lastHeartbeat = "2026-11-30T11:59:30Z";
        previous.reportedEndpointId = CURRENT.toString();
        previous.endpointId = CURRENT.toString();
        return new Case(previous);
    }

    @Test
    void freshHeartbeatWithTheExpectedIdIsReadyAndNothingElse() {
        Verdict v = healthy().calculate();
        assertThat(v.readiness()).isEqualTo(Readiness.HEARTBEAT_FRESH);
        assertCondition(v, "Ready", "True", "HeartbeatFresh", "the reflector reported at 2026-11-30T11:59:30Z");
        assertCondition(v, "IdentityReady", "True", "Generated", "Endpoint ID " + CURRENT + " from Secret r1-identity");
        assertCondition(v, "Progressing", "False", "Settled", "nothing in progress");
        assertCondition(v, "Degraded", "False", "AsExpected", "no problems found");
        assertCondition(
                v,
                "PortConflict",
                "False",
                "NoOverlap",
                "no hostNetwork instance created earlier that may share a node uses these ports");
        assertThat(v.phase()).isEqualTo(Phase.Ready);
        assertThat(v.rotationDeadline()).isEmpty();
        assertThat(v.readiness().awaitsPod).isFalse();
    }

    @Test
    void anIdentityBeingGeneratedIsProgressingAndPending() {
        var creating = new IdentityResolver.Identity(
                Optional.empty(),
                true,
                "r1-identity",
                IdentityResolver.CREATING,
                "identity Secret r1-identity is being created");
        Verdict v = healthy().identity(creating).endpointId(null).calculate();
        assertCondition(v, "IdentityReady", "False", "Creating", "identity Secret r1-identity is being created");
        assertCondition(v, "Ready", "False", "IdentityNotReady", "identity Secret r1-identity is being created");
        assertCondition(v, "Progressing", "True", "IdentityNotReady", "identity Secret r1-identity is being created");
        assertCondition(v, "Degraded", "False", "AsExpected", "no problems found");
        assertThat(v.phase()).isEqualTo(Phase.Pending);
    }

    @Test
    void aMissingIdentitySecretIsDegradedWithTheIdentitysReason() {
        var missing = new IdentityResolver.Identity(
                Optional.empty(), false, "mine", "SecretNotFound", "identity Secret mine does not exist");
        Verdict v = healthy().identity(missing).calculate();
        assertCondition(v, "Ready", "False", "IdentityNotReady", "identity Secret mine does not exist");
        assertCondition(v, "Progressing", "False", "Settled", "nothing in progress");
        assertCondition(v, "Degraded", "True", "SecretNotFound", "identity Secret mine does not exist");
        // The recorded Endpoint ID is kept, but the instance is not merely Pending.
        assertThat(v.phase()).isEqualTo(Phase.Degraded);
    }

    @Test
    void aRefusedImageIsDegradedAndSaysNoDeploymentIsCreated() {
        Verdict v = healthy()
                .imageRefused("image evil:1 is not in the allowed list")
                .calculate();
        String message = "image evil:1 is not in the allowed list; no Deployment is created";
        assertCondition(v, "Ready", "False", "ImageNotAllowed", message);
        assertCondition(v, "Degraded", "True", "ImageNotAllowed", message);
        assertCondition(v, "Progressing", "False", "Settled", "nothing in progress");
        assertThat(v.phase()).isEqualTo(Phase.Degraded);
    }

    @Test
    void aDeploymentBeingCreatedIsProgressingAndLooksAgainSoon() {
        Verdict v = healthy().noDeployment().calculate();
        assertCondition(v, "Ready", "False", "DeploymentMissing", "Deployment r1-reflector is being created");
        assertCondition(v, "Progressing", "True", "DeploymentMissing", "Deployment r1-reflector is being created");
        assertCondition(v, "Degraded", "False", "AsExpected", "no problems found");
        assertThat(v.phase()).isEqualTo(Phase.Progressing);
        assertThat(v.readiness().awaitsPod).isTrue();
    }

    @Test
    void podsRefusedByPodSecurityAreDegradedAndLookedAtAgainSoon() {
        Verdict v = healthy()
                .podSecurity("Pod Security admission rejects the reflector's pods: x")
                .calculate();
        assertCondition(
                v, "Ready", "False", "PodSecurityRejected", "Pod Security admission rejects the reflector's pods: x");
        assertCondition(
                v, "Degraded", "True", "PodSecurityRejected", "Pod Security admission rejects the reflector's pods: x");
        assertThat(v.phase()).isEqualTo(Phase.Degraded);
        assertThat(v.readiness().awaitsPod).isTrue();
    }

    @Test
    void noHeartbeatYetIsProgressing() {
        Verdict v = healthy().heartbeat(null).calculate();
        assertCondition(v, "Ready", "False", "AwaitingHeartbeat", "the reflector has not reported yet");
        assertCondition(v, "Progressing", "True", "AwaitingHeartbeat", "the reflector has not reported yet");
        assertThat(v.phase()).isEqualTo(Phase.Progressing);
        assertThat(v.readiness().awaitsPod).isTrue();
    }

    @Test
    void aStaleHeartbeatIsDegradedOnlyOnceOlderThanTheLimit() {
        assertThat(healthy().heartbeat("2026-11-30T11:58:31Z").calculate().readiness())
                .isEqualTo(Readiness.HEARTBEAT_FRESH);
        Verdict v = healthy().heartbeat("2026-11-30T11:58:30Z").calculate();
        String message = "last heartbeat 2026-11-30T11:58:30Z is older than 90s";
        assertCondition(v, "Ready", "False", "HeartbeatStale", message);
        assertCondition(v, "Degraded", "True", "HeartbeatStale", message);
        assertCondition(v, "Progressing", "False", "Settled", "nothing in progress");
        assertThat(v.phase()).isEqualTo(Phase.Degraded);
        assertThat(v.heartbeat()).contains(Instant.parse("2026-11-30T11:58:30Z"));
    }

    @Test
    void anUnparseableHeartbeatCountsAsNone() {
        assertThat(healthy().heartbeat("yesterday").calculate().readiness()).isEqualTo(Readiness.AWAITING_HEARTBEAT);
    }

    @Test
    void thePreviousIdWithinTheGraceIsARotationInProgress() {
        Verdict v = healthy()
                .reported(OLD)
                .rotated(List.of(OLD.toString()), "2026-11-30T11:55:00Z")
                .calculate();
        Instant deadline = Instant.parse("2026-11-30T11:55:00Z").plus(ReflectorInstanceReconciler.ROTATION_GRACE);
        String message = "rotating to " + CURRENT + ": the reflector still serves the previous " + OLD
                + " (Degraded if it still does at " + deadline + ")";
        assertCondition(v, "Ready", "False", "IdentityRotating", message);
        assertCondition(v, "Progressing", "True", "IdentityRotating", message);
        assertCondition(v, "Degraded", "False", "AsExpected", "no problems found");
        assertThat(v.phase()).isEqualTo(Phase.Progressing);
        assertThat(v.rotationDeadline()).contains(deadline);
    }

    @Test
    void thePreviousIdAfterTheGraceIsAMismatch() {
        Verdict v = healthy()
                .reported(OLD)
                .rotated(List.of(OLD.toString()), "2026-11-30T11:45:00Z")
                .calculate();
        assertThat(v.readiness()).isEqualTo(Readiness.ENDPOINT_ID_MISMATCH);
        assertThat(v.rotationDeadline()).isEmpty();
    }

    @Test
    void anUnexpectedIdIsDegraded() {
        EndpointId stranger = Ed25519Identity.generate().endpointId();
        Verdict v = healthy()
                .reported(stranger)
                .rotated(List.of(OLD.toString()), "2026-11-30T11:55:00Z")
                .calculate();
        String message = "the reflector serves " + stranger + ", expected " + CURRENT;
        assertCondition(v, "Ready", "False", "EndpointIdMismatch", message);
        assertCondition(v, "Degraded", "True", "EndpointIdMismatch", message);
        assertThat(v.phase()).isEqualTo(Phase.Degraded);
    }

    @Test
    void aPortOverlapDegradesAReadyInstanceWithoutTouchingReady() {
        Verdict v = healthy().conflicts(OVERLAP).calculate();
        String message = "host port 4000 is already used by ReflectorInstance ns/old on any node";
        assertCondition(v, "Ready", "True", "HeartbeatFresh", "the reflector reported at 2026-11-30T11:59:30Z");
        assertCondition(v, "Degraded", "True", "PortConflict", message);
        assertCondition(v, "PortConflict", "True", "HostPortsOverlap", message);
        assertThat(v.phase()).isEqualTo(Phase.Degraded);
    }

    @Test
    void aProblemOfTheReflectorItselfNamesDegradedBeforeAPortOverlap() {
        Verdict v =
                healthy().heartbeat("2026-11-30T11:00:00Z").conflicts(OVERLAP).calculate();
        assertThat(condition(v, "Degraded").getReason()).isEqualTo("HeartbeatStale");
        assertThat(condition(v, "PortConflict").getStatus()).isEqualTo("True");
    }

    @Test
    void recalculatingAnUnchangedStateKeepsTheTransitionTimes() {
        Case first = healthy().heartbeat(null);
        Verdict before = first.calculate();
        ReflectorInstanceStatus written = first.previous;
        written.conditions = before.conditions();
        Verdict again =
                new Case(written).heartbeat(null).at(NOW.plusSeconds(30)).calculate();
        assertThat(again.conditions()).isEqualTo(before.conditions());
        Verdict changed = new Case(written)
                .at(NOW.plusSeconds(30))
                .heartbeat("2026-11-30T12:00:20Z")
                .calculate();
        assertThat(condition(changed, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(changed, "Degraded").getLastTransitionTime())
                .isEqualTo(condition(before, "Degraded").getLastTransitionTime());
    }

    /** One observation, healthy unless a test says otherwise. */
    private static final class Case {
        final ReflectorInstanceStatus previous;
        IdentityResolver.Identity identity = GENERATED;
        String endpointId = CURRENT.toString();
        List<String> previousEndpointIds;
        String rotatedAt;
        Optional<String> imageRefused = Optional.empty();
        boolean deployment = true;
        Optional<String> podSecurity = Optional.empty();
        List<PortConflicts.Conflict> conflicts = List.of();
        Instant now = NOW;

        Case(ReflectorInstanceStatus previous) {
            this.previous = previous;
        }

        Case identity(IdentityResolver.Identity i) {
            identity = i;
            return this;
        }

        Case endpointId(String id) {
            endpointId = id;
            return this;
        }

        Case imageRefused(String why) {
            imageRefused = Optional.of(why);
            return this;
        }

        Case noDeployment() {
            deployment = false;
            return this;
        }

        Case podSecurity(String why) {
            podSecurity = Optional.of(why);
            return this;
        }

        Case heartbeat(String at) {
            previous.lastHeartbeat = at;
            return this;
        }

        Case reported(EndpointId id) {
            previous.reportedEndpointId = id.toString();
            return this;
        }

        Case rotated(List<String> before, String at) {
            previousEndpointIds = before;
            rotatedAt = at;
            return this;
        }

        Case conflicts(List<PortConflicts.Conflict> c) {
            conflicts = c;
            return this;
        }

        Case at(Instant t) {
            now = t;
            return this;
        }

        Verdict calculate() {
            return InstanceStatusCalculator.calculate(new Observed(
                    previous,
                    3L,
                    identity,
                    endpointId,
                    previousEndpointIds,
                    rotatedAt,
                    imageRefused,
                    "r1-reflector",
                    deployment,
                    podSecurity,
                    conflicts,
                    STALE_AFTER,
                    now));
        }
    }

    private static void assertCondition(Verdict v, String type, String status, String reason, String message) {
        Condition c = condition(v, type);
        assertThat(c.getStatus()).as(type + " status").isEqualTo(status);
        assertThat(c.getReason()).as(type + " reason").isEqualTo(reason);
        assertThat(c.getMessage()).as(type + " message").isEqualTo(message);
        assertThat(c.getObservedGeneration()).isEqualTo(3L);
    }

    private static Condition condition(Verdict v, String type) {
        return Conditions.find(v.conditions(), type).orElseThrow(() -> new AssertionError("no condition " + type));
    }
}
