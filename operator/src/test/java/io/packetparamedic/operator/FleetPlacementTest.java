package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.packetparamedic.api.crd.NodeReport;
import io.packetparamedic.api.crd.NodeStatus;
import io.packetparamedic.api.crd.Placement;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetPlacementTest {

    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final Duration GRACE = Duration.ofMinutes(10);
    static final Duration STALE = Duration.ofSeconds(90);
    static final Map<String, String> EDGE = Map.of("role", "edge");

    static ReflectorInstance perNode(Map<String, String> selector, Integer maxNodes, Toleration... tolerations) {
        ReflectorInstance i = new ReflectorInstance();
        i.getMetadata().setName("fleet");
        i.getMetadata().setNamespace("ns");
        i.setSpec(new ReflectorInstanceSpec());
        i.getSpec().placement = new Placement(Placement.Mode.PerNode);
        i.getSpec().placement.nodeSelector = selector;
        i.getSpec().placement.maxNodes = maxNodes;
        i.getSpec().placement.tolerations = tolerations.length == 0 ? null : List.of(tolerations);
        return i;
    }

    static NodeStatus placed(String node, String leftAt) {
        NodeStatus s = new NodeStatus();
        s.node = node;
        s.leftAt = leftAt;
        return s;
    }

    @Test
    void readyMatchingSchedulableNodesFirstByNameUpToMaxNodes() {
        Node cordoned = Nodes.node("a-cordoned", EDGE, true, "10.0.0.1");
        cordoned.getSpec().setUnschedulable(true);
        List<Node> nodes = List.of(
                Nodes.node("edge-c", EDGE, true, "10.0.0.4"),
                Nodes.node("edge-a", EDGE, true, "10.0.0.2"),
                Nodes.node("edge-b", EDGE, true, "10.0.0.3"),
                Nodes.node("edge-0-notready", EDGE, false, "10.0.0.5"),
                Nodes.node("core-1", Map.of("role", "core"), true, "10.0.0.6"),
                cordoned);

        assertThat(FleetPlacement.of(perNode(EDGE, 2), nodes, NOW, GRACE, STALE).names())
                .containsExactly("edge-a", "edge-b");
        assertThat(FleetPlacement.of(perNode(EDGE, null), nodes, NOW, GRACE, STALE)
                        .names())
                .containsExactly("edge-a", "edge-b", "edge-c");
        assertThat(FleetPlacement.of(perNode(null, null), nodes, NOW, GRACE, STALE)
                        .names())
                .containsExactly("core-1", "edge-a", "edge-b", "edge-c");
    }

    @Test
    void placementIsStickyANewcomerDoesNotEvictANodeAlreadyServing() {
        ReflectorInstance fleet = perNode(EDGE, 2);
        fleet.setStatus(new ReflectorInstanceStatus());
        fleet.getStatus().nodes = List.of(placed("edge-b", null), placed("edge-c", null));
        Node a = Nodes.node("edge-a", EDGE, true, "10.0.0.2");
        Node b = Nodes.node("edge-b", EDGE, true, "10.0.0.3");
        Node c = Nodes.node("edge-c", EDGE, true, "10.0.0.4");

        assertThat(FleetPlacement.of(fleet, List.of(a, b, c), NOW, GRACE, STALE).names())
                .as("edge-a sorts first but b and c serve and are still eligible")
                .containsExactly("edge-b", "edge-c");

        // c stops matching: the newcomer takes the free place, c leaves through its grace period.
        Node cNotReady = Nodes.node("edge-c", EDGE, false, "10.0.0.4");
        FleetPlacement cGone = FleetPlacement.of(fleet, List.of(a, b, cNotReady), NOW, GRACE, STALE);
        assertThat(cGone.names()).containsExactly("edge-a", "edge-b", "edge-c");
        assertThat(cGone.nodes().get(2).leaving()).isTrue();
        assertThat(cGone.nodes().get(0).leaving()).isFalse();

        // A node that is leaving has no claim on a place: newcomers by name come first.
        fleet.getStatus().nodes = List.of(placed("edge-b", null), placed("edge-c", NOW.toString()));
        assertThat(FleetPlacement.of(fleet, List.of(a, b, c), NOW, GRACE, STALE).nodes().stream()
                        .filter(n -> !n.leaving())
                        .map(FleetPlacement.PlacedNode::name))
                .containsExactly("edge-a", "edge-b");
    }

    @Test
    void aSingleInstanceIsPlacedNowhere() {
        ReflectorInstance single = perNode(null, null);
        single.getSpec().placement = new Placement(Placement.Mode.Single);
        assertThat(FleetPlacement.of(single, List.of(Nodes.node("n", EDGE, true, "10.0.0.1")), NOW, GRACE, STALE)
                        .nodes())
                .isEmpty();
        single.getSpec().placement = null;
        assertThat(FleetPlacement.perNode(single)).isFalse();
    }

    @Test
    void taintsExcludeANodeUnlessTolerated() {
        Node tainted = Nodes.node("gpu", EDGE, true, "10.0.0.1", Nodes.taint("dedicated", "gpu", "NoSchedule"));
        Node preferNot = Nodes.node("soft", EDGE, true, "10.0.0.2", Nodes.taint("busy", "yes", "PreferNoSchedule"));
        assertThat(FleetPlacement.of(perNode(EDGE, null), List.of(tainted, preferNot), NOW, GRACE, STALE)
                        .names())
                .containsExactly("soft");

        Toleration equal = new TolerationBuilder()
                .withKey("dedicated")
                .withOperator("Equal")
                .withValue("gpu")
                .withEffect("NoSchedule")
                .build();
        Toleration wrongValue =
                new TolerationBuilder().withKey("dedicated").withValue("cpu").build();
        Toleration everything = new TolerationBuilder().withOperator("Exists").build();
        assertThat(FleetPlacement.of(perNode(EDGE, null, equal), List.of(tainted), NOW, GRACE, STALE)
                        .names())
                .containsExactly("gpu");
        assertThat(FleetPlacement.of(perNode(EDGE, null, wrongValue), List.of(tainted), NOW, GRACE, STALE)
                        .names())
                .isEmpty();
        assertThat(NodeEligibility.tolerates(everything, Nodes.taint("any", "thing", "NoExecute")))
                .isTrue();
        Toleration noExecuteOnly = new TolerationBuilder()
                .withKey("dedicated")
                .withOperator("Exists")
                .withEffect("NoExecute")
                .build();
        assertThat(NodeEligibility.tolerates(noExecuteOnly, Nodes.taint("dedicated", "gpu", "NoSchedule")))
                .isFalse();
    }

    @Test
    void aLeavingNodeStaysForTheGracePeriodAndLongerWhileItRunsSessions() {
        ReflectorInstance fleet = perNode(EDGE, null);
        fleet.setStatus(new ReflectorInstanceStatus());
        fleet.getStatus().nodes = List.of(placed("edge-a", null), placed("edge-gone", null));
        List<Node> nodes = List.of(Nodes.node("edge-a", EDGE, true, "10.0.0.2"));

        // Just left: kept, and stamped with now.
        FleetPlacement justLeft = FleetPlacement.of(fleet, nodes, NOW, GRACE, STALE);
        assertThat(justLeft.names()).containsExactly("edge-a", "edge-gone");
        assertThat(justLeft.nodes().get(1).leftAt()).contains(NOW);
        assertThat(justLeft.nodes().get(0).leaving()).isFalse();
        assertThat(justLeft.nextRemoval(GRACE)).contains(NOW.plus(GRACE));

        fleet.getStatus().nodes = List.of(placed("edge-a", null), placed("edge-gone", NOW.toString()));
        assertThat(FleetPlacement.of(fleet, nodes, NOW.plus(GRACE).minusSeconds(1), GRACE, STALE)
                        .names())
                .containsExactly("edge-a", "edge-gone");
        Instant after = NOW.plus(GRACE).plusSeconds(1);
        assertThat(FleetPlacement.of(fleet, nodes, after, GRACE, STALE).names()).containsExactly("edge-a");

        // Sessions hold it, while its heartbeat is fresh.
        NodeReport busy = new NodeReport();
        busy.activeSessionCount = 2;
        busy.lastHeartbeat = after.minusSeconds(5).toString();
        fleet.getStatus().nodeReports = Map.of("edge-gone", busy);
        assertThat(FleetPlacement.of(fleet, nodes, after, GRACE, STALE).names()).containsExactly("edge-a", "edge-gone");
        assertThat(FleetPlacement.of(fleet, nodes, after.plus(STALE), GRACE, STALE)
                        .names())
                .as("a report that went stale holds nothing")
                .containsExactly("edge-a");

        // A node that comes back matching is simply placed again, no longer leaving.
        List<Node> back =
                List.of(Nodes.node("edge-a", EDGE, true, "10.0.0.2"), Nodes.node("edge-gone", EDGE, true, "10.0.0.3"));
        assertThat(FleetPlacement.of(fleet, back, after, GRACE, STALE).nodes())
                .allSatisfy(n -> assertThat(n.leftAt()).isEqualTo(Optional.empty()));
    }

    @Test
    void nodeSlotsFitLabelValuesAndStayDistinct() {
        assertThat(Names.nodeSlot("worker-1")).isEqualTo("worker-1");
        String longA = "ip-10-0-0-1.eu-west-1.compute.internal.example.corp.internal";
        String longB = "ip-10-0-0-1.eu-west-1.compute.internal.example.corp.other";
        assertThat(Names.nodeSlot(longA))
                .hasSizeLessThanOrEqualTo(Names.MAX_SLOT)
                .matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?");
        assertThat(Names.nodeSlot(longA)).isNotEqualTo(Names.nodeSlot(longB));
        assertThat(Names.nodeSlot(longA))
                .as("64 bits of the name's hash, so slots do not collide by chance")
                .matches(".*-[0-9a-f]{16}");
    }

    @Test
    void twoNodesSharingASlotAreRefusedWithAMessageNamingBoth() {
        Names.requireDistinctSlots(List.of("worker-1", "worker-2"));
        assertThatThrownBy(() -> Names.requireDistinctSlots(List.of("node-x1", "node-x2"), n -> "node-x"))
                .isInstanceOf(Names.NodeSlotCollision.class)
                .hasMessageContaining("node-x1 and node-x2")
                .hasMessageContaining("node-x");
        assertThat(ReconcileFailure.of(new RuntimeException(new Names.NodeSlotCollision("a", "b", "s"))))
                .isEqualTo(new ReconcileFailure(
                        ReconcileFailure.NODE_SLOT_COLLISION, new Names.NodeSlotCollision("a", "b", "s").getMessage()));
    }
}
