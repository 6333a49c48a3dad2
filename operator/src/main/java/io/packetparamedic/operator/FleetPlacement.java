package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Node;
import io.packetparamedic.api.crd.NodeReport;
import io.packetparamedic.api.crd.NodeStatus;
import io.packetparamedic.api.crd.Placement;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.time.Rfc3339;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The nodes a PerNode instance runs on now: the eligible ones ({@link NodeEligibility}) up to
 * maxNodes — first those already serving (in status.nodes, not leaving), then newcomers by name —
 * plus those that left (stopped matching or disappeared) less than the grace
 * period ago or still run sessions. A pure function of the instance (its placement, and in its
 * status when each node left and what each node's reflector last reported), the nodes and the
 * clock, so the dependents and the reconciler that ask within one reconcile agree.
 *
 * <p>Sessions count only while the node's heartbeat is fresh: a reflector that stopped reporting
 * cannot be seen running anything, and its node must not be held forever.
 */
record FleetPlacement(List<PlacedNode> nodes) {

    /** A node with a reflector; {@code leftAt} is set once it no longer matches. */
    record PlacedNode(String name, Optional<Node> node, Optional<Instant> leftAt) {
        boolean leaving() {
            return leftAt.isPresent();
        }
    }

    static boolean perNode(ReflectorInstance instance) {
        return instance.getSpec() != null
                && instance.getSpec().placement != null
                && instance.getSpec().placement.mode == Placement.Mode.PerNode;
    }

    static FleetPlacement of(
            ReflectorInstance instance, Collection<Node> nodes, Instant now, Duration grace, Duration staleAfter) {
        if (!perNode(instance)) return new FleetPlacement(List.of());
        Placement placement = instance.getSpec().placement;
        int max = Math.min(
                placement.maxNodes == null ? Integer.MAX_VALUE : placement.maxNodes, ReflectorInstanceStatus.MAX_NODES);
        Map<String, Node> byName = nodes.stream()
                .collect(Collectors.toMap(n -> n.getMetadata().getName(), Function.identity(), (a, b) -> a));
        ReflectorInstanceStatus status = instance.getStatus();
        List<NodeStatus> before = status == null || status.nodes == null ? List.of() : status.nodes;
        Set<String> serving = before.stream()
                .filter(n -> n.node != null && n.leftAt == null)
                .map(n -> n.node)
                .collect(Collectors.toSet());
        // Sticky: the nodes already serving keep their places (a newcomer whose name sorts first
        // must not evict a healthy node and hand its appliances a new Endpoint ID); newcomers
        // fill what maxNodes leaves, by name.
        Set<String> matching = nodes.stream()
                .filter(n -> NodeEligibility.eligible(n, placement))
                .map(n -> n.getMetadata().getName())
                .sorted(Comparator.comparing((String name) -> !serving.contains(name))
                        .thenComparing(Comparator.naturalOrder()))
                .limit(max)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        List<PlacedNode> placed = new ArrayList<>();
        matching.forEach(
                name -> placed.add(new PlacedNode(name, Optional.ofNullable(byName.get(name)), Optional.empty())));
        for (NodeStatus previous : before) {
            if (previous.node == null || matching.contains(previous.node)) continue;
            Instant leftAt = Rfc3339.tryParse(previous.leftAt).orElse(now);
            if (now.isBefore(leftAt.plus(grace)) || runsSessions(status, previous.node, now, staleAfter)) {
                placed.add(new PlacedNode(
                        previous.node, Optional.ofNullable(byName.get(previous.node)), Optional.of(leftAt)));
            }
        }
        return new FleetPlacement(placed.stream()
                .sorted(Comparator.comparing(PlacedNode::name))
                .limit(ReflectorInstanceStatus.MAX_NODES)
                .toList());
    }

    /** Whether the node's reflector reports running sessions, recently enough to be believed. */
    static boolean runsSessions(ReflectorInstanceStatus status, String node, Instant now, Duration staleAfter) {
        NodeReport report = status.nodeReports == null ? null : status.nodeReports.get(node);
        if (report == null || report.activeSessionCount == null || report.activeSessionCount <= 0) return false;
        return Rfc3339.tryParse(report.lastHeartbeat)
                .map(h -> h.plus(staleAfter).isAfter(now))
                .orElse(false);
    }

    List<String> names() {
        return nodes.stream().map(PlacedNode::name).toList();
    }

    /** When the next leaving node's grace period ends (it may still be held by sessions then). */
    Optional<Instant> nextRemoval(Duration grace) {
        return nodes.stream()
                .flatMap(n -> n.leftAt().stream())
                .map(t -> t.plus(grace))
                .min(Comparator.naturalOrder());
    }
}
