package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.packetparamedic.api.crd.NodeReport;
import io.packetparamedic.api.crd.NodeStatus;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetStatusCalculatorTest {

    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final Duration STALE = Duration.ofSeconds(90);

    static FleetStatusCalculator.NodeInputs node(String name, String id, Instant heartbeat, String reportedId) {
        return node(name, id, heartbeat, reportedId, Optional.empty());
    }

    static FleetStatusCalculator.NodeInputs node(
            String name, String id, Instant heartbeat, String reportedId, Optional<Instant> leftAt) {
        NodeReport r = null;
        if (heartbeat != null) {
            r = new NodeReport();
            r.lastHeartbeat = heartbeat.toString();
            r.reportedEndpointId = reportedId;
            r.activeSessionCount = 1;
        }
        return new FleetStatusCalculator.NodeInputs(
                new FleetPlacement.PlacedNode(
                        name, Optional.of(Nodes.node(name, Map.of(), true, "10.0.0." + name.length())), leftAt),
                Optional.ofNullable(id),
                true,
                Optional.ofNullable(r));
    }

    static FleetStatusCalculator.Verdict calculate(List<FleetStatusCalculator.NodeInputs> nodes) {
        return FleetStatusCalculator.calculate(new FleetStatusCalculator.Observed(
                new ReflectorInstanceStatus(),
                3L,
                nodes,
                Optional.empty(),
                List.of(),
                4000,
                Optional.empty(),
                STALE,
                NOW));
    }

    static Condition condition(FleetStatusCalculator.Verdict v, String type) {
        return Conditions.find(v.conditions(), type).orElseThrow();
    }

    @Test
    void everyNodeFreshIsReadyAndTheCountSaysSo() {
        var v = calculate(List.of(node("a", "ID-A", NOW.minusSeconds(5), "ID-A"), node("bb", "ID-B", NOW, "ID-B")));
        assertThat(v.ready()).isEqualTo("2/2");
        assertThat(v.phase()).isEqualTo(ReflectorInstanceStatus.Phase.Ready);
        assertThat(condition(v, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(v, "Ready").getReason()).isEqualTo("AllNodesReady");
        assertThat(condition(v, "Degraded").getStatus()).isEqualTo("False");
        NodeStatus a = v.nodes().get(0);
        assertThat(a.node).isEqualTo("a");
        assertThat(a.endpointId).isEqualTo("ID-A");
        assertThat(a.address).isEqualTo("10.0.0.1:4000");
        assertThat(a.ready).isTrue();
        assertThat(v.nextStale()).contains(NOW.minusSeconds(5).plus(STALE));
    }

    @Test
    void aHeartbeatOrASessionCountChangesNothingTheOperatorWrites() {
        var earlier = calculate(List.of(node("a", "ID-A", NOW.minusSeconds(20), "ID-A")));
        var later = calculate(List.of(node("a", "ID-A", NOW.minusSeconds(2), "ID-A")));
        var busier = node("a", "ID-A", NOW.minusSeconds(2), "ID-A");
        busier.report().orElseThrow().activeSessionCount = 7;
        for (var v : List.of(later, calculate(List.of(busier)))) {
            assertThat(v.nodes())
                    .as("status.nodes holds slowly changing facts: the heartbeats stay in nodeReports")
                    .usingRecursiveFieldByFieldElementComparator()
                    .isEqualTo(earlier.nodes());
            assertThat(v.ready()).isEqualTo(earlier.ready());
            assertThat(condition(v, "Ready").getMessage())
                    .isEqualTo(condition(earlier, "Ready").getMessage());
        }
        assertThat(later.nextStale())
                .as("readiness still follows the heartbeat")
                .contains(NOW.minusSeconds(2).plus(STALE));
    }

    @Test
    void aStaleNodeIsNamedWithWhyAndTheFleetIsDegraded() {
        var v = calculate(List.of(
                node("a", "ID-A", NOW, "ID-A"),
                node("b", "ID-B", NOW.minusSeconds(300), "ID-B"),
                node("c", "ID-C", null, null)));
        assertThat(v.ready()).isEqualTo("1/3");
        assertThat(v.phase()).isEqualTo(ReflectorInstanceStatus.Phase.Degraded);
        Condition ready = condition(v, "Ready");
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("HeartbeatStale");
        assertThat(ready.getMessage())
                .startsWith("1/3 nodes ready; b: last heartbeat ")
                .contains("older than 90s")
                .contains("c: its reflector has not reported yet");
        assertThat(condition(v, "Degraded").getStatus()).isEqualTo("True");
        assertThat(v.nodes().get(1).ready).isFalse();
        assertThat(v.nodes().get(1).reason).isEqualTo("HeartbeatStale");
        assertThat(v.awaitsPod()).isTrue();
    }

    @Test
    void aNodeServingAnotherIdIsAMismatchAndOnlyAwaitingIsProgressing() {
        var mismatch = calculate(List.of(node("a", "ID-A", NOW, "ID-X")));
        assertThat(condition(mismatch, "Ready").getReason()).isEqualTo("EndpointIdMismatch");
        assertThat(condition(mismatch, "Ready").getMessage()).contains("a: its reflector serves ID-X, expected ID-A");

        var awaiting = calculate(List.of(node("a", "ID-A", null, null), node("b", null, null, null)));
        assertThat(awaiting.phase()).isEqualTo(ReflectorInstanceStatus.Phase.Progressing);
        assertThat(condition(awaiting, "Progressing").getStatus()).isEqualTo("True");
        assertThat(condition(awaiting, "IdentityReady").getStatus()).isEqualTo("False");
        assertThat(condition(awaiting, "IdentityReady").getMessage()).endsWith("for: b");
    }

    @Test
    void leavingNodesAreListedButNotCountedAndNoNodesIsDegraded() {
        var v = calculate(List.of(
                node("a", "ID-A", NOW, "ID-A"),
                node("gone", "ID-G", NOW.minusSeconds(600), "ID-G", Optional.of(NOW.minusSeconds(60)))));
        assertThat(v.ready()).isEqualTo("1/1");
        assertThat(v.nodes()).hasSize(2);
        assertThat(v.nodes().get(1).leftAt).isEqualTo(NOW.minusSeconds(60).toString());

        var none = calculate(List.of());
        assertThat(none.ready()).isEqualTo("0/0");
        assertThat(condition(none, "Ready").getReason()).isEqualTo("NoMatchingNodes");
        assertThat(none.phase()).isEqualTo(ReflectorInstanceStatus.Phase.Degraded);
    }
}
