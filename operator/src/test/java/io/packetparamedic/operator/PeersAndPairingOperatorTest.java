package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerSpec;
import io.packetparamedic.api.crd.FieldManagers;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ObjectRef;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus.Phase;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.SecretKeyRef;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.pairing.PairingCodes;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** AuthorizedPeer and PairingWindow controllers against the harness's real API server. */
@KubeCluster
class PeersAndPairingOperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void peersAreValidatedBySchemaAndCheckSymbolAndReachTheConfig(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance instance = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            ReflectorInstanceOperatorTest.awaitConverged(client, instance);
            var peers = client.resources(AuthorizedPeer.class).inNamespace(n);

            // Not even the form of an Endpoint ID: the API server's schema refuses it.
            assertThatThrownBy(() ->
                            peers.resource(peer("bad-pattern", "PP-NOT-AN-ID")).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(422);
                        assertThat(e.getMessage()).contains("spec.endpointId");
                    });

            // The right form with a wrong check symbol: accepted, then marked Valid=False.
            EndpointId good = Ed25519Identity.generate().endpointId();
            EndpointId other = Ed25519Identity.generate().endpointId();
            peers.resource(peer("wrong-check", Fixtures.withWrongCheckSymbol(other)))
                    .create();
            AuthorizedPeer invalid = Await.until(TIMEOUT, "wrong-check to be Valid=False", () -> {
                var p = peers.withName("wrong-check").get();
                return p.getStatus() != null && Conditions.isFalse(p.getStatus().conditions, "Valid") ? p : null;
            });
            assertThat(Conditions.find(invalid.getStatus().conditions, "Valid")
                            .orElseThrow()
                            .getMessage())
                    .contains("check");

            // A valid one appears in the config, with its overrides.
            AuthorizedPeer valid = peer("kitchen", good.toString());
            valid.getSpec().quotas = new io.packetparamedic.api.crd.PeerQuotas();
            valid.getSpec().quotas.maxTestsPerHourPerPeer = 20;
            peers.resource(valid).create();
            ReflectorConfig config = Await.until(TIMEOUT, "kitchen in the config", () -> {
                var c = Fixtures.config(client, n, "edge-config");
                return c.access.peers.size() == 1 ? c : null;
            });
            assertThat(config.access.peers.get(0).endpointId).isEqualTo(good.toString());
            assertThat(config.access.peers.get(0).name).isEqualTo("kitchen");
            assertThat(config.access.peers.get(0).maxTestsPerHourPerPeer).isEqualTo(20);
            Await.until(TIMEOUT, "kitchen Active", () -> {
                var p = peers.withName("kitchen").get();
                return p.getStatus() != null && Conditions.isTrue(p.getStatus().conditions, "Active");
            });
            Await.until(
                    TIMEOUT,
                    "instance status counting one peer",
                    () -> Integer.valueOf(1)
                            .equals(client.resources(ReflectorInstance.class)
                                    .inNamespace(n)
                                    .withName("edge")
                                    .get()
                                    .getStatus()
                                    .authorizedPeers));

            // Disabled peers leave the config.
            peers.withName("kitchen").edit(p -> {
                p.getSpec().disabled = true;
                return p;
            });
            Await.until(
                    TIMEOUT,
                    "kitchen removed from the config",
                    () -> Fixtures.config(client, n, "edge-config").access.peers.isEmpty());
        }
    }

    @Test
    void pairingWindowOpensExpiresAndIsConsumed(KubeTestCluster cluster, TestNamespace ns) throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance instance = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            ReflectorInstanceOperatorTest.awaitConverged(client, instance);
            var windows = client.resources(PairingWindow.class).inNamespace(n);

            // A short window: open, code in a Secret and in the config, then Expired and gone.
            PairingWindow shortWindow = Fixtures.sample(client, "pairingwindow.yaml", PairingWindow.class, n);
            shortWindow.getMetadata().setName("short");
            shortWindow.getSpec().ttl = "12s";
            windows.resource(shortWindow).create();
            PairingWindow open = Await.until(TIMEOUT, "short window Open", () -> {
                var w = windows.withName("short").get();
                return w.getStatus() != null && w.getStatus().phase == Phase.Open ? w : null;
            });
            Secret codeSecret = client.secrets()
                    .inNamespace(n)
                    .withName(open.getStatus().codeSecret)
                    .get();
            String code = new String(Fixtures.data(codeSecret, Labels.PAIRING_CODE_KEY), StandardCharsets.UTF_8);
            assertThat(code).hasSize(8);
            assertThat(client.getKubernetesSerialization().asJson(open)).doesNotContain(code);
            ReflectorConfig withCode = Await.until(TIMEOUT, "code in the config", () -> {
                var c = Fixtures.config(client, n, "edge-config");
                return c.access.pairingCodes.size() == 1 ? c : null;
            });
            assertThat(withCode.access.pairingEnabled).isTrue();
            assertThat(withCode.access.pairingCodes.get(0).code).isEqualTo(code);
            assertThat(withCode.access.pairingCodes.get(0).window).isEqualTo(n + "/short");
            assertThat(withCode.access.pairingCodes.get(0).expiresAt).isEqualTo(open.getStatus().expiresAt);

            Await.until(
                    TIMEOUT,
                    "short window Expired",
                    () -> windows.withName("short").get().getStatus().phase == Phase.Expired);
            Await.until(TIMEOUT, "code gone from the config", () -> {
                var c = Fixtures.config(client, n, "edge-config");
                return c.access.pairingCodes.isEmpty() && !c.access.pairingEnabled;
            });
            Await.until(
                    TIMEOUT,
                    "code Secret deleted",
                    () -> client.secrets().inNamespace(n).withName("short-code").get() == null);

            // A window the reflector reports as used: an AuthorizedPeer is created, window Consumed.
            windows.resource(Fixtures.sample(client, "pairingwindow.yaml", PairingWindow.class, n))
                    .create();
            Await.until(TIMEOUT, "window Open", () -> {
                var w = windows.withName("new-appliance").get();
                return w.getStatus() != null && w.getStatus().phase == Phase.Open;
            });
            EndpointId appliance = Ed25519Identity.generate().endpointId();
            windows.withName("new-appliance")
                    .subresource("status")
                    .patch(
                            new PatchContext.Builder()
                                    .withPatchType(PatchType.SERVER_SIDE_APPLY)
                                    .withFieldManager(FieldManagers.REFLECTOR)
                                    .withForce(true)
                                    .build(),
                            """
                    {"apiVersion":"packetparamedic.io/v1alpha1","kind":"PairingWindow",
                     "metadata":{"name":"new-appliance","namespace":"%s"},
                     "status":{"pairedEndpointId":"%s","pairedAt":"2026-11-22T02:00:00Z"}}
                    """.formatted(n, appliance));
            PairingWindow consumed = Await.until(TIMEOUT, "window Consumed", () -> {
                var w = windows.withName("new-appliance").get();
                return w.getStatus().phase == Phase.Consumed ? w : null;
            });
            assertThat(consumed.getStatus().authorizedPeer).isEqualTo("new-appliance");
            assertThat(consumed.getStatus().pairedEndpointId).isEqualTo(appliance.toString());
            AuthorizedPeer created = client.resources(AuthorizedPeer.class)
                    .inNamespace(n)
                    .withName("new-appliance")
                    .get();
            assertThat(created.getSpec().endpointId).isEqualTo(appliance.toString());
            assertThat(created.getSpec().reflectorRef.name).isEqualTo("edge");
            assertThat(created.getMetadata().getLabels()).containsEntry("site", "lab");
            Await.until(TIMEOUT, "paired peer in the config, code gone", () -> {
                var c = Fixtures.config(client, n, "edge-config");
                return c.access.peers.size() == 1
                        && c.access.peers.get(0).endpointId.equals(appliance.toString())
                        && c.access.pairingCodes.isEmpty();
            });
            Await.until(TIMEOUT, "pairedVia on the peer", () -> {
                var p = client.resources(AuthorizedPeer.class)
                        .inNamespace(n)
                        .withName("new-appliance")
                        .get();
                return p.getStatus() != null && (n + "/new-appliance").equals(p.getStatus().pairedVia);
            });
        }
    }

    @Test
    void aCodeInTheUsersOwnSecretReachesTheConfig(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance instance = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            ReflectorInstanceOperatorTest.awaitConverged(client, instance);
            // Hand-made: no operator labels (so in none of its caches), the code under its own key, a trailing newline.
            String code = PairingCodes.generate();
            client.secrets()
                    .inNamespace(n)
                    .resource(new SecretBuilder()
                            .withNewMetadata()
                            .withName("appliance-code")
                            .endMetadata()
                            .addToStringData("mine", code + "\n")
                            .build())
                    .create();
            PairingWindow window = Fixtures.sample(client, "pairingwindow.yaml", PairingWindow.class, n);
            window.getMetadata().setName("own-code");
            window.getSpec().codeSecretRef = new SecretKeyRef("appliance-code", "mine");
            client.resources(PairingWindow.class)
                    .inNamespace(n)
                    .resource(window)
                    .create();

            ReflectorConfig withCode = Await.until(TIMEOUT, "the user's code in the config", () -> {
                var c = Fixtures.config(client, n, "edge-config");
                return c.access.pairingCodes.size() == 1 ? c : null;
            });
            assertThat(withCode.access.pairingCodes.get(0).code).isEqualTo(code);
            assertThat(withCode.access.pairingCodes.get(0).window).isEqualTo(n + "/own-code");
            assertThat(client.secrets().inNamespace(n).withName("own-code-code").get())
                    .isNull();
        }
    }

    static AuthorizedPeer peer(String name, String endpointId) {
        AuthorizedPeer p = new AuthorizedPeer();
        p.getMetadata().setName(name);
        AuthorizedPeerSpec spec = new AuthorizedPeerSpec();
        spec.endpointId = endpointId;
        spec.reflectorRef = new ObjectRef("edge");
        p.setSpec(spec);
        return p;
    }
}
