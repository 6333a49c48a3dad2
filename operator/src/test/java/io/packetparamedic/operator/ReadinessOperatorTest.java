package io.packetparamedic.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.AuthorizedPeerStatus.State;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus.Phase;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Ready on peers and windows means "live on a reflector": the pod (played by the test, as
 * Fixtures.reportHeartbeat) reports the digest of the config it applied, and only a config that
 * lists the peer or carries the window's code makes them Ready.
 */
@KubeCluster
class ReadinessOperatorTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void aPeerAndAWindowAreReadyOnceTheReflectorServesTheConfigWithThem(KubeTestCluster cluster, TestNamespace ns)
            throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            ReflectorInstance instance = client.resource(
                            Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            ReflectorInstance converged = ReflectorInstanceOperatorTest.awaitConverged(client, instance);
            String endpointId = converged.getStatus().endpointId;
            assertThat(converged.getStatus().shortEndpointId)
                    .isEqualTo(EndpointId.parse(endpointId).shortForm());
            String before = Fixtures.digestOfConfig(client, n, "edge-config");
            Fixtures.reportHeartbeat(
                    client, converged, endpointId, Instant.now().toString(), before);

            var peers = client.resources(AuthorizedPeer.class).inNamespace(n);
            EndpointId id = Ed25519Identity.generate().endpointId();
            peers.resource(PeersAndPairingOperatorTest.peer("kitchen", id.toString()))
                    .create();
            Await.until(
                    TIMEOUT,
                    "kitchen in the config",
                    () -> Fixtures.config(client, n, "edge-config").access.peers.size() == 1);
            // In the config, but the pod still serves the config without it.
            AuthorizedPeer pending = Await.until(TIMEOUT, "kitchen Pending", () -> {
                var p = peers.withName("kitchen").get();
                return p.getStatus() != null && p.getStatus().state == State.Pending ? p : null;
            });
            assertThat(Conditions.find(pending.getStatus().conditions, "Ready").orElseThrow())
                    .satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"))
                    .satisfies(c -> assertThat(c.getReason()).isEqualTo("AwaitingReflector"));
            assertThat(pending.getStatus().shortEndpointId).isEqualTo(id.shortForm());

            Fixtures.reportHeartbeat(
                    client,
                    converged,
                    endpointId,
                    Instant.now().toString(),
                    Fixtures.digestOfConfig(client, n, "edge-config"));
            AuthorizedPeer active = Await.until(TIMEOUT, "kitchen Ready", () -> {
                var p = peers.withName("kitchen").get();
                return Conditions.isTrue(p.getStatus().conditions, "Ready") ? p : null;
            });
            assertThat(active.getStatus().state).isEqualTo(State.Active);
            assertThat(Conditions.find(active.getStatus().conditions, "Ready")
                            .orElseThrow()
                            .getMessage())
                    .isEqualTo("served by edge");

            // A window: Open at once, Ready only when the served config carries its code.
            var windows = client.resources(PairingWindow.class).inNamespace(n);
            windows.resource(Fixtures.sample(client, "pairingwindow.yaml", PairingWindow.class, n))
                    .create();
            PairingWindow open = Await.until(TIMEOUT, "window Open", () -> {
                var w = windows.withName("new-appliance").get();
                return w.getStatus() != null && w.getStatus().phase == Phase.Open ? w : null;
            });
            assertThat(Conditions.isTrue(open.getStatus().conditions, "Ready")).isFalse();
            Await.until(
                    TIMEOUT,
                    "code in the config",
                    () -> Fixtures.config(client, n, "edge-config")
                                    .access
                                    .pairingCodes
                                    .size()
                            == 1);
            Await.until(
                    TIMEOUT,
                    "the instance listing the window",
                    () -> client.resources(ReflectorInstance.class)
                                    .inNamespace(n)
                                    .withName("edge")
                                    .get()
                                    .getStatus()
                                    .openPairingWindows
                            != null);
            Fixtures.reportHeartbeat(
                    client,
                    converged,
                    endpointId,
                    Instant.now().toString(),
                    Fixtures.digestOfConfig(client, n, "edge-config"));
            PairingWindow live = Await.until(TIMEOUT, "window Ready", () -> {
                var w = windows.withName("new-appliance").get();
                return Conditions.isTrue(w.getStatus().conditions, "Ready") ? w : null;
            });
            assertThat(Conditions.find(live.getStatus().conditions, "Ready")
                            .orElseThrow()
                            .getReason())
                    .isEqualTo("CodeLive");
            // The config changed (it gained the code) and the pod serves it: the peer is still served.
            assertThat(Conditions.isTrue(peers.withName("kitchen").get().getStatus().conditions, "Ready"))
                    .isTrue();

            // Disabled: out of the config, no longer Ready, state says why.
            peers.withName("kitchen").edit(p -> {
                p.getSpec().disabled = true;
                return p;
            });
            AuthorizedPeer disabled = Await.until(TIMEOUT, "kitchen Disabled", () -> {
                var p = peers.withName("kitchen").get();
                return p.getStatus().state == State.Disabled ? p : null;
            });
            assertThat(Conditions.find(disabled.getStatus().conditions, "Ready")
                            .orElseThrow()
                            .getReason())
                    .isEqualTo("Disabled");
        }
    }

    @Test
    void aWindowForAMissingReflectorIsPendingWithoutACodeUntilTheReflectorExists(
            KubeTestCluster cluster, TestNamespace ns) throws InterruptedException {
        KubernetesClient client = cluster.client();
        String n = ns.name();
        try (var operator = new TestOperator(cluster.adminConfig(), n)) {
            var windows = client.resources(PairingWindow.class).inNamespace(n);
            PairingWindow early = windows.resource(
                            Fixtures.sample(client, "pairingwindow.yaml", PairingWindow.class, n))
                    .create();
            PairingWindow pending = Await.until(TIMEOUT, "window Pending", () -> {
                var w = windows.withName("new-appliance").get();
                return w.getStatus() != null && w.getStatus().phase == Phase.Pending ? w : null;
            });
            assertThat(Conditions.find(pending.getStatus().conditions, "Ready").orElseThrow())
                    .satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"))
                    .satisfies(c -> assertThat(c.getReason()).isEqualTo(PairingWindowReconciler.REFLECTOR_NOT_FOUND));
            assertThat(pending.getStatus().codeSecret).isNull();
            assertThat(pending.getStatus().message).contains("ReflectorInstance edge", "does not exist");
            assertThat(client.secrets()
                            .inNamespace(n)
                            .withName("new-appliance-code")
                            .get())
                    .isNull();
            Await.until(
                    TIMEOUT,
                    "a ReflectorNotFound Warning",
                    () -> client.v1().events().inNamespace(n).list().getItems().stream()
                            .anyMatch(e -> PairingWindowReconciler.REFLECTOR_NOT_FOUND.equals(e.getReason())
                                    && "Warning".equals(e.getType())
                                    && early.getMetadata()
                                            .getName()
                                            .equals(e.getInvolvedObject().getName())));

            client.resource(Fixtures.sample(client, "reflectorinstance.yaml", ReflectorInstance.class, n))
                    .create();
            PairingWindow open = Await.until(TIMEOUT, "window Open once edge exists", () -> {
                var w = windows.withName("new-appliance").get();
                return w.getStatus().phase == Phase.Open ? w : null;
            });
            assertThat(open.getStatus().codeSecret).isEqualTo("new-appliance-code");
            assertThat(client.secrets()
                            .inNamespace(n)
                            .withName("new-appliance-code")
                            .get())
                    .isNotNull();
            Await.until(
                    TIMEOUT,
                    "code in edge's config",
                    () -> Fixtures.config(client, n, "edge-config")
                                    .access
                                    .pairingCodes
                                    .size()
                            == 1);
        }
    }
}
