package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerSpec;
import io.packetparamedic.api.crd.AuthorizedPeerStatus;
import io.packetparamedic.api.crd.ObjectRef;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator keeps AuthorizedPeers in its caches without managedFields (and, in the instance
 * controller's, without status), and still does everything it did with full copies: peers reach
 * the config, their status is written, a disabled or deleted peer leaves the config.
 */
@KubeCluster
class LeanPeerCacheOperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    static AuthorizedPeer peer(String namespace, String name) {
        AuthorizedPeer p = new AuthorizedPeer();
        p.getMetadata().setName(name);
        p.getMetadata().setNamespace(namespace);
        p.setSpec(new AuthorizedPeerSpec());
        p.getSpec().endpointId = Ed25519Identity.generate().endpointId().toString();
        p.getSpec().reflectorRef = new ObjectRef("edge");
        return p;
    }

    @Test
    void leanCopiesLeaveTheOriginalAlone() {
        AuthorizedPeer full = peer("ns", "p");
        full.getMetadata()
                .setManagedFields(List.of(new ManagedFieldsEntryBuilder()
                        .withManager("someone")
                        .withOperation("Apply")
                        .build()));
        full.setStatus(new AuthorizedPeerStatus());
        LeanPeerStore withStatus = new LeanPeerStore();
        LeanPeerStore specOnly = new LeanPeerStore.SpecOnly();
        withStatus.put(withStatus.getKey(full), full);
        specOnly.put(specOnly.getKey(full), full);

        AuthorizedPeer kept = withStatus.get("ns/p");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getStatus()).isSameAs(full.getStatus());
        assertThat(kept.getSpec()).isSameAs(full.getSpec());
        assertThat(kept.getMetadata().getName()).isEqualTo("p");
        assertThat(kept.getKind()).isEqualTo("AuthorizedPeer");
        assertThat(specOnly.get("ns/p").getStatus()).isNull();
        assertThat(specOnly.get("ns/p").getSpec()).isSameAs(full.getSpec());
        assertThat(full.getMetadata().getManagedFields())
                .as("the informer hands the original to the event handlers")
                .hasSize(1);
        assertThat(full.getStatus()).isNotNull();
    }

    @Test
    void cachedPeersAreLeanAndTheOperatorStillServesThem(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance instance = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            ReflectorInstanceOperatorTest.awaitConverged(client, instance);
            var peers = client.resources(AuthorizedPeer.class).inNamespace(n);
            for (String name : List.of("p1", "p2", "p3"))
                peers.resource(peer(n, name)).create();

            Await.until(
                    TIMEOUT,
                    "three peers in the config",
                    () -> Fixtures.config(client, n, "edge-config").access.peers.size() == 3);
            Await.until(
                    TIMEOUT,
                    "three peers Active",
                    () -> peers.list().getItems().stream()
                                    .filter(p -> p.getStatus() != null
                                            && Conditions.isTrue(p.getStatus().conditions, "Active"))
                                    .count()
                            == 3);
            assertThat(peers.withName("p1").get().getMetadata().getManagedFields())
                    .as("the API server's copy")
                    .isNotEmpty();

            ItemStore<?> own = operator.peerControllerStore();
            assertThat(own).isInstanceOf(LeanPeerStore.class);
            Await.until(
                    TIMEOUT,
                    "the peer controller's cache with the statuses",
                    () -> own.values()
                                    .map(AuthorizedPeer.class::cast)
                                    .filter(p -> p.getStatus() != null && p.getStatus().state != null)
                                    .count()
                            == 3);
            assertThat(own.values().map(AuthorizedPeer.class::cast))
                    .allSatisfy(
                            p -> assertThat(p.getMetadata().getManagedFields()).isNullOrEmpty());
            ItemStore<AuthorizedPeer> rendering = operator.instanceControllerPeerStore();
            assertThat(rendering.size()).isEqualTo(3);
            assertThat(rendering.values()).allSatisfy(p -> {
                assertThat(p.getMetadata().getManagedFields()).isNullOrEmpty();
                assertThat(p.getStatus()).isNull();
                assertThat(p.getSpec().endpointId).isNotNull();
            });

            // Updates and deletions go through the lean caches (and their index) too.
            peers.withName("p1").edit(p -> {
                p.getSpec().disabled = true;
                return p;
            });
            peers.withName("p2").delete();
            Await.until(
                    TIMEOUT,
                    "p1 disabled and p2 deleted: one peer left in the config",
                    () -> Fixtures.config(client, n, "edge-config").access.peers.size() == 1);
            Await.until(TIMEOUT, "p1 Disabled", () -> {
                AuthorizedPeer p1 = peers.withName("p1").get();
                return p1.getStatus() != null && p1.getStatus().state == AuthorizedPeerStatus.State.Disabled;
            });
        }
    }
}
