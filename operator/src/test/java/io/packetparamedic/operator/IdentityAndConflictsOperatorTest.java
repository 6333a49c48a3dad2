package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceSpec;
import io.packetparamedic.api.crd.SecretKeyRef;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Identity rotation, user-supplied identities, port overlaps, expired peers and events. */
@KubeCluster
class IdentityAndConflictsOperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void rotationReplacesTheIdentityAndKeepsTheOldId(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance applied = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            String first = ReflectorInstanceOperatorTest.awaitConverged(client, applied)
                    .getStatus()
                    .endpointId;
            var instances = client.resources(ReflectorInstance.class).inNamespace(n);
            instances.withName("edge").edit(r -> {
                r.getSpec().identity = new ReflectorInstanceSpec.Identity();
                r.getSpec().identity.rotation = "2026-11";
                return r;
            });
            ReflectorInstance rotated = Await.until(TIMEOUT, "a new Endpoint ID", () -> {
                var r = instances.withName("edge").get();
                return r.getStatus().endpointId != null
                                && !r.getStatus().endpointId.equals(first)
                        ? r
                        : null;
            });
            assertThat(rotated.getStatus().previousEndpointIds).containsExactly(first);
            byte[] seed = Fixtures.data(
                    client.secrets().inNamespace(n).withName("edge-identity").get(), Labels.IDENTITY_KEY);
            assertThat(Ed25519Identity.fromSeed(seed).endpointId().toString())
                    .isEqualTo(rotated.getStatus().endpointId);
            assertThat(rotated.getStatus().identityRotatedAt).isNotNull();

            // The pod still serves the previous ID (it has not restarted yet): a planned rotation, Progressing.
            Fixtures.reportHeartbeat(
                    client, rotated, first, java.time.Instant.now().toString());
            ReflectorInstance rotating = Await.until(TIMEOUT, "Progressing IdentityRotating", () -> {
                var r = instances.withName("edge").get();
                return "IdentityRotating".equals(ReflectorInstanceOperatorTest.reason(r, "Progressing")) ? r : null;
            });
            assertThat(ReflectorInstanceOperatorTest.condition(rotating, "Progressing"))
                    .isEqualTo("True");
            assertThat(ReflectorInstanceOperatorTest.condition(rotating, "Degraded"))
                    .isEqualTo("False");
            assertThat(ReflectorInstanceOperatorTest.reason(rotating, "Ready")).isEqualTo("IdentityRotating");
            assertThat(rotating.getStatus().phase).hasToString("Progressing");

            // An ID the instance never had is not a rotation: Degraded at once.
            String unknown = Ed25519Identity.generate().endpointId().toString();
            Fixtures.reportHeartbeat(
                    client, rotated, unknown, java.time.Instant.now().toString());
            ReflectorInstance mismatch = Await.until(TIMEOUT, "Degraded EndpointIdMismatch", () -> {
                var r = instances.withName("edge").get();
                return "EndpointIdMismatch".equals(ReflectorInstanceOperatorTest.reason(r, "Degraded")) ? r : null;
            });
            assertThat(ReflectorInstanceOperatorTest.condition(mismatch, "Degraded"))
                    .isEqualTo("True");
            assertThat(mismatch.getStatus().phase).hasToString("Degraded");
            Await.until(TIMEOUT, "IdentityCreated and IdentityRotated events", () -> {
                var reasons = client.v1().events().inNamespace(n).list().getItems().stream()
                        .map(e -> e.getReason())
                        .toList();
                return reasons.contains(KubeEvents.IDENTITY_CREATED) && reasons.contains(KubeEvents.IDENTITY_ROTATED);
            });
        }
    }

    @Test
    void aSuppliedIdentityIsValidated(KubeTestCluster cluster, TestNamespace ns) throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            client.secrets()
                    .inNamespace(n)
                    .resource(new SecretBuilder()
                            .withNewMetadata()
                            .withName("short-key")
                            .endMetadata()
                            .addToData("seed", Base64.getEncoder().encodeToString(new byte[31]))
                            .build())
                    .create();
            ReflectorInstance ri = Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n);
            ri.getSpec().identity = new ReflectorInstanceSpec.Identity();
            ri.getSpec().identity.existingSecret = new SecretKeyRef("short-key", "seed");
            client.resource(ri).create();
            var instances = client.resources(ReflectorInstance.class).inNamespace(n);
            ReflectorInstance degraded = Await.until(TIMEOUT, "IdentityReady=False", () -> {
                var r = instances.withName("edge").get();
                return r.getStatus() != null && Conditions.isFalse(r.getStatus().conditions, "IdentityReady")
                        ? r
                        : null;
            });
            assertThat(ReflectorInstanceOperatorTest.reason(degraded, "IdentityReady"))
                    .isEqualTo("InvalidSeed");
            assertThat(ReflectorInstanceOperatorTest.condition(degraded, "Degraded"))
                    .isEqualTo("True");
            assertThat(client.apps()
                            .deployments()
                            .inNamespace(n)
                            .withName("edge-reflector")
                            .get())
                    .isNull();
            assertThat(client.secrets().inNamespace(n).withName("edge-identity").get())
                    .isNull();

            // A proper 32-byte seed: identity from it, the Role names that Secret, the pod runs.
            Ed25519Identity identity = Ed25519Identity.generate();
            client.secrets().inNamespace(n).withName("short-key").edit(s -> {
                s.getData().put("seed", Base64.getEncoder().encodeToString(identity.seed()));
                return s;
            });
            // The operator does not watch user Secrets; a spec touch (or the periodic resync) picks it up.
            // A merge patch: an edit (read, then patch at that resourceVersion) can lose the race
            // with the operator's status write and fail with 409.
            instances
                    .withName("edge")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"logLevel\": \"debug\"}}");
            Await.until(
                    TIMEOUT,
                    "the supplied identity in status",
                    () -> identity.endpointId()
                            .toString()
                            .equals(instances.withName("edge").get().getStatus().endpointId));
            Await.until(
                    TIMEOUT,
                    "the Deployment",
                    () -> client.apps()
                                    .deployments()
                                    .inNamespace(n)
                                    .withName("edge-reflector")
                                    .get()
                            != null);
            assertThat(client.rbac()
                            .roles()
                            .inNamespace(n)
                            .withName("edge-reflector")
                            .get()
                            .getRules()
                            .get(0)
                            .getResourceNames())
                    .containsExactly("short-key", "edge-config");
        }
    }

    @Test
    void overlappingHostPortsAreReportedAndExpiredPeersLeaveTheConfig(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance a = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            ReflectorInstanceOperatorTest.awaitConverged(client, a);
            ReflectorInstance b = Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n);
            b.getMetadata().setName("edge-b");
            b.getSpec().network.controlPort = 4100;
            b.getSpec().network.healthPort = 7401;
            b.getSpec().network.dataPortRange = new ReflectorInstanceSpec.PortRange(5290, 5310);
            client.resource(b).create();
            var instances = client.resources(ReflectorInstance.class).inNamespace(n);
            // Only the newcomer is at fault; its message names the first shared port, where and with whom.
            ReflectorInstance newcomer = Await.until(TIMEOUT, "edge-b PortConflict=True", () -> {
                var r = instances.withName("edge-b").get();
                return r.getStatus() != null
                                && Conditions.isTrue(r.getStatus().conditions, "PortConflict")
                                && "PortConflict".equals(ReflectorInstanceOperatorTest.reason(r, "Degraded"))
                        ? r
                        : null;
            });
            assertThat(Conditions.find(newcomer.getStatus().conditions, "PortConflict")
                            .orElseThrow()
                            .getMessage())
                    .isEqualTo("host port 5290 is already used by ReflectorInstance " + n + "/edge on any node");
            ReflectorInstance incumbent = instances.withName("edge").get();
            assertThat(Conditions.isFalse(incumbent.getStatus().conditions, "PortConflict"))
                    .as("%s", incumbent.getStatus().conditions)
                    .isTrue();
            assertThat(ReflectorInstanceOperatorTest.condition(incumbent, "Degraded"))
                    .isEqualTo("False");
            assertThat(client.v1().events().inNamespace(n).list().getItems())
                    .filteredOn(e -> KubeEvents.PORT_CONFLICT.equals(e.getReason()))
                    .extracting(e -> e.getInvolvedObject().getName())
                    .containsOnly("edge-b");

            // edge-b pinned to node-b, edge unpinned: they may still meet, on node-b.
            instances.withName("edge-b").edit(r -> {
                r.getSpec().nodeSelector = Map.of("kubernetes.io/hostname", "node-b");
                return r;
            });
            Await.until(
                    TIMEOUT,
                    "the conflict placed on node-b",
                    () -> Conditions.find(instances.withName("edge-b").get().getStatus().conditions, "PortConflict")
                            .map(c -> c.getMessage().endsWith(n + "/edge on node node-b"))
                            .orElse(false));
            // Moving edge to another node clears it.
            instances.withName("edge").edit(r -> {
                r.getSpec().nodeSelector = Map.of("kubernetes.io/hostname", "node-a");
                return r;
            });
            for (String name : new String[] {"edge", "edge-b"}) {
                Await.until(
                        TIMEOUT,
                        name + " PortConflict=False",
                        () -> Conditions.isFalse(
                                instances.withName(name).get().getStatus().conditions, "PortConflict"));
            }

            // A peer that expires a few seconds from now leaves the config at that moment.
            AuthorizedPeer peer = PeersAndPairingOperatorTest.peer(
                    "soon-gone", Ed25519Identity.generate().endpointId().toString());
            peer.getSpec().expiresAt = Instant.now()
                    .plusSeconds(8)
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    .toString();
            client.resource(peer).inNamespace(n).create();
            Await.until(
                    TIMEOUT,
                    "peer in the config",
                    () -> Fixtures.config(client, n, "edge-config").access.peers.size() == 1);
            Await.until(
                    TIMEOUT,
                    "expired peer gone from the config",
                    () -> Fixtures.config(client, n, "edge-config").access.peers.isEmpty());
            Await.until(TIMEOUT, "Active=False reason Expired", () -> {
                var p = client.resources(AuthorizedPeer.class)
                        .inNamespace(n)
                        .withName("soon-gone")
                        .get();
                return p.getStatus() != null
                        && Conditions.find(p.getStatus().conditions, "Active")
                                .map(c -> "Expired".equals(c.getReason()))
                                .orElse(false);
            });
        }
    }
}
