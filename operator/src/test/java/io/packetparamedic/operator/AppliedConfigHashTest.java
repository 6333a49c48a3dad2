package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.crd.NodeReport;
import io.packetparamedic.api.crd.NodeStatus;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppliedConfigHashTest {

    static NodeReport applied(String hash) {
        NodeReport r = new NodeReport();
        r.appliedConfigHash = hash;
        return r;
    }

    @Test
    void aSingleInstanceServesWhatItsPodReports() {
        ReflectorInstance single = new ReflectorInstance();
        assertThat(AppliedConfigHash.of(single)).isNull();
        single.setStatus(new ReflectorInstanceStatus());
        single.getStatus().appliedConfigHash = "h1";
        assertThat(AppliedConfigHash.of(single)).isEqualTo("h1");
    }

    @Test
    void aFleetServesAConfigOnlyOnceEveryWantedNodeDoes() {
        ReflectorInstance fleet = FleetPlacementTest.perNode(null, null);
        fleet.setStatus(new ReflectorInstanceStatus());
        NodeStatus leaving = FleetPlacementTest.placed("c", "2026-11-30T12:00:00Z");
        fleet.getStatus().nodes =
                List.of(FleetPlacementTest.placed("a", null), FleetPlacementTest.placed("b", null), leaving);
        fleet.getStatus().appliedConfigHash = "single-field-ignored";

        fleet.getStatus().nodeReports = Map.of("a", applied("h2"));
        assertThat(AppliedConfigHash.of(fleet)).as("b has not reported").isNull();
        fleet.getStatus().nodeReports = Map.of("a", applied("h2"), "b", applied("h1"), "c", applied("h0"));
        assertThat(AppliedConfigHash.of(fleet)).as("a and b differ").isNull();
        fleet.getStatus().nodeReports = Map.of("a", applied("h2"), "b", applied("h2"), "c", applied("h0"));
        assertThat(AppliedConfigHash.of(fleet))
                .as("the leaving c does not count")
                .isEqualTo("h2");
    }
}
