package io.packetparamedic.e2e.netns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** Runs after every class that builds namespaces: nothing of this test family is left on the host. */
@Order(Integer.MAX_VALUE)
class NoLeftoversTest {

    @Test
    void noNamespaceLinkOrNftablesTableOfTheseTestsRemains() {
        Assumptions.assumeTrue(Topology.supported(), "network namespace tests need root and `ip netns`");
        assertThat(Topology.leftovers(Topology.FAMILY_PREFIX)).isEmpty();
        assertThat(Topology.namespaceNames())
                .noneMatch(n -> Topology.NAME.matcher(n).matches());
    }
}
