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

    static AuthorizedPeer withManagedFieldsAndStatus(AuthorizedPeer peer) {
        peer.getMetadata()
                .setManagedFields(List.of(new ManagedFieldsEntryBuilder()
                        .withManager("someone")
                        .withOperation("Apply")
                        .build()));
        peer.setStatus(new AuthorizedPeerStatus());
        peer.getStatus().conditions = new Conditions(null, 1L)
                .set("Valid", true, "EndpointIdValid", "Endpoint ID and check symbol are valid")
                .build();
        return peer;
    }

    @Test
    void storedPeersLoseManagedFieldsAndShareTheirRepeatedStrings() {
        LeanPeerStore withStatus = new LeanPeerStore();
        LeanPeerStore specOnly = new LeanPeerStore.SpecOnly();
        // As two watch events would deliver them: equal values, distinct String objects.
        AuthorizedPeer a = withManagedFieldsAndStatus(peer(new String("ns"), "a"));
        AuthorizedPeer b = withManagedFieldsAndStatus(peer(new String("ns"), "b"));
        b.getStatus().conditions.get(0).setMessage(new String("Endpoint ID and check symbol are valid"));
        String endpointId = a.getSpec().endpointId;
        withStatus.put(withStatus.getKey(a), a);
        withStatus.put(withStatus.getKey(b), b);

        AuthorizedPeer kept = withStatus.get("ns/a");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getMetadata().getName()).isEqualTo("a");
        assertThat(kept.getKind()).isEqualTo("AuthorizedPeer");
        assertThat(kept.getApiVersion()).isEqualTo("packetparamedic.io/v1alpha1");
        assertThat(kept.getSpec().endpointId).isEqualTo(endpointId);
        assertThat(Conditions.isTrue(kept.getStatus().conditions, "Valid")).isTrue();
        AuthorizedPeer other = withStatus.get("ns/b");
        assertThat(other.getMetadata().getNamespace())
                .isSameAs(kept.getMetadata().getNamespace());
        assertThat(other.getStatus().conditions.get(0).getMessage())
                .isSameAs(kept.getStatus().conditions.get(0).getMessage());

        AuthorizedPeer c = withManagedFieldsAndStatus(peer("ns", "c"));
        specOnly.put(specOnly.getKey(c), c);
        assertThat(specOnly.get("ns/c").getStatus()).isNull();
        assertThat(specOnly.get("ns/c").getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(specOnly.get("ns/c").getSpec().reflectorRef.name).isEqualTo("edge");
        assertThat(specOnly.size()).isEqualTo(1);
        assertThat(withStatus.size()).isEqualTo(2);
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
