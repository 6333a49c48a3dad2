package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Works out a ReflectorInstance's conditions and phase from what the reconciler observed: the
 * identity, the Deployment, the image policy, Pod Security admission, port overlaps and the
 * pod's last report. No API calls and no side effects (only a condition that changes status is
 * stamped with the wall clock), so every condition and reason is unit-tested without an API
 * server; the reconciler only gathers the inputs, writes the result and records Events.
 *
 * <p>One {@link Readiness} answers "why is (or isn't) the instance Ready?"; Progressing and
 * Degraded follow from it: a state that heals by itself is Progressing, one that needs someone
 * to act is Degraded. Port overlaps add to Degraded without touching Ready.
 */
final class InstanceStatusCalculator {

    /** Whether a Readiness is the normal way to Ready, something to wait for, or something to fix. */
    enum Effect {
        READY,
        PROGRESSING,
        DEGRADED
    }

    /** The Ready condition's reasons, most fundamental first. */
    enum Readiness {
        IDENTITY_NOT_READY("IdentityNotReady", Effect.PROGRESSING, false),
        IMAGE_NOT_ALLOWED(ReflectorInstanceReconciler.IMAGE_NOT_ALLOWED, Effect.DEGRADED, false),
        DEPLOYMENT_MISSING("DeploymentMissing", Effect.PROGRESSING, true),
        POD_SECURITY_REJECTED(KubeEvents.POD_SECURITY_REJECTED, Effect.DEGRADED, true),
        AWAITING_HEARTBEAT("AwaitingHeartbeat", Effect.PROGRESSING, true),
        HEARTBEAT_STALE("HeartbeatStale", Effect.DEGRADED, false),
        IDENTITY_ROTATING(ReflectorInstanceReconciler.IDENTITY_ROTATING, Effect.PROGRESSING, false),
        ENDPOINT_ID_MISMATCH("EndpointIdMismatch", Effect.DEGRADED, false),
        HEARTBEAT_FRESH("HeartbeatFresh", Effect.READY, false);

        final String reason;
        final Effect effect;
        /**
         * The pod is awaited: a Deployment whose pods admission refuses changes only its status,
         * which does not always reach the reconciler as an event, so it looks again soon.
         */
        final boolean awaitsPod;

        Readiness(String reason, Effect effect, boolean awaitsPod) {
            this.reason = reason;
            this.effect = effect;
            this.awaitsPod = awaitsPod;
        }
    }

    /**
     * What the reconciler observed. {@code previous} is the status as read (the pod's heartbeat
     * and reported Endpoint ID, the conditions' transition times); {@code endpointId},
     * {@code previousEndpointIds} and {@code identityRotatedAt} are the values this reconcile writes.
     */
    record Observed(
            ReflectorInstanceStatus previous,
            Long generation,
            IdentityResolver.Identity identity,
            String endpointId,
            List<String> previousEndpointIds,
            String identityRotatedAt,
            Optional<String> imageRefused,
            String deploymentName,
            boolean deploymentExists,
            Optional<String> podSecurityRejection,
            List<PortConflicts.Conflict> conflicts,
            Duration heartbeatStaleAfter,
            Instant now) {}

    /**
     * The outcome: the conditions and phase to write, the Ready reason (for Events and re-checks),
     * and when a rotation in progress turns into a Degraded mismatch.
     */
    record Verdict(
            Readiness readiness,
            String readyMessage,
            List<Condition> conditions,
            ReflectorInstanceStatus.Phase phase,
            Optional<Instant> heartbeat,
            Optional<Instant> rotationDeadline) {

        boolean ready() {
            return readiness.effect == Effect.READY;
        }
    }

    private InstanceStatusCalculator() {}

    static Verdict calculate(Observed o) {
        ReflectorInstanceStatus previous = o.previous();
        IdentityResolver.Identity identity = o.identity();
        Optional<Instant> heartbeat = Rfc3339.tryParse(previous.lastHeartbeat);
        boolean fresh = heartbeat
                .map(h -> h.plus(o.heartbeatStaleAfter()).isAfter(o.now()))
                .orElse(false);
        boolean idMatches = o.endpointId() != null && o.endpointId().equals(previous.reportedEndpointId);
        Optional<Instant> rotationDeadline =
                Rfc3339.tryParse(o.identityRotatedAt()).map(t -> t.plus(ReflectorInstanceReconciler.ROTATION_GRACE));
        // A planned rotation: the pod still serves an ID the operator replaced a moment ago.
        boolean rotating = !idMatches
                && previous.reportedEndpointId != null
                && o.previousEndpointIds() != null
                && o.previousEndpointIds().contains(previous.reportedEndpointId)
                && rotationDeadline.map(o.now()::isBefore).orElse(false);

        Readiness readiness;
        String message;
        if (identity.endpointId().isEmpty()) {
            readiness = Readiness.IDENTITY_NOT_READY;
            message = identity.message();
        } else if (o.imageRefused().isPresent()) {
            readiness = Readiness.IMAGE_NOT_ALLOWED;
            message = o.imageRefused().get() + "; no Deployment is created";
        } else if (!o.deploymentExists()) {
            readiness = Readiness.DEPLOYMENT_MISSING;
            message = "Deployment " + o.deploymentName() + " is being created";
        } else if (o.podSecurityRejection().isPresent()) {
            readiness = Readiness.POD_SECURITY_REJECTED;
            message = o.podSecurityRejection().get();
        } else if (heartbeat.isEmpty()) {
            readiness = Readiness.AWAITING_HEARTBEAT;
            message = "the reflector has not reported yet";
        } else if (!fresh) {
            readiness = Readiness.HEARTBEAT_STALE;
            message = "last heartbeat " + previous.lastHeartbeat + " is older than "
                    + o.heartbeatStaleAfter().toSeconds() + "s";
        } else if (rotating) {
            readiness = Readiness.IDENTITY_ROTATING;
            message = "rotating to " + o.endpointId() + ": the reflector still serves the previous "
                    + previous.reportedEndpointId + " (Degraded if it still does at " + rotationDeadline.get() + ")";
        } else if (!idMatches) {
            readiness = Readiness.ENDPOINT_ID_MISMATCH;
            message = "the reflector serves " + previous.reportedEndpointId + ", expected " + o.endpointId();
        } else {
            readiness = Readiness.HEARTBEAT_FRESH;
            message = "the reflector reported at " + previous.lastHeartbeat;
        }

        // An identity being generated heals by itself; a missing or unusable Secret needs the user.
        boolean identityBroken =
                readiness == Readiness.IDENTITY_NOT_READY && !IdentityResolver.CREATING.equals(identity.reason());
        Effect effect = identityBroken ? Effect.DEGRADED : readiness.effect;
        String conflicts = PortConflicts.describe(o.conflicts());

        Conditions c = new Conditions(previous.conditions, o.generation());
        c.set(
                ReflectorInstanceReconciler.IDENTITY_READY,
                identity.endpointId().isPresent(),
                identity.reason(),
                identity.message());
        c.set(ReflectorInstanceReconciler.READY, effect == Effect.READY, readiness.reason, message);
        boolean progressing = effect == Effect.PROGRESSING;
        c.set(
                ReflectorInstanceReconciler.PROGRESSING,
                progressing,
                progressing ? readiness.reason : "Settled",
                progressing ? message : "nothing in progress");
        boolean degraded = effect == Effect.DEGRADED || !conflicts.isEmpty();
        setDegradedAndPortConflict(
                c,
                effect == Effect.DEGRADED,
                identityBroken ? identity.reason() : readiness.reason,
                message,
                conflicts);

        ReflectorInstanceStatus.Phase phase = degraded
                ? ReflectorInstanceStatus.Phase.Degraded
                : effect == Effect.READY
                        ? ReflectorInstanceStatus.Phase.Ready
                        : o.endpointId() == null
                                ? ReflectorInstanceStatus.Phase.Pending
                                : ReflectorInstanceStatus.Phase.Progressing;
        return new Verdict(
                readiness,
                message,
                c.build(),
                phase,
                heartbeat,
                readiness == Readiness.IDENTITY_ROTATING ? rotationDeadline : Optional.empty());
    }

    /** Degraded (a problem to fix, else a port overlap, else none) and PortConflict, for Single and PerNode alike. */
    static void setDegradedAndPortConflict(
            Conditions c, boolean problem, String problemReason, String problemMessage, String conflicts) {
        if (problem) {
            c.set(ReflectorInstanceReconciler.DEGRADED, true, problemReason, problemMessage);
        } else if (!conflicts.isEmpty()) {
            c.set(ReflectorInstanceReconciler.DEGRADED, true, ReflectorInstanceReconciler.PORT_CONFLICT, conflicts);
        } else {
            c.set(ReflectorInstanceReconciler.DEGRADED, false, "AsExpected", "no problems found");
        }
        c.set(
                ReflectorInstanceReconciler.PORT_CONFLICT,
                !conflicts.isEmpty(),
                conflicts.isEmpty() ? "NoOverlap" : "HostPortsOverlap",
                conflicts.isEmpty()
                        ? "no hostNetwork instance created earlier that may share a node uses these ports"
                        : conflicts);
    }

    /** host:port, an IPv6 address in brackets. */
    static String hostPort(String host, int port) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    /**
     * The Deployment's ReplicaFailure condition when Pod Security admission refused its pods
     * (the ReplicaSet controller's FailedCreate message names "PodSecurity"), as a message that
     * gives the fix.
     */
    static Optional<String> podSecurityRejection(ReflectorInstance instance, Deployment d) {
        if (d.getStatus() == null || d.getStatus().getConditions() == null) return Optional.empty();
        return d.getStatus().getConditions().stream()
                .filter(c -> "ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> c.getMessage() == null ? "" : c.getMessage())
                .filter(m -> m.contains("PodSecurity"))
                .findFirst()
                .map(m -> "Pod Security admission rejects the reflector's pods: " + m + ". A reflector with hostNetwork"
                        + " needs a namespace that allows it: kubectl label namespace "
                        + instance.getMetadata().getNamespace()
                        + " pod-security.kubernetes.io/enforce=privileged --overwrite");
    }
}
