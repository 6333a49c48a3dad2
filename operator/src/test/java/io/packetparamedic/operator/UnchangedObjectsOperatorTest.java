package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerSpec;
import io.packetparamedic.api.crd.ObjectRef;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reconcile that finds everything as it should be sends no write at all: no apply of a
 * Deployment, Secret, Role or anything else, no status write. A server-side apply that changes
 * nothing leaves the resourceVersion alone, so only the requests show a desired state that never
 * matches what the API server returns (a field the server defaults inside an atomic struct, such
 * as an env fieldRef's apiVersion): the operator would re-apply those objects on every reconcile.
 */
@KubeCluster
class UnchangedObjectsOperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final List<String> nodes = new ArrayList<>();
    private KubernetesClient client;

    @AfterEach
    void cleanUp() {
        if (client != null) nodes.forEach(n -> client.nodes().withName(n).delete());
    }

    @Test
    void aSecondReconcileOfASingleInstanceAndOfAFleetWritesNothing(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        client = cluster.client();
        String n = ns.name();
        String prefix = "u" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> label = Map.of(FleetOperatorTest.FLEET_LABEL, prefix);
        for (String suffix : List.of("a", "b")) {
            String node = prefix + "-" + suffix;
            client.nodes()
                    .resource(Nodes.node(node, label, true, "192.0.2." + (41 + nodes.size())))
                    .create();
            nodes.add(node);
        }
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance single = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            ReflectorInstance fleet = FleetOperatorTest.fleet(n, label, null);
            // Ports of its own: the sample instance is on the node network with the default ones.
            fleet.getSpec().network = new ReflectorInstanceSpec.Network();
            fleet.getSpec().network.controlPort = 24000;
            fleet.getSpec().network.healthPort = 24001;
            fleet.getSpec().network.dataPortRange = new ReflectorInstanceSpec.PortRange(24010, 24049);
            fleet = client.resource(fleet).create();
            for (String target : List.of("edge", "fleet")) {
                AuthorizedPeer peer = new AuthorizedPeer();
                peer.getMetadata().setName(target + "-peer");
                peer.getMetadata().setNamespace(n);
                peer.setSpec(new AuthorizedPeerSpec());
                peer.getSpec().endpointId =
                        Ed25519Identity.generate().endpointId().toString();
                peer.getSpec().reflectorRef = new ObjectRef(target);
                client.resource(peer).create();
            }

            ReflectorInstanceOperatorTest.awaitConverged(client, single);
            Await.until(TIMEOUT, "the fleet's nodes with identities and its config with its peer", () -> {
                var r = client.resources(ReflectorInstance.class)
                        .inNamespace(n)
                        .withName("fleet")
                        .get();
                return r.getStatus() != null
                        && r.getStatus().nodes != null
                        && r.getStatus().nodes.size() == 2
                        // Settled as far as it can get without pods: each node's Deployment seen by the
                        // operator (not only by this client), so no later informer event changes the status.
                        && r.getStatus().nodes.stream()
                                .allMatch(e -> e.endpointId != null
                                        && FleetStatusCalculator.NodeReadiness.AWAITING_HEARTBEAT.reason.equals(
                                                e.reason))
                        && Integer.valueOf(1).equals(r.getStatus().authorizedPeers)
                        && Fixtures.digestOfConfig(client, n, "fleet-config").equals(r.getStatus().configHash)
                        && client.apps()
                                        .deployments()
                                        .inNamespace(n)
                                        .list()
                                        .getItems()
                                        .size()
                                == 3;
            });
            Await.until(
                    TIMEOUT,
                    "both peers with a status",
                    () -> client.resources(AuthorizedPeer.class).inNamespace(n).list().getItems().stream()
                            .allMatch(p -> p.getStatus() != null && p.getStatus().state != null));

            // Twice: the first round lets whatever was still in flight settle; the second must be silent.
            List<String> writes = List.of();
            for (int round = 1; round <= 2; round++) {
                operator.takeWrites();
                for (ReflectorInstance r : List.of(single, fleet)) {
                    int before = operator.reconciliations(r);
                    client.resources(ReflectorInstance.class)
                            .inNamespace(n)
                            .withName(r.getMetadata().getName())
                            // A merge patch without a resourceVersion: the operator may write the
                            // status meanwhile (a read-modify-write would then get a 409).
                            .patch(
                                    PatchContext.of(PatchType.JSON_MERGE),
                                    "{\"metadata\":{\"annotations\":{\"touch\":\"" + System.nanoTime() + "\"}}}");
                    Await.until(
                            TIMEOUT,
                            "another reconcile of " + r.getMetadata().getName(),
                            () -> operator.reconciliations(r) > before);
                }
                writes = operator.takeWrites();
                // In the report: what a first round still had to write shows what was in flight.
                System.out.println("[unchanged-objects] round " + round + " writes: " + writes);
            }
            assertThat(writes)
                    .as("write requests of reconciles with nothing to do")
                    .isEmpty();
        }
    }
}
