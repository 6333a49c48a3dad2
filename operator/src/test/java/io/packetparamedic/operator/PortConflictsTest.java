package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PortConflictsTest {

    @Test
    void onlyTheNewcomerReportsAndTheMessageNamesPortNodeAndIncumbent() {
        ReflectorInstance old = instance("old", "2026-11-01T10:00:00Z");
        ReflectorInstance late = instance("late", "2026-11-01T10:05:00Z");
        late.getSpec().network.controlPort = 4100;
        late.getSpec().network.healthPort = 7401;
        late.getSpec().network.dataPortRange = new ReflectorInstanceSpec.PortRange(5290, 5310);

        assertThat(PortConflicts.with(old, Stream.of(old, late))).isEmpty();
        assertThat(PortConflicts.with(late, Stream.of(old, late)))
                .containsExactly(new PortConflicts.Conflict("ns/old", 5290, "any node"));
        assertThat(PortConflicts.with(late, Stream.of(old)).get(0).describe())
                .isEqualTo("host port 5290 is already used by ReflectorInstance ns/old on any node");
    }

    @Test
    void sameCreationSecondFallsBackToTheNameAndThePortIsTheLowestShared() {
        ReflectorInstance a = instance("a", "2026-11-01T10:00:00Z");
        ReflectorInstance b = instance("b", "2026-11-01T10:00:00Z");
        assertThat(PortConflicts.with(a, Stream.of(b))).isEmpty();
        assertThat(PortConflicts.with(b, Stream.of(a)))
                .extracting(PortConflicts.Conflict::port)
                .containsExactly(EffectiveSpec.of(a).controlPort());
    }

    @Test
    void theNodeIsNamedFromTheSelectorsAndDisjointSelectorsNeverConflict() {
        ReflectorInstance a = instance("a", "2026-11-01T10:00:00Z");
        ReflectorInstance b = instance("b", "2026-11-01T10:01:00Z");
        b.getSpec().nodeSelector = Map.of("kubernetes.io/hostname", "n2");
        assertThat(PortConflicts.with(b, Stream.of(a)))
                .extracting(PortConflicts.Conflict::where)
                .containsExactly("node n2");
        b.getSpec().nodeSelector = Map.of("zone", "z1");
        a.getSpec().nodeSelector = Map.of("role", "edge");
        assertThat(PortConflicts.with(b, Stream.of(a)))
                .extracting(PortConflicts.Conflict::where)
                .containsExactly("nodes labelled role=edge,zone=z1");
        a.getSpec().nodeSelector = Map.of("zone", "z2");
        assertThat(PortConflicts.with(b, Stream.of(a))).isEmpty();
    }

    @Test
    void withoutHostNetworkThereIsNothingToShare() {
        ReflectorInstance a = instance("a", "2026-11-01T10:00:00Z");
        ReflectorInstance b = instance("b", "2026-11-01T10:01:00Z");
        b.getSpec().network.hostNetwork = false;
        assertThat(PortConflicts.with(b, Stream.of(a))).isEmpty();
    }

    private static ReflectorInstance instance(String name, String created) {
        ReflectorInstance ri = ConfigRendererTest.instance(new ReflectorInstanceSpec());
        ri.getMetadata().setName(name);
        ri.getMetadata().setCreationTimestamp(created);
        ri.getSpec().network = new ReflectorInstanceSpec.Network();
        return ri;
    }
}
