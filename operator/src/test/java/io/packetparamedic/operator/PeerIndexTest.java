package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerSpec;
import io.packetparamedic.api.crd.ObjectRef;
import io.packetparamedic.api.crd.ReflectorInstance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PeerIndexTest {

    static AuthorizedPeer peer(String namespace, String name, String ref, Map<String, String> selector) {
        AuthorizedPeer p = new AuthorizedPeer();
        p.getMetadata().setNamespace(namespace);
        p.getMetadata().setName(name);
        p.setSpec(new AuthorizedPeerSpec());
        if (ref != null) p.getSpec().reflectorRef = new ObjectRef(ref);
        if (selector != null)
            p.getSpec().reflectorSelector =
                    new LabelSelectorBuilder().withMatchLabels(selector).build();
        return p;
    }

    static ReflectorInstance instance(String namespace, String name, Map<String, String> labels) {
        ReflectorInstance i = new ReflectorInstance();
        i.getMetadata().setNamespace(namespace);
        i.getMetadata().setName(name);
        i.getMetadata().setLabels(labels);
        return i;
    }

    /** What the informer's indexer holds: each peer under each of its keys. */
    static Map<String, List<AuthorizedPeer>> indexed(List<AuthorizedPeer> peers) {
        Map<String, List<AuthorizedPeer>> byKey = new HashMap<>();
        for (AuthorizedPeer p : peers)
            for (String key : PeerIndex.keys(p))
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
        return byKey;
    }

    @Test
    void findsExactlyThePeersAFullScanFindsReadingOnlyTheInstancesOwnAndTheSelectingOnes() {
        List<AuthorizedPeer> peers = new ArrayList<>();
        for (String ns : List.of("a", "b")) {
            for (int f = 0; f < 20; f++)
                for (int p = 0; p < 50; p++) peers.add(peer(ns, "fleet-" + f + "-peer-" + p, "fleet-" + f, null));
            peers.add(peer(ns, "edge-selector", null, Map.of("tier", "edge")));
            peers.add(peer(ns, "core-selector", null, Map.of("tier", "core")));
            peers.add(peer(ns, "no-target", null, null));
        }
        Map<String, List<AuthorizedPeer>> index = indexed(peers);
        Function<String, List<AuthorizedPeer>> byKey = k -> index.getOrDefault(k, List.of());

        for (ReflectorInstance i : List.of(
                instance("a", "fleet-3", Map.of("tier", "edge")),
                instance("b", "fleet-3", Map.of("tier", "core")),
                instance("a", "fleet-19", null),
                instance("a", "nobody", Map.of("tier", "edge")))) {
            List<String> scanned = peers.stream()
                    .filter(p -> PeerSelection.appliesTo(p, i))
                    .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                    .map(p -> p.getMetadata().getNamespace() + "/"
                            + p.getMetadata().getName())
                    .toList();
            assertThat(PeerIndex.selecting(byKey, i))
                    .extracting(p -> p.getMetadata().getNamespace() + "/"
                            + p.getMetadata().getName())
                    .as(i.getMetadata().getNamespace() + "/" + i.getMetadata().getName())
                    .containsExactlyElementsOf(scanned);
            assertThat(PeerIndex.candidates(byKey, i).count())
                    .as("candidates: its own peers and its namespace's two selecting peers, of " + peers.size())
                    .isLessThanOrEqualTo(52);
        }
        assertThat(PeerIndex.selecting(byKey, instance("a", "fleet-3", Map.of("tier", "edge"))))
                .hasSize(51);
    }

    @Test
    void aPeerWithoutSpecOrTargetIsIndexedNowhere() {
        AuthorizedPeer bare = new AuthorizedPeer();
        bare.getMetadata().setNamespace("a");
        bare.getMetadata().setName("bare");
        assertThat(PeerIndex.keys(bare)).isEmpty();
        assertThat(PeerIndex.keys(peer("a", "x", null, null))).isEmpty();
        assertThat(PeerIndex.keys(peer("a", "x", "r", null))).hasSize(1);
    }
}
