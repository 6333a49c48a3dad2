package io.packetparamedic.e2e.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The builder's own behaviour: clear errors, and a complete teardown after a failed step. */
@Order(0)
class TopologyTest {

    @BeforeEach
    void needsRoot() {
        Assumptions.assumeTrue(Topology.supported(), "network namespace tests need root and `ip netns`");
    }

    @Test
    void aFailedStepNamesTheCommandAndTeardownStillRemovesEverything() {
        Topology t = Topology.create(NatLabExtension.buildDir().resolve("netns"), NatLabExtension.sourceDir());
        try {
            String a = t.namespace("a");
            t.namespace("b");
            t.link(a, "x0", "10.200.0.1/24", t.prefix() + "-b", "x1", "10.200.0.2/24", Impairment.NONE);
            assertThat(Topology.leftovers(t.prefix())).hasSize(2);
            assertThatThrownBy(() -> t.link(
                            a, "y0", "10.201.0.1/24", t.prefix() + "-missing", "y1", "10.201.0.2/24", Impairment.NONE))
                    .isInstanceOf(TopologyException.class)
                    .hasMessageContaining("ip -n " + a + " link add y0")
                    .hasMessageContaining("exited with");
            assertThatThrownBy(() -> t.nft(a, "table ip broken { chain c { nonsense } }"))
                    .isInstanceOf(TopologyException.class)
                    .hasMessageContaining("nft -f -");
        } finally {
            t.close();
        }
        assertThat(Topology.leftovers(t.prefix())).isEmpty();
    }

    @Test
    void anImpairedLinkDelaysAndDropsInOneDirection() throws Exception {
        Topology t = Topology.create(NatLabExtension.buildDir().resolve("netns"), NatLabExtension.sourceDir());
        try {
            String a = t.namespace("a");
            String b = t.namespace("b");
            Topology.ImpairmentMode mode =
                    t.link(a, "x0", "10.202.0.1/24", b, "x1", "10.202.0.2/24", new Impairment(20, 0, 0));
            assertThat(mode).isNotNull();
            assertThat(t.sysctlValue(a, "net.ipv4.ip_forward")).isEqualTo("0");
        } finally {
            t.close();
        }
        assertThat(Topology.leftovers(t.prefix())).isEmpty();
    }
}
