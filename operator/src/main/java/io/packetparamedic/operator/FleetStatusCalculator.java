package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.packetparamedic.api.crd.NodeReport;
import io.packetparamedic.api.crd.NodeStatus;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The status of a PerNode instance: one {@link NodeStatus} per placed node, READY as
 * "ready/matching", and conditions that name each unhealthy node and why. Like
 * {@link InstanceStatusCalculator}, no API calls and no side effects, so it is unit-tested
 * without an API server. Nodes that are leaving are listed but not counted: READY counts the
 * nodes the placement wants.
 */
final class FleetStatusCalculator {

    /** Why one node is (not) ready, most fundamental first; the Effect says heals-by-itself or needs someone. */
    enum NodeReadiness {
        IDENTITY_NOT_READY("IdentityNotReady", InstanceStatusCalculator.Effect.PROGRESSING),
        DEPLOYMENT_MISSING("DeploymentMissing", InstanceStatusCalculator.Effect.PROGRESSING),
        AWAITING_HEARTBEAT("AwaitingHeartbeat", InstanceStatusCalculator.Effect.PROGRESSING),
        HEARTBEAT_STALE("HeartbeatStale", InstanceStatusCalculator.Effect.DEGRADED),
        ENDPOINT_ID_MISMATCH("EndpointIdMismatch", InstanceStatusCalculator.Effect.DEGRADED),
        HEARTBEAT_FRESH("HeartbeatFresh", InstanceStatusCalculator.Effect.READY);

        final String reason;
        final InstanceStatusCalculator.Effect effect;

        NodeReadiness(String reason, InstanceStatusCalculator.Effect effect) {
            this.reason = reason;
            this.effect = effect;
        }
    }

    /** What the reconciler found for one placed node. */
    record NodeInputs(
            FleetPlacement.PlacedNode placed,
            Optional<String> endpointId,
            boolean deploymentExists,
            Optional<NodeReport> report) {}

    record Observed(
            ReflectorInstanceStatus previous,
            Long generation,
            List<NodeInputs> nodes,
            Optional<String> imageRefused,
            List<PortConflicts.Conflict> conflicts,
            int controlPort,
            Optional<String> advertisedAddress,
            Duration heartbeatStaleAfter,
            Instant now) {}

    record Verdict(
            List<NodeStatus> nodes,
            String ready,
            List<Condition> conditions,
            ReflectorInstanceStatus.Phase phase,
            boolean awaitsPod,
            Optional<Instant> nextStale) {}

    private record Judged(NodeInputs in, NodeReadiness readiness, String message) {}

    private FleetStatusCalculator() {}

    static Verdict calculate(Observed o) {
        List<Judged> judged = o.nodes().stream()
                .map(n -> judge(n, o.heartbeatStaleAfter(), o.now()))
                .toList();
        List<Judged> wanted =
                judged.stream().filter(j -> !j.in().placed().leaving()).toList();
        long ready = wanted.stream()
                .filter(j -> j.readiness() == NodeReadiness.HEARTBEAT_FRESH)
                .count();
        List<Judged> unhealthy = wanted.stream()
                .filter(j -> j.readiness() != NodeReadiness.HEARTBEAT_FRESH)
                .sorted(Comparator.comparing(
                                (Judged j) -> j.readiness().effect != InstanceStatusCalculator.Effect.DEGRADED)
                        .thenComparing(j -> j.in().placed().name()))
                .toList();
        String problems = unhealthy.stream()
                .map(j -> j.in().placed().name() + ": " + j.message())
                .collect(Collectors.joining("; "));
        String count = ready + "/" + wanted.size();

        String reason;
        String message;
        InstanceStatusCalculator.Effect effect;
        if (o.imageRefused().isPresent()) {
            reason = ReflectorInstanceReconciler.IMAGE_NOT_ALLOWED;
            message = o.imageRefused().get() + "; no Deployment is created";
            effect = InstanceStatusCalculator.Effect.DEGRADED;
        } else if (wanted.isEmpty()) {
            reason = "NoMatchingNodes";
            message = "no Ready, schedulable node matches spec.placement (nodeSelector, tolerations)";
            effect = InstanceStatusCalculator.Effect.DEGRADED;
        } else if (unhealthy.isEmpty()) {
            reason = "AllNodesReady";
            message = count + " nodes ready";
            effect = InstanceStatusCalculator.Effect.READY;
        } else {
            reason = unhealthy.get(0).readiness().reason;
            message = count + " nodes ready; " + problems;
            effect = unhealthy.get(0).readiness().effect;
        }

        boolean identitiesReady =
                wanted.stream().allMatch(j -> j.in().endpointId().isPresent());
        Conditions c = new Conditions(o.previous().conditions, o.generation());
        c.set(
                ReflectorInstanceReconciler.IDENTITY_READY,
                identitiesReady,
                identitiesReady ? "Generated" : IdentityResolver.CREATING,
                identitiesReady
                        ? "each of " + wanted.size() + " nodes has its own generated identity"
                        : "identity Secrets are being created for: "
                                + wanted.stream()
                                        .filter(j -> j.in().endpointId().isEmpty())
                                        .map(j -> j.in().placed().name())
                                        .collect(Collectors.joining(", ")));
        c.set(ReflectorInstanceReconciler.READY, effect == InstanceStatusCalculator.Effect.READY, reason, message);
        boolean progressing = effect == InstanceStatusCalculator.Effect.PROGRESSING;
        c.set(
                ReflectorInstanceReconciler.PROGRESSING,
                progressing,
                progressing ? reason : "Settled",
                progressing ? message : "nothing in progress");
        String conflicts = PortConflicts.describe(o.conflicts());
        boolean degraded = effect == InstanceStatusCalculator.Effect.DEGRADED || !conflicts.isEmpty();
        InstanceStatusCalculator.setDegradedAndPortConflict(
                c, effect == InstanceStatusCalculator.Effect.DEGRADED, reason, message, conflicts);

        ReflectorInstanceStatus.Phase phase = degraded
                ? ReflectorInstanceStatus.Phase.Degraded
                : effect == InstanceStatusCalculator.Effect.READY
                        ? ReflectorInstanceStatus.Phase.Ready
                        : ReflectorInstanceStatus.Phase.Progressing;
        boolean awaitsPod = judged.stream()
                .anyMatch(j -> j.readiness() == NodeReadiness.DEPLOYMENT_MISSING
                        || j.readiness() == NodeReadiness.AWAITING_HEARTBEAT
                        || j.readiness() == NodeReadiness.IDENTITY_NOT_READY);
        Optional<Instant> nextStale = judged.stream()
                .flatMap(j -> heartbeat(j.in()).stream())
                .map(h -> h.plus(o.heartbeatStaleAfter()))
                .filter(t -> t.isAfter(o.now()))
                .min(Comparator.naturalOrder());
        return new Verdict(
                judged.stream().map(j -> nodeStatus(j, o)).toList(), count, c.build(), phase, awaitsPod, nextStale);
    }

    private static Judged judge(NodeInputs n, Duration staleAfter, Instant now) {
        Optional<Instant> heartbeat = heartbeat(n);
        String reported = n.report().map(r -> r.reportedEndpointId).orElse(null);
        if (n.endpointId().isEmpty()) {
            return new Judged(n, NodeReadiness.IDENTITY_NOT_READY, "its identity Secret is being created");
        }
        if (!n.deploymentExists()) {
            return new Judged(n, NodeReadiness.DEPLOYMENT_MISSING, "its Deployment is being created");
        }
        if (heartbeat.isEmpty()) {
            return new Judged(n, NodeReadiness.AWAITING_HEARTBEAT, "its reflector has not reported yet");
        }
        if (!heartbeat.get().plus(staleAfter).isAfter(now)) {
            return new Judged(
                    n,
                    NodeReadiness.HEARTBEAT_STALE,
                    "last heartbeat " + Rfc3339.format(heartbeat.get()) + " is older than " + staleAfter.toSeconds()
                            + "s");
        }
        if (!n.endpointId().get().equals(reported)) {
            return new Judged(
                    n,
                    NodeReadiness.ENDPOINT_ID_MISMATCH,
                    "its reflector serves " + reported + ", expected "
                            + n.endpointId().get());
        }
        return new Judged(n, NodeReadiness.HEARTBEAT_FRESH, "reported at " + Rfc3339.format(heartbeat.get()));
    }

    private static Optional<Instant> heartbeat(NodeInputs n) {
        return n.report().flatMap(r -> Rfc3339.tryParse(r.lastHeartbeat));
    }

    private static NodeStatus nodeStatus(Judged j, Observed o) {
        NodeInputs in = j.in();
        NodeStatus s = new NodeStatus();
        s.node = in.placed().name();
        s.endpointId = in.endpointId().orElse(null);
        Optional<String> host = o.advertisedAddress()
                .or(() -> in.placed().node().flatMap(NodeEligibility::internalIp))
                .or(() -> in.report().map(r -> r.advertisedAddress));
        s.address = host.map(h -> InstanceStatusCalculator.hostPort(h, o.controlPort()))
                .orElse(null);
        s.ready = j.readiness() == NodeReadiness.HEARTBEAT_FRESH;
        s.reason = j.readiness().reason;
        s.leftAt = in.placed().leftAt().map(Rfc3339::format).orElse(null);
        return s;
    }
}
