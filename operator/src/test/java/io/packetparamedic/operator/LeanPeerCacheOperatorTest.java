package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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
    void filteredPeersLoseManagedFieldsAndShareTheirRepeatedStrings() {
        var withStatus = new LeanPeers.KeepStatus();
        var specOnly = new LeanPeers.SpecOnly();
        // As two watch events would deliver them: equal values, distinct String objects.
        AuthorizedPeer a = withManagedFieldsAndStatus(peer(new String("ns"), "a"));
        AuthorizedPeer b = withManagedFieldsAndStatus(peer(new String("ns"), "b"));
        b.getStatus().conditions.get(0).setMessage(new String("Endpoint ID and check symbol are valid"));
        String endpointId = a.getSpec().endpointId;
        assertThat(withStatus.accept(a)).as("every event passes").isTrue();
        assertThat(withStatus.accept(b)).isTrue();

        assertThat(a.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(a.getMetadata().getName()).isEqualTo("a");
        assertThat(a.getKind()).isEqualTo("AuthorizedPeer");
        assertThat(a.getApiVersion()).isEqualTo("packetparamedic.io/v1alpha1");
        assertThat(a.getSpec().endpointId).isEqualTo(endpointId);
        assertThat(Conditions.isTrue(a.getStatus().conditions, "Valid")).isTrue();
        assertThat(b.getMetadata().getNamespace()).isSameAs(a.getMetadata().getNamespace());
        assertThat(b.getStatus().conditions.get(0).getMessage())
                .isSameAs(a.getStatus().conditions.get(0).getMessage());

        AuthorizedPeer c = withManagedFieldsAndStatus(peer("ns", "c"));
        assertThat(specOnly.accept(c)).isTrue();
        assertThat(c.getStatus()).isNull();
        assertThat(c.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(c.getSpec().reflectorRef.name).isEqualTo("edge");
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

            Await.until(
                    TIMEOUT,
                    "the peer controller's cache with the statuses",
                    () -> operator.peerControllerCache()
                                    .filter(p -> p.getStatus() != null && p.getStatus().state != null)
                                    .count()
                            == 3);
            assertThat(operator.peerControllerCache())
                    .allSatisfy(
                            p -> assertThat(p.getMetadata().getManagedFields()).isNullOrEmpty());
            assertThat(operator.instanceControllerPeerCache()).hasSize(3).allSatisfy(p -> {
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

    /**
     * Two watched namespaces: one informer per namespace. A store shared by both (as an item store
     * given to JOSDK is) lost one namespace's peers when the other listed; each keeps its own.
     */
    @Test
    void peersOfTwoWatchedNamespacesBothReachTheirConfigs(KubeTestCluster cluster, TestNamespace one)
            throws InterruptedException {
        KubernetesClient client = cluster.client();
        String two = cluster.createNamespace("lean-two");
        List<String> namespaces = List.of(one.name(), two);
        // Peers first, so that both informers list them when the operator starts.
        for (String n : namespaces) {
            client.resource(Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            for (String name : List.of("p1", "p2"))
                client.resources(AuthorizedPeer.class)
                        .inNamespace(n)
                        .resource(peer(n, name))
                        .create();
        }
        try (var operator = new TestOperator(cluster.adminConfig(), one.name(), two)) {
            for (String n : namespaces) {
                Await.until(
                        TIMEOUT,
                        "both peers in the config of " + n,
                        () -> Fixtures.toml(client, n, "edge-config") != null
                                && Fixtures.config(client, n, "edge-config")
                                                .access
                                                .peers
                                                .size()
                                        == 2);
            }
            assertThat(operator.instanceControllerPeerCache()).hasSize(4);
            assertThat(operator.peerControllerCache()).hasSize(4);
        } finally {
            client.namespaces().withName(two).delete();
        }
    }
}
