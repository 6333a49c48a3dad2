package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PeerTargetsTest {

    static final ResourceID PEER = new ResourceID("p", "ns");
    static final ResourceID A = new ResourceID("a", "ns");
    static final ResourceID B = new ResourceID("b", "ns");

    @Test
    void aPeerMovedToAnotherInstanceAlsoReachesTheOneItLeft() {
        PeerTargets targets = new PeerTargets();
        assertThat(targets.update(PEER, Set.of(A), true)).containsExactly(A);
        assertThat(targets.update(PEER, Set.of(A), true)).containsExactly(A);
        assertThat(targets.update(PEER, Set.of(B), true)).containsExactlyInAnyOrder(A, B);
        assertThat(targets.update(PEER, Set.of(B), true)).containsExactly(B);
        // A selector that now matches nothing: the last instance still hears of it, once.
        assertThat(targets.update(PEER, Set.of(), true)).containsExactly(B);
        assertThat(targets.update(PEER, Set.of(), true)).isEmpty();
        assertThat(targets.size()).isZero();
    }

    @Test
    void aDeletedPeerIsForgotten() {
        PeerTargets targets = new PeerTargets();
        targets.update(PEER, Set.of(A), true);
        assertThat(targets.size()).isEqualTo(1);
        assertThat(targets.update(PEER, Set.of(A), false)).containsExactly(A);
        assertThat(targets.size()).isZero();
    }
}
